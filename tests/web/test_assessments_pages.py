"""Pages of special assessments, innovations and a unit's record, as each role."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import g
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.querycount import count_queries
from tracker.extensions import db
from tracker.models import (
    Assessment,
    Bulletin,
    Complaint,
    Flag,
    Innovation,
    Notice,
    Ranking,
    RankingRow,
    Unit,
)
from tracker.services import assessments, innovations, spreadsheets

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the app's today
YEAR = TODAY.year
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_office_enters_scores_on_the_form_and_the_ranking_is_published(client, make, login):
    a = make.unit(name="城关一小")
    b = make.unit(name="城关二小")
    make.unit(name="城关三小")  # left blank: not in the assessment
    login(make.user("office"))
    response = client.post("/assessments/new", data={
        "theme": "teacher_ethics", "period": "2026-H1",
        f"score_{a.id}": "88.5", f"score_{b.id}": "95", f"veto_{b.id}": "on",
        f"note_{b.id}": "<script>alert(1)</script>"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assessment = db.session.scalar(select(Assessment))
    assert response.headers["Location"].endswith(f"/assessments/{assessment.id}")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "城关一小" in page and "城关三小" not in page and "<svg" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert page.index("城关一小") < page.index("城关二小")  # the vetoed unit comes last
    export = client.get(f"/assessments/{assessment.id}.xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert sheet["A1"].value == "师德师风2026-H1考核排名" and sheet.freeze_panes == "A4"  # title, filters, header
    assert [c.value for c in sheet[3]][:4] == ["名次", "单位", "同类组", "得分"]
    assert [c.value for c in sheet[4]][:2] == [1, "城关一小"] and sheet["D4"].number_format == "0.00"
    assert "师德" in client.get("/assessments?theme=teacher_ethics").get_data(as_text=True)
    # entering the same theme and half-year again: refused, the frozen ranking kept
    again = client.post("/assessments/new", data={"theme": "teacher_ethics", "period": "2026-H1",
                                                  f"score_{a.id}": "10"})
    assert again.status_code == 409
    assert count(Assessment) == 1


@pytest.mark.parametrize("data", [
    {"score": "abc"}, {"score": "100.5"}, {"score": "80.123"}, {"period": "2026-Q1"},
    {"theme": "sports"}, {"score": ""},
])
def test_bad_form_input_is_400_and_stores_nothing(client, make, login, data):
    unit = make.unit()
    login(make.user("office"))
    form = {"theme": data.get("theme", "teaching"), "period": data.get("period", "2026-H1"),
            f"score_{unit.id}": data.get("score", "80")}
    response = client.post("/assessments/new", data=form)
    assert response.status_code == 400
    assert count(Assessment) == 0 and count(Ranking) == 0


def _xlsx(rows) -> io.BytesIO:
    return io.BytesIO(spreadsheets.write_workbook([(assessments.SHEET, assessments.HEADERS, rows)]))


def test_import_page_all_or_nothing(client, make, login):
    make.unit(name="一中")
    make.unit(name="二中")
    login(make.user("office"))
    template = client.get("/assessments/import/template.xlsx")
    assert template.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(template.data))[assessments.SHEET][1]] == list(
        assessments.HEADERS)
    bad = client.post("/assessments/import", data={
        "theme": "teaching", "period": "2026-H1",
        "file": (_xlsx([("一中", 90, None, None), ("三中", 101, "也许", None)]), "scores.xlsx")},
        content_type="multipart/form-data")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "import-problems" in text and "三中" in text and "一票否决" in text
    assert count(Assessment) == 0
    good = client.post("/assessments/import", data={
        "theme": "teaching", "period": "2026-H1",
        "file": (_xlsx([("一中", 90, None, None), ("二中", 80, "是", "师德")]), "scores.xlsx")},
        content_type="multipart/form-data")
    assert good.status_code == 302
    assert count(Assessment) == 1
    not_a_workbook = client.post("/assessments/import", data={
        "theme": "teaching", "period": "2026-H2", "file": (io.BytesIO(b"PK junk"), "x.xlsx")},
        content_type="multipart/form-data")
    assert not_a_workbook.status_code == 400 and count(Assessment) == 1


def test_a_unit_registers_and_edits_its_innovation_until_scored(client, make, login):
    unit = make.unit(kind="department", peer_group="departments")
    other = make.unit()
    head = make.user("unit_head", unit=unit)
    login(head)
    form = client.get("/innovations/new").get_data(as_text=True)
    assert unit.name in form and other.name not in form
    response = client.post("/innovations/new", data={
        "unit_id": str(other.id), "title": "<b>一招鲜</b>", "description": "做法", "year": str(YEAR)})
    assert response.status_code == 302
    innovation = db.session.scalar(select(Innovation))
    assert innovation.unit_id == unit.id  # a unit registers for its own unit only
    assert client.post(f"/innovations/{innovation.id}", data={
        "title": "改后", "description": "做法二", "year": str(YEAR)}).status_code == 302
    listing = client.get("/innovations").get_data(as_text=True)
    assert "改后" in listing
    assert client.post(f"/innovations/{innovation.id}/score", data={"score": "90"}).status_code == 403
    bad = client.post("/innovations/new", data={"title": "", "description": "", "year": "1999"})
    assert bad.status_code == 400
    assert count(Innovation) == 1
    # scored by the office: no more edits
    innovations.score(make.actor(make.user("office")), db.session.get(Innovation, innovation.id), 70)
    db.session.commit()
    assert client.post(f"/innovations/{innovation.id}", data={
        "title": "再改", "description": "x", "year": str(YEAR)}).status_code == 409


def test_office_scores_publishes_and_units_below_three_are_highlighted(client, make, login):
    school = make.unit(name="实验小学")
    lazy = make.unit(name="后进小学")
    office = make.user("office")
    actor = make.actor(office)
    made = [innovations.register(actor, unit_id=school.id, title=f"做法{n}", description="d", year=YEAR)
            for n in range(3)]
    innovations.register(actor, unit_id=lazy.id, title="<script>x</script>", description="d", year=YEAR)
    db.session.commit()
    login(office)
    for innovation in made:
        assert client.post(f"/innovations/{innovation.id}/score",
                           data={"score": "30", "next": "list"}).status_code == 302
    assert client.post(f"/innovations/{made[0].id}/score", data={"score": "abc"}).status_code == 302
    assert db.session.get(Innovation, made[0].id).score == 30
    page = client.get(f"/innovations/ranking?year={YEAR}").get_data(as_text=True)
    assert 'data-testid="ranking-status"' in page and "below-expected" in page
    assert page.count('data-testid="below-expected"') >= 1
    assert client.post("/innovations/ranking/publish", data={"year": str(YEAR)}).status_code == 302
    assert client.post("/innovations/ranking/publish", data={"year": str(YEAR)}).status_code == 409
    assert client.post(f"/innovations/{made[1].id}/score", data={"score": "99"}).status_code == 409
    assert db.session.get(Innovation, made[1].id).score == 30
    showcase = client.get(f"/public/innovations?year={YEAR}").get_data(as_text=True)
    assert "实验小学" in showcase and "30.00" in showcase and "&lt;script&gt;" in showcase
    assert "<script>x</script>" not in showcase


def test_innovation_pages_of_another_unit_are_404(client, make, login):
    mine = make.unit(kind="department", peer_group="departments")
    school = make.unit(liaison_unit_id=mine.id)
    other = make.unit()
    office = make.actor(make.user("office"))
    liaised = innovations.register(office, unit_id=school.id, title="学校的", description="d", year=YEAR)
    foreign = innovations.register(office, unit_id=other.id, title="别人的", description="d", year=YEAR)
    db.session.commit()
    login(make.user("unit_member", unit=mine))
    assert client.get(f"/innovations/{foreign.id}").status_code == 404
    assert client.get(f"/innovations/{liaised.id}").status_code == 200  # read, not change
    assert client.post(f"/innovations/{liaised.id}", data={"title": "x", "description": "y",
                                                           "year": str(YEAR)}).status_code == 403
    listing = client.get("/innovations").get_data(as_text=True)
    assert "学校的" in listing and "别人的" not in listing


# A unit's record ---------------------------------------------------------------------------------


def _fill_record(make, unit: Unit, n: int) -> None:
    """Give ``unit`` ``n`` innovations, notices, flags, ranking rows and commendations."""
    office = make.user("office")
    actor = make.actor(office)
    peers = [make.unit(peer_group=unit.peer_group) for _ in range(2)]
    for index in range(n):
        innovations.register(actor, unit_id=unit.id, title=f"创新{index}", description="d",
                             year=2000 + index)
        ranking = Ranking(kind="rating", subject_key=f"round:t{unit.id}-{index}", period="2026-H1",
                          title=f"评议{index}", status="published", published_at=NOW + timedelta(days=index),
                          created_at=NOW)
        db.session.add(ranking)
        db.session.flush()
        for position, member in enumerate([unit, *peers]):
            db.session.add(RankingRow(ranking_id=ranking.id, unit_id=member.id, unit_name=member.name,
                                      peer_group=member.peer_group, position=position,
                                      score=90 - position, rank=position + 1, ranked_count=3,
                                      ballots=12, dissatisfaction_rate=0.25, detail={}))
        number = db.session.scalar(select(func.coalesce(func.max(Notice.number), 0))) + 1
        db.session.add(Notice(number_year=2026, number=number, unit_id=unit.id, source_type="complaint",
                              problems="问题", requirements="要求", issued_on=date(2026, 5, 1),
                              due_on=date(2026, 5, 10), status="issued", issued_at=NOW))
        db.session.add(Flag(rule="strong_dissent", unit_id=unit.id, period=f"t-{index}", evidence={},
                            proposed_action="约谈", status="exempted", raised_at=NOW,
                            exemption_justification=f"改革探索免责{index}"))
        dispatched_on = TODAY - timedelta(days=(index % 10) * 25)
        db.session.add(Complaint(
            tracking_code=f"T{unit.id}-{index}", category="other", description="投诉", status="closed",
            submitted_at=NOW, dispatched_unit_id=unit.id, first_dispatched_on=dispatched_on,
            first_reply_due_on=dispatched_on + timedelta(days=5),
            first_replied_on=dispatched_on + timedelta(days=index % 7), resolved=True,
            rating="satisfied" if index % 2 else "dissatisfied"))
        db.session.add(Bulletin(kind="monthly", period=f"{unit.id}-{index}", starts_on=date(2026, 1, 1),
                                ends_on=date(2026, 1, 31), status="published", title=f"通报{index}",
                                content={"commended": [{"unit_id": unit.id, "unit": unit.name}]},
                                created_at=NOW, published_at=NOW))
    assessments.enter(actor, theme="teacher_ethics", period=f"{2000 + n}-H1", scores=[
        assessments.ScoreInput(unit_id=unit.id, score=99, veto=True),
        assessments.ScoreInput(unit_id=peers[0].id, score=50)])
    db.session.commit()


def test_the_record_brings_every_area_together(client, make, login):
    unit = make.unit(name="档案学校")
    _fill_record(make, unit, 2)
    login(make.user("leader"))
    page = client.get(f"/units/{unit.id}/record").get_data(as_text=True)
    month = f"{TODAY.year}-{TODAY.month:02d}"
    for text in (month, "100.0%", "创新0", "评议1", "1/3", "25.0%", "〔2026〕", "改革探索免责0", 'data-testid="exemption"',
                 "通报1", "<polyline", "师德"):
        assert text in page, text


@pytest.mark.parametrize(("who", "target", "expected"), [
    ("office", "own", 200), ("leader", "own", 200), ("admin", "own", 200),
    ("unit_head", "own", 200), ("unit_member", "own", 200),
    ("unit_head", "liaised", 200), ("unit_member", "other", 404), ("unit_head", "other", 404),
    ("office", "unknown", 404), ("unit_head", "unknown", 404),
])
def test_who_reads_which_record(client, make, login, who, target, expected):
    own = make.unit(kind="department", peer_group="departments")
    liaised = make.unit(liaison_unit_id=own.id)
    other = make.unit()
    user = make.user(who, unit=own if who.startswith("unit_") else None)
    login(user)
    unit_id = {"own": own.id, "liaised": liaised.id, "other": other.id, "unknown": 999999}[target]
    assert client.get(f"/units/{unit_id}/record").status_code == expected


def test_anonymous_is_sent_to_log_in(client, make):
    unit = make.unit()
    response = client.get(f"/units/{unit.id}/record")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _measure(client, url) -> list[str]:
    db.session.close()
    g.pop("_login_user", None)
    with count_queries() as statements:
        response = client.get(url)
        assert response.status_code == 200
    return statements


def test_record_page_queries_do_not_grow_with_the_record(client, make, login):
    few_unit = make.unit(name="少")
    many_unit = make.unit(name="多")
    _fill_record(make, few_unit, 2)
    _fill_record(make, many_unit, 20)
    ids = (few_unit.id, many_unit.id)
    login(make.user("office"))
    few = _measure(client, f"/units/{ids[0]}/record")
    many = _measure(client, f"/units/{ids[1]}/record")
    assert len(many) == len(few), many


def test_innovation_list_queries_do_not_grow_with_the_list(client, make, login):
    office = make.user("office")
    actor = make.actor(office)
    units = [make.unit().id for _ in range(20)]
    for unit_id in units[:2]:
        innovations.register(actor, unit_id=unit_id, title="做法", description="d", year=YEAR)
    db.session.commit()
    login(office)
    few = _measure(client, f"/innovations?year={YEAR}")
    for unit_id in units[2:]:
        innovations.register(actor, unit_id=unit_id, title="做法", description="d", year=YEAR)
    db.session.commit()
    many = _measure(client, f"/innovations?year={YEAR}")
    assert len(many) == len(few), many
    assert len(_measure(client, f"/innovations/ranking?year={YEAR}")) == len(
        _measure(client, f"/innovations/ranking?year={YEAR}"))


def test_public_assessment_pages(client, make):
    unit = make.unit(name="公开学校")
    assessment = assessments.enter(make.actor(make.user("office")), theme="teaching", period="2026-H1",
                                   scores=[assessments.ScoreInput(unit_id=unit.id, score=77,
                                                                  note="内部备注")])
    db.session.commit()
    assert client.get("/public/assessments").status_code == 200
    page = client.get(f"/public/assessments/{assessment.id}").get_data(as_text=True)
    assert "公开学校" in page and "77.00" in page and "内部备注" not in page
    assert client.get("/public/assessments/999999").status_code == 404


@pytest.mark.parametrize("title", ["a\x00b", "a\x07b", "x" * 201])
def test_control_characters_and_long_titles_are_refused(client, make, login, title):
    unit = make.unit()
    login(make.user("unit_head", unit=unit))
    response = client.post("/innovations/new", data={"title": title, "description": "d", "year": str(YEAR)})
    assert response.status_code == 400
    assert count(Innovation) == 0


@pytest.mark.parametrize("url", [
    "/assessments?theme=%00&period=%00", "/assessments?theme=<x>&period='; DROP", "/innovations?year=abc",
    "/innovations?year=99999999999", "/innovations/ranking?year=%00", "/public/innovations?year=-1",
])
def test_odd_query_strings_never_fail(client, make, login, url):
    login(make.user("office"))
    assert client.get(url).status_code == 200


def test_bad_publish_and_score_forms(client, make, login):
    office = make.user("office")
    innovation = innovations.register(make.actor(office), unit_id=make.unit().id, title="t",
                                      description="d", year=YEAR)
    db.session.commit()
    login(office)
    assert client.post("/innovations/ranking/publish", data={"year": "abc"}).status_code == 400
    assert client.post(f"/innovations/{innovation.id}/score", data={"score": "1e3"}).status_code == 302
    assert count(Ranking) == 0 and db.session.get(Innovation, innovation.id).score is None
