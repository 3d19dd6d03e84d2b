"""Rating-round pages: set-up, slips (HTML and PDF), the public ballot, results."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.querycount import count_queries
from tracker.extensions import db
from tracker.models import AuditEvent, Ballot, BallotAnswer, Invitation, RatingDimension, RatingRound
from tracker.services import ratings
from tracker.services.codes import group

HOSTILE_SCRIPT = "<script>alert(1)</script>"


def make_round(client, units, title="2026年下半年作风评议"):
    data = {"title": title, "period": "2026-H2", "unit_ids": [str(u.id) for u in units]}
    for i, (key, name) in enumerate((("spirit", "精神状态"), ("conduct", "工作作风"))):
        data[f"dimensions-{i}-key"], data[f"dimensions-{i}-name"] = key, name
    for i, (key, name, weight) in enumerate((("service_recipients", "服务对象（师生家长）", "40"),
                                             ("public", "社会公众", "30"))):
        data[f"groups-{i}-key"], data[f"groups-{i}-name"], data[f"groups-{i}-weight"] = key, name, weight
    response = client.post("/ratings/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def draft_of(response) -> str:
    match = re.search(r'name="draft" value="([^"]*)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:2000]
    return match.group(1)


def ballot_step(client, code, shown, data):
    """Post one step of the ballot stepper, carrying the draft the page ``shown`` holds."""
    return client.post(f"/public/vote/{code}", data={"draft": draft_of(shown), **data})


def test_office_sets_up_prints_and_closes(client, make, login):
    office = make.user("office")
    school = make.unit(name="城关小学")
    dept = make.unit(name="教育股", kind="department", peer_group="departments")
    login(office)
    assert "城关小学" in client.get("/ratings/new").get_data(as_text=True)
    rid = make_round(client, [school, dept])
    page = client.get(f"/ratings/{rid}").get_data(as_text=True)
    assert "2026年下半年作风评议" in page
    assert client.post(f"/ratings/{rid}/invitations", data={"group": "public", "count": "3"}).status_code == 302
    codes = db.session.scalars(select(Invitation.code).order_by(Invitation.id)).all()
    assert len(codes) == 3

    slips = client.get(f"/ratings/{rid}/batches/1/slips")
    html = slips.get_data(as_text=True)
    assert slips.status_code == 200 and html.count('class="qr"') == 3
    assert group(codes[0]) in html and "style=" not in html
    assert f"/public/vote/{codes[0]}" not in html  # the URL is in the QR code, not spelled out
    pdf = client.get(f"/ratings/{rid}/batches/1/slips.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    for code in codes:
        assert group(code).encode() in pdf.data
    assert client.get(f"/ratings/{rid}/batches/9/slips").status_code == 404

    assert client.post(f"/ratings/{rid}/open").status_code == 302
    assert db.session.get(RatingRound, rid).status == "open"

    # the public votes
    client.post("/logout")
    form = client.get(f"/public/vote/{codes[0]}")
    assert form.status_code == 200 and "城关小学" in form.get_data(as_text=True)
    assert 'value="fairly_satisfied"' in form.get_data(as_text=True)
    # nothing answered: the review says so and submitting is refused, the code still unspent
    review = ballot_step(client, codes[0], form, {"at": "0", "go": "review"})
    assert 'data-testid="review-skipped"' in review.get_data(as_text=True)
    empty = ballot_step(client, codes[0], review, {"at": "review", "go": "submit"})
    assert empty.status_code == 400 and 'data-testid="vote-error"' in empty.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.used_at).where(Invitation.code == codes[0])) is None
    done = ballot_step(client, codes[0], ballot_step(client, codes[0], empty, {
        "at": "0", f"u{school.id}_spirit": "satisfied", f"u{school.id}_conduct": "dissatisfied",
        "go": "review"}), {"at": "review", "go": "submit"})
    assert done.status_code == 200 and 'data-testid="vote-done"' in done.get_data(as_text=True)
    again = client.get(f"/public/vote/{codes[0]}")
    assert again.status_code == 409 and 'data-testid="vote-error"' in again.get_data(as_text=True)
    lookup = client.post("/public/vote", data={"code": codes[1].lower()})
    assert lookup.status_code == 302 and lookup.headers["Location"].endswith(f"/public/vote/{codes[1]}")
    wrong = client.post("/public/vote", data={"code": "ZZZZ ZZZZ ZZZZ"})
    assert wrong.status_code == 404 and 'data-testid="vote-error"' in wrong.get_data(as_text=True)
    assert client.get(f"/public/vote/{HOSTILE_SCRIPT}").status_code == 404

    login(office)
    live = client.get(f"/ratings/{rid}/results").get_data(as_text=True)
    assert "城关小学" in live and 'data-testid="ranking-chart"' in live
    assert client.post(f"/ratings/{rid}/close", data={"confirm": "yes"}).status_code == 302
    assert db.session.get(RatingRound, rid).status == "closed"
    assert client.get(f"/public/vote/{codes[2]}").status_code == 409
    assert client.get(f"/public/ratings/{rid}").status_code == 404  # not published yet
    xlsx = client.get(f"/ratings/{rid}/results.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    names = [row[2] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert sorted(names) == ["城关小学", "教育股"]
    assert client.post(f"/ratings/{rid}/publish", data={"public": "1"}).status_code == 302
    client.post("/logout")
    public = client.get(f"/public/ratings/{rid}")
    assert public.status_code == 200 and "城关小学" in public.get_data(as_text=True)
    assert "2026年下半年作风评议" in client.get("/public/ratings").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1


def test_bad_round_form_names_the_fields_and_stores_nothing(client, make, login):
    login(make.user("office"))
    response = client.post("/ratings/new", data={"title": "", "period": "2026-Q3",
                                                  "groups-0-key": "public", "groups-0-name": "公众",
                                                  "groups-0-weight": "abc"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "is-invalid" in html
    assert db.session.scalar(select(func.count()).select_from(RatingRound)) == 0
    response = client.post("/ratings/new", data={"title": HOSTILE_SCRIPT, "period": "2026"})
    assert HOSTILE_SCRIPT not in response.get_data(as_text=True)


def test_edit_only_while_draft(client, make, login):
    login(make.user("office"))
    unit = make.unit()
    rid = make_round(client, [unit])
    form = client.get(f"/ratings/{rid}/edit").get_data(as_text=True)
    assert 'value="spirit"' in form
    response = client.post(f"/ratings/{rid}/edit", data={
        "title": "改名", "period": "2026-H2", "unit_ids": [str(unit.id)],
        "dimensions-0-key": "spirit", "dimensions-0-name": "精神状态",
        "groups-0-key": "public", "groups-0-name": "社会公众", "groups-0-weight": "1"})
    assert response.status_code == 302 and db.session.get(RatingRound, rid).title == "改名"
    client.post(f"/ratings/{rid}/open")
    assert client.get(f"/ratings/{rid}/edit").status_code == 302


def test_rounds_list_query_count_does_not_grow(client, make, login):
    login(make.user("office"))
    unit = make.unit()

    def add(n):
        for i in range(n):
            rnd = ratings.create_round(make.actor(), ratings.RoundInput(
                title=f"评议{i}", period="2026-H1", unit_ids=[unit.id]))
            ratings.generate_invitations(make.actor(), rnd, "public", 2)
        db.session.commit()

    def statements():
        with count_queries() as found:
            assert client.get("/ratings/").status_code == 200
        return len(found)

    add(2)
    few = statements()
    add(18)
    assert statements() == few


def test_unit_users_cannot_see_rounds(client, make, login):
    login(make.user("unit_head"))
    assert client.get("/ratings/").status_code == 403
    body = client.get("/").get_data(as_text=True)
    assert not re.search(r'href="/ratings/"', body)


def open_round_with_codes(make, units, count=2):
    office = make.user("office")
    rnd = ratings.create_round(make.actor(office), ratings.RoundInput(
        title="2026年下半年作风评议", period="2026-H2", unit_ids=[u.id for u in units]))
    ratings.open_round(make.actor(office), rnd)
    _batch, codes = ratings.generate_invitations(make.actor(office), rnd, "public", count)
    db.session.commit()
    return rnd.id, codes


def test_ballot_stepper_keeps_the_answers_off_the_database_until_the_final_submission(client, make):
    units = [make.unit(name=name) for name in ("城关小学", "东风小学", "实验中学")]
    rid, codes = open_round_with_codes(make, units)
    code = codes[0]
    a, b, c = (u.id for u in units)
    audit_rows = db.session.scalar(select(func.count()).select_from(AuditEvent))

    first = client.get(f"/public/vote/{code}")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "城关小学" in html and "东风小学" not in html
    assert "第 1/3 个单位" in html and 'name="draft"' in html
    second = ballot_step(client, code, first, {"at": "0", f"u{a}_spirit": "satisfied",
                                               f"u{a}_conduct": "fairly_satisfied", "go": "next"})
    assert "第 2/3 个单位" in second.get_data(as_text=True) and "东风小学" in second.get_data(as_text=True)
    assert "已评 1/3 个单位" in second.get_data(as_text=True)
    # back shows the first unit's answers again; clearing one keeps the other
    back = ballot_step(client, code, second, {"at": "1", f"u{b}_spirit": "dissatisfied", "go": "back"})
    assert re.search(rf'value="satisfied"[^>]*checked[^>]*>\s*<label[^>]*for="u{a}_spirit_satisfied"',
                     back.get_data(as_text=True))
    cleared = ballot_step(client, code, back, {"at": "0", f"u{a}_spirit": "satisfied",
                                               f"u{a}_conduct": "fairly_satisfied",
                                               "clear": f"u{a}_spirit"})
    assert "第 1/3 个单位" in cleared.get_data(as_text=True)
    assert f'id="u{a}_spirit_satisfied" value="satisfied" autocomplete="off" checked' not in \
        cleared.get_data(as_text=True)
    onward = ballot_step(client, code, cleared, {"at": "0", f"u{a}_conduct": "fairly_satisfied",
                                                 "go": "next"})
    # the second unit kept the answer given before going back; skipping drops it
    assert f'id="u{b}_spirit_dissatisfied" value="dissatisfied" autocomplete="off" checked' in \
        onward.get_data(as_text=True)
    third = ballot_step(client, code, onward, {"at": "1", f"u{b}_spirit": "dissatisfied", "go": "skip"})
    assert "第 3/3 个单位" in third.get_data(as_text=True)
    review = ballot_step(client, code, third, {"at": "2", f"u{c}_delivery": "basically_satisfied",
                                               "go": "next"})
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and page.count('data-testid="review-unit"') == 3
    assert page.count('data-testid="review-skipped"') == 1 and "已评 2/3 个单位" in page

    # nothing was written: no ballot, the code unspent, no audit record
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.session.scalar(select(Invitation.used_at).where(Invitation.code == code)) is None
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audit_rows

    # an altered draft, or another code's, carries nothing
    forged = client.post(f"/public/vote/{code}", data={"draft": draft_of(review)[:-2] + "xx",
                                                       "at": "review", "go": "submit"})
    assert forged.status_code == 400
    other = client.post(f"/public/vote/{codes[1]}", data={"draft": draft_of(review), "at": "review",
                                                          "go": "submit"})
    assert other.status_code == 400

    done = ballot_step(client, code, review, {"at": "review", "go": "submit"})
    assert done.status_code == 200 and 'data-testid="vote-done"' in done.get_data(as_text=True)
    ballot = db.session.scalars(select(Ballot)).one()
    answers = {tuple(row) for row in db.session.execute(
        select(BallotAnswer.unit_id, RatingDimension.key, BallotAnswer.value)
        .join(RatingDimension, RatingDimension.id == BallotAnswer.dimension_id)
        .where(BallotAnswer.ballot_id == ballot.id)).all()}
    assert answers == {(a, "conduct", 80), (c, "delivery", 60)}
    assert db.session.scalar(select(Invitation.used_at).where(Invitation.code == code)) is not None
    again = ballot_step(client, code, review, {"at": "review", "go": "submit"})
    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert rid
