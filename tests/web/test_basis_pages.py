"""Each figure of a bulletin, the rate table, a rating ranking and a flag links to its records."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.notices_data import NAME, complaint, rate_world
from tests.querycount import count_queries
from tests.services.test_bulletins import act
from tests.services.test_ratings import setup_round, vote
from tracker.extensions import db
from tracker.models.accountability import Flag
from tracker.services import accountability, bulletins, ratings

LINK = re.compile(r'<a href="([^"]+)" class="basis-link" data-testid="basis-link"[^>]*>([^<]*)</a>')
FLAG_LINK = re.compile(r'<a class="ms-2" href="([^"]+)" data-testid="basis-link">')


def links(page: str) -> list[tuple[str, str]]:
    return [(html.unescape(href), text.strip()) for href, text in LINK.findall(page)]


def figure_and_count(page: str) -> tuple[str, int, int | None]:
    shown = re.search(r'data-testid="basis-figure">([^<]*)<', page).group(1)
    count = int(re.search(r'data-testid="basis-count">(\d+)<', page).group(1))
    marked = re.search(r'data-testid="basis-marked">(\d+)<', page)
    return shown, count, int(marked.group(1)) if marked else None


def check_page(client, href: str, text: str) -> str:
    """The basis page shows the figure linked, and lists as many records as it counts."""
    response = client.get(href)
    assert response.status_code == 200, href
    page = response.get_data(as_text=True)
    shown, count, marked = figure_and_count(page)
    assert shown == text, href
    assert page.count('data-testid="basis-record"') == count, href
    if text.endswith("%"):
        assert count and f"{marked / count * 100:.1f}%" == text, href
    else:
        assert str(count) == text, href
    return page


@pytest.fixture
def published(make):
    units = rate_world(make)
    measure = make.measure(make.plan())
    for due, done in (("2026-10-10", "2026-10-08"), ("2026-10-20", "2026-10-25")):
        task = make.task(measure, units["a"], starts_on="2026-10-01", due_on=due)
        make.entry(task, 100, done)
        task.verified_on = date(2026, 10, 28)
    make.task(measure, units["g"], starts_on="2026-10-01", due_on="2026-10-30", title="逾期任务")
    db.session.commit()
    bulletin, _created = bulletins.generate(act(), "monthly", "2026-10")
    bulletins.approve(act(), bulletin)
    bulletins.publish(act(), bulletin, 2026)
    db.session.commit()
    return bulletin, units


def test_every_figure_of_a_bulletin_links_to_as_many_records(client, make, login, published):
    bulletin, _units = published
    login(make.user("office"))
    found = links(client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True))
    figures = {href.split("/basis/")[1].split("/")[0] for href, _text in found}
    assert figures == {
        "due",
        "on_time",
        "on_time_rate",
        "criticised",
        "dispatched",
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
    }
    for href, text in found:
        if "/criticised/" in href:
            page = client.get(href).get_data(as_text=True)
            assert "逾期任务" in page and figure_and_count(page)[1] >= 1
            continue
        page = check_page(client, href, text)
        if "/dispatched/" in href:
            assert NAME in page  # the office reads the complainant


def test_a_unit_head_traces_only_their_own_figures(client, make, login, published):
    bulletin, units = published
    login(make.user("unit_head", unit=units["a"]))
    page = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    found = links(page)
    assert found and all(f"/{units['a'].id}" == href[href.rindex("/") :] for href, _text in found)
    for href, text in found:
        body = check_page(client, href, text)
        assert NAME not in body  # never the complainant's identity to a unit
    assert client.get(f"/bulletins/{bulletin.id}/basis/dispatched/{units['b'].id}").status_code == 404
    assert client.get(f"/complaints/stats/basis/dispatched/{units['b'].id}?period=2026-10").status_code == 404
    assert client.get(f"/bulletins/{bulletin.id}/basis/nonsense/{units['a'].id}").status_code == 404


def test_the_public_bulletin_shows_counts_without_links(client, published):
    bulletin, _units = published
    page = client.get(f"/public/bulletins/{bulletin.id}").get_data(as_text=True)
    assert 'data-testid="basis-link"' not in page
    assert client.get(f"/bulletins/{bulletin.id}/basis/due/1").status_code == 302  # to the log-in


def test_the_administrator_reads_task_figures_not_complaints(client, make, login, published):
    bulletin, units = published
    login(make.user("admin"))
    found = links(client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True))
    assert found and not [href for href, _text in found if "/dispatched/" in href]
    assert client.get(f"/bulletins/{bulletin.id}/basis/dispatched/{units['a'].id}").status_code == 403


def test_the_rate_table_links_every_figure(client, make, login):
    rate_world(make)
    login(make.user("leader"))
    found = links(client.get("/complaints/stats?period=2026-10").get_data(as_text=True))
    assert len(found) > 40
    for href, text in found:
        check_page(client, href, text)
    assert client.get(found[0][0].replace("2026-10", "2026-13")).status_code == 400


def test_statements_per_basis_page_are_constant(client, make, login, published):
    bulletin, units = published
    for _ in range(20):
        complaint(units["a"], "2026-10-06", "2026-10-13", "2026-10-12", resolved=True, rating="satisfied")
    login(make.user("office"))
    counts = []
    for unit in (units["c"], units["a"], units["a"]):
        for path in (
            f"/complaints/stats/basis/dispatched/{unit.id}?period=2026-10",
            f"/bulletins/{bulletin.id}/basis/dispatched/{unit.id}",
        ):
            with count_queries() as statements:
                assert client.get(path).status_code == 200
            counts.append(len(statements))
    assert counts[0:2] == counts[2:4] == counts[4:6]


def test_a_rating_rankings_figures_link_to_its_ballots(client, make, login):
    a, b = (make.unit(peer_group="primary_schools") for _ in range(2))
    rnd = setup_round(make, [a, b])
    vote(rnd, "service_recipients", {a: "satisfied", b: ["dissatisfied", "satisfied", "fairly_satisfied"]}, 6)
    vote(rnd, "grassroots_cadres", {a: "basically_satisfied", b: "dissatisfied"}, 4)
    ratings.close(act(), rnd)
    db.session.commit()
    login(make.user("leader"))
    found = links(client.get(f"/ratings/{rnd.id}/results").get_data(as_text=True))
    assert len(found) == 6
    for href, _text in found:
        page = client.get(href).get_data(as_text=True)
        shown, count, _marked = figure_and_count(page)
        assert shown == "10" and count == 10 == page.count('data-testid="basis-record"')
        assert "不满意" in page or "Dissatisfied" in page
    client.post("/logout")
    login(make.user("unit_head", unit=b))
    assert client.get(f"/ratings/{rnd.id}/basis/{b.id}").status_code == 200
    assert client.get(f"/ratings/{rnd.id}/basis/{a.id}").status_code == 404
    flag = db.session.scalar(select(Flag).where(Flag.unit_id == b.id, Flag.rule == "strong_dissent"))
    page = client.get(f"/accountability/{flag.id}").get_data(as_text=True)
    (href,) = FLAG_LINK.findall(page)
    evidence = client.get(href).get_data(as_text=True)
    assert f"/ratings/{rnd.id}/basis/{b.id}" in evidence


def test_a_flags_complaints_link_to_their_records(client, make, login):
    unit = make.unit(name="庚小学")
    for index in range(10):
        complaint(
            unit,
            "2026-10-05",
            "2026-10-12",
            "2026-10-10",
            resolved=True,
            rating="satisfied" if index < 6 else "dissatisfied",
        )
    accountability.evaluate(act(), date(2026, 11, 30))
    db.session.commit()
    flag = db.session.scalar(select(Flag).where(Flag.unit_id == unit.id))
    login(make.user("unit_head", unit=unit))
    page = client.get(f"/accountability/{flag.id}").get_data(as_text=True)
    (href,) = FLAG_LINK.findall(page)
    body = client.get(href).get_data(as_text=True)
    shown, count, marked = figure_and_count(body)
    assert (shown, count, marked) == ("10", 10, 6)
    assert NAME not in body
    assert client.get(f"/accountability/{flag.id}/basis/5").status_code == 404
    client.post("/logout")
    login(make.user("admin"))
    assert client.get(href).status_code == 403
    assert client.get(f"/accountability/{flag.id}/basis/0").status_code == 403


def test_no_basis_page_shows_a_code(client, make, login, published):
    from tests.web.test_no_raw_codes import raw_codes, visible_text

    bulletin, units = published
    a, b = (make.unit(peer_group="primary_schools") for _ in range(2))
    rnd = setup_round(make, [a, b])
    vote(
        rnd, "service_recipients", {a: "satisfied", b: ["dissatisfied", "satisfied", "fairly_satisfied"]}, 10
    )
    ratings.close(act(), rnd)
    db.session.commit()
    flag = db.session.scalar(select(Flag).where(Flag.unit_id == b.id, Flag.rule == "strong_dissent"))
    login(make.user("office"))
    paths = [href for href, _text in links(client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True))]
    paths += [
        f"/complaints/stats/basis/satisfaction_rate/{units['a'].id}?period=2026-10",
        f"/ratings/{rnd.id}/basis/{b.id}",
        f"/accountability/{flag.id}/basis/0",
    ]
    found = []
    for language in ("zh_CN", "en"):
        client.post("/language", data={"lang": language})
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            found += [
                f"{language} {path}: {hit}"
                for hit in raw_codes(visible_text(response.get_data(as_text=True)), language)
            ]
    assert found == []


def test_an_innovation_rankings_count_and_total_link_to_the_innovations(client, make, login):
    from tracker.services import innovations

    office = make.user("office")
    a, b = (make.unit(kind="school", peer_group="primary_schools") for _ in range(2))
    actor = act()
    for unit, scores in ((a, (30, 25.5)), (b, (40,))):
        for value in scores:
            made = innovations.register(actor, unit_id=unit.id, title="一招鲜", description="做法", year=2026)
            innovations.score(actor, made, value)
    innovations.publish(actor, 2026)
    db.session.commit()
    login(office)
    found = links(client.get("/innovations/ranking?year=2026").get_data(as_text=True))
    assert len(found) == 4
    for href, text in found:
        page = client.get(href).get_data(as_text=True)
        shown, count, _marked = figure_and_count(page)
        total = re.search(r'data-testid="basis-total">([^<]*)<', page).group(1)
        assert text in (shown, total) and page.count('data-testid="basis-record"') == count
    client.post("/logout")
    login(make.user("unit_head", unit=a))
    found = links(client.get("/innovations/ranking?year=2026").get_data(as_text=True))
    assert {href for href, _text in found} == {f"/innovations/ranking/basis/{a.id}?year=2026"}
    assert client.get(f"/innovations/ranking/basis/{b.id}?year=2026").status_code == 404
    # the last of the ranking is flagged: its evidence leads on to its innovations
    client.post("/logout")
    login(make.user("unit_head", unit=b))
    flag = db.session.scalar(select(Flag).where(Flag.unit_id == b.id, Flag.rule == "last_place"))
    (href,) = FLAG_LINK.findall(client.get(f"/accountability/{flag.id}").get_data(as_text=True))
    evidence = client.get(href).get_data(as_text=True)
    assert html.escape(f"/innovations/ranking/basis/{b.id}?year=2026") in evidence
    assert client.get(f"/innovations/ranking/basis/{b.id}?year=2026").status_code == 200


def test_lists_of_bulletins_never_load_their_content(client, make, login, published):
    bulletin, _units = published
    login(make.user("office"))
    for path in ("/bulletins", f"/search?q={bulletin.title[:4]}"):
        with count_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200 and bulletin.title in response.get_data(as_text=True), path
        assert not [s for s in statements if "bulletins.content" in s], path


def test_a_bulletins_flags_link_to_their_evidence(client, make, login):
    from datetime import UTC, datetime

    from tracker.services.audit import Actor

    school, other = make.unit(name="庚小学"), make.unit(name="辛小学")
    for index in range(10):
        complaint(
            school,
            "2026-09-07",
            "2026-09-14",
            "2026-09-10",
            resolved=True,
            rating="satisfied" if index < 6 else "dissatisfied",
        )
    accountability.evaluate(
        Actor(None, "127.0.0.1", datetime(2026, 10, 20, 2, tzinfo=UTC)), date(2026, 10, 20)
    )
    bulletin, _created = bulletins.generate(act(), "monthly", "2026-10")
    bulletins.approve(act(), bulletin)
    bulletins.publish(act(), bulletin, 2026)
    db.session.commit()
    flag = db.session.scalar(select(Flag).where(Flag.unit_id == school.id))
    assert [row["flag_id"] for row in bulletin.content["flags"]] == [flag.id]
    login(make.user("unit_head", unit=school))
    page = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert f"/accountability/{flag.id}" in [href for href, _text in links(page)]
    client.post("/logout")
    login(make.user("unit_head", unit=other))
    page = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert f"/accountability/{flag.id}" not in page
