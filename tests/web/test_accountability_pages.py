"""The flag register, a flag's page and a unit's history, as each role; forms and bad input."""

from __future__ import annotations

from sqlalchemy import func, select

from tests import accountability_data as data
from tests.querycount import count_queries
from tracker.extensions import db
from tracker.models import AuditEvent, Flag


def _flags(make, n: int, hostile: str | None = None):
    leader = make.user("leader")
    unit = make.unit(leader_user_id=leader.id, **({"name": hostile} if hostile else {}))
    made = []
    for index in range(n):
        other = make.unit(leader_user_id=leader.id)
        flag = Flag(rule="long_overdue", unit_id=(unit if index == 0 else other).id, period="2026-06",
                    evidence={"as_of": "2026-07-01", "sources": [{"type": "notice", "title": hostile or "〔2026〕1号",
                              "link": "/notices/1", "issued_on": "2026-06-01", "due_on": "2026-06-10",
                              "overdue_days": 21, "met_on": "2026-06-25"}]},
                    proposed_action="accountability", status="raised", raised_at=data.NOW,
                    person_user_id=leader.id)
        db.session.add(flag)
        made.append(flag)
    db.session.commit()
    return unit, made


def test_register_query_count_does_not_grow(client, login, make):
    login(make.user("office"))
    counts = []
    for n in (2, 18):  # 2 flags, then 20
        _flags(make, n)
        client.get("/accountability/")
        with count_queries() as statements:
            response = client.get("/accountability/")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_hostile_text_is_escaped(client, login, make):
    unit, (flag, *_rest) = _flags(make, 1, hostile="<script>alert(1)</script>")
    login(make.user("office"))
    for path in ("/accountability/", f"/accountability/{flag.id}", f"/accountability/units/{unit.id}"):
        body = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body, path


def test_unit_users_see_their_own_flags(client, login, make):
    unit, (flag, other) = _flags(make, 2)
    head = make.user("unit_head", unit=unit)
    login(head)
    body = client.get("/accountability/").get_data(as_text=True)
    assert f'href="/accountability/{flag.id}"' in body and f'href="/accountability/{other.id}"' not in body
    assert client.get(f"/accountability/{other.id}").status_code == 404
    assert client.get(f"/accountability/units/{unit.id}").status_code == 200
    assert client.get(f"/accountability/units/{other.unit_id}").status_code == 404


def test_filters_and_bad_filters(client, login, make):
    unit, (flag, other) = _flags(make, 2)
    login(make.user("leader"))
    body = client.get(f"/accountability/?unit_id={unit.id}&rule=long_overdue&status=raised&period=2026-06")
    text = body.get_data(as_text=True)
    assert f'href="/accountability/{flag.id}"' in text and f'href="/accountability/{other.id}"' not in text
    for query in ("status=%00", "rule=<b>", "unit_id=abc", "period=%00", "page=-3", "period=" + "x" * 500):
        assert client.get(f"/accountability/?{query}").status_code == 200, query


def test_decide_form_needs_reasons_and_a_known_action(client, login, make):
    _unit, (flag, *_rest) = _flags(make, 1)
    flag.status = "under_review"
    db.session.commit()
    login(make.user("leader"))
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for form in ({"action": "interview", "reasons": ""}, {"action": "fire", "reasons": "x"},
                 {"action": "interview", "reasons": "坏\x00字"}):
        response = client.post(f"/accountability/{flag.id}/decide", data={**form, "confirm": "yes"})
        assert response.status_code == 400, form
    db.session.expire_all()
    assert db.session.get(Flag, flag.id).status == "under_review"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
    response = client.post(f"/accountability/{flag.id}/decide",
                           data={"action": "criticism", "reasons": "通报批评", "confirm": "yes"})
    assert response.status_code == 302
    assert client.post(f"/accountability/{flag.id}/decide",
                       data={"action": "none", "reasons": "再次", "confirm": "yes"}).status_code == 409
    db.session.expire_all()
    assert db.session.get(Flag, flag.id).action == "criticism"


def test_evaluate_now_button(client, login, make):
    a, b = (make.unit() for _ in range(2))
    data.rating_round("2026-H1", data.rows_for([(a, 60), (b, 80)], dissent={a.id: 0.3}))
    login(make.user("office"))
    response = client.post("/accountability/evaluate", data={"as_of": "2026-07-01"})
    assert response.status_code == 302
    assert client.post("/accountability/evaluate", data={"as_of": "not a date"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1
