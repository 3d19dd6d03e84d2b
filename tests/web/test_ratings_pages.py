"""Rating-round pages: set-up, slips (HTML and PDF), the public ballot, results."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.querycount import count_queries
from tracker.extensions import db
from tracker.models import Ballot, Invitation, RatingRound
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
    empty = client.post(f"/public/vote/{codes[0]}", data={})
    assert empty.status_code == 400
    done = client.post(f"/public/vote/{codes[0]}", data={f"u{school.id}_spirit": "satisfied",
                                                         f"u{school.id}_conduct": "dissatisfied"})
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
    assert client.post(f"/ratings/{rid}/close").status_code == 302
    assert db.session.get(RatingRound, rid).status == "closed"
    assert client.get(f"/public/vote/{codes[2]}").status_code == 409
    assert client.get(f"/public/ratings/{rid}").status_code == 404  # not published yet
    xlsx = client.get(f"/ratings/{rid}/results.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
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
