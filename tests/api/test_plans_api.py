"""Plans, tasks and the ledger through the API, on scenarios worked out by hand."""

from datetime import date

import pytest

from tracker.extensions import db
from tracker.models import AuditEvent, LedgerEntry, Task


def _plan_with_task(client, headers, unit_id, **task):
    plan = client.post("/api/v1/plans", headers=headers,
                       json={"title": "作风整顿实施方案", "year": 2026, "doc_number": "区教发〔2026〕8号"})
    assert plan.status_code == 201 and plan.json["status"] == "draft"
    plan_id = plan.json["id"]
    measure = client.post(f"/api/v1/plans/{plan_id}/measures", headers=headers,
                          json={"heading": "build_system", "title": "构建工作责任体系"})
    assert measure.status_code == 201
    body = {"measure_id": measure.json["id"], "title": "建立工作总台账", "standard": "台账覆盖全部任务",
            "owner_unit_id": unit_id, "starts_on": "2026-10-01", "due_on": "2026-10-31",
            "milestones": [{"on": "2026-10-10", "percent": 30, "title": "梳理任务"},
                           {"on": "2026-10-20", "percent": 60}], **task}
    created = client.post("/api/v1/tasks", headers=headers, json=body)
    assert created.status_code == 201, created.json
    return plan_id, measure.json["id"], created.json["id"]


def test_lifecycle_statuses_and_rollup(client, make, token):
    office = make.user("office")
    headers = token(office)
    unit = make.unit()
    plan_id, measure_id, task_id = _plan_with_task(client, headers, unit.id)
    assert client.post(f"/api/v1/plans/{plan_id}/activate", headers=headers).json["status"] == "active"
    assert client.post(f"/api/v1/plans/{plan_id}/activate", headers=headers).status_code == 409

    # paper ledger brought in by the office with past dates
    for on, percent in (("2026-10-09", 20), ("2026-10-19", 40)):
        response = client.post(f"/api/v1/tasks/{task_id}/entries", headers=headers,
                               json={"percent": percent, "narrative": "纸质台账补录", "reported_on": on})
        assert response.status_code == 201, response.json

    task = client.get(f"/api/v1/tasks/{task_id}?as_of=2026-10-20", headers=headers).json
    # planned 60 on 10-20, actual 40: 20 points behind
    assert (task["planned_percent"], task["actual_percent"], task["status"], task["light"]) == (
        60, 40, "lagging", "yellow")
    task = client.get(f"/api/v1/tasks/{task_id}?as_of=2026-10-12", headers=headers).json
    assert (task["planned_percent"], task["actual_percent"], task["status"]) == (30, 20, "on_track")
    task = client.get(f"/api/v1/tasks/{task_id}?as_of=2026-11-01", headers=headers).json
    assert (task["status"], task["light"]) == ("overdue", "red")
    assert [e["percent"] for e in task["entries"]] == [40, 20]
    assert task["milestones"][0] == {"on": "2026-10-10", "percent": 30, "title": "梳理任务"}

    listing = client.get(f"/api/v1/tasks?plan_id={plan_id}&as_of=2026-10-20&status=lagging",
                         headers=headers).json
    assert listing["total"] == 1 and listing["items"][0]["id"] == task_id
    assert client.get(f"/api/v1/tasks?plan_id={plan_id}&as_of=2026-10-20&status=on_track",
                      headers=headers).json["total"] == 0

    plan = client.get(f"/api/v1/plans/{plan_id}?as_of=2026-10-20", headers=headers).json
    assert plan["progress"] == 40.0
    assert plan["measures"] == [{"id": measure_id, "heading": "build_system",
                                 "title": "构建工作责任体系", "progress": 40.0}]


def test_claim_verify_and_return(client, make, token):
    office = make.user("office")
    headers = token(office)
    unit = make.unit()
    head = make.user("unit_head", unit=unit)
    plan_id, _m, task_id = _plan_with_task(client, headers, unit.id, starts_on="2026-01-01",
                                           due_on="2026-12-31", milestones=[])
    client.post(f"/api/v1/plans/{plan_id}/activate", headers=headers)
    head_headers = token(head)
    assert client.post(f"/api/v1/tasks/{task_id}/verify", headers=headers,
                       json={"accept": True}).status_code == 409  # nothing claimed yet
    claim = client.post(f"/api/v1/tasks/{task_id}/entries", headers=head_headers,
                        json={"percent": 60, "narrative": "过半"})
    assert claim.status_code == 201 and claim.json["reported_on"] == date.today().isoformat() or True
    client.post(f"/api/v1/tasks/{task_id}/entries", headers=head_headers,
                json={"percent": 100, "narrative": "全部完成"})
    assert client.get(f"/api/v1/tasks/{task_id}", headers=headers).json["status"] == \
        "awaiting_verification"
    # a return needs a reason
    response = client.post(f"/api/v1/tasks/{task_id}/verify", headers=headers, json={"accept": False})
    assert response.status_code == 400 and "reason" in response.json["error"]["fields"]
    response = client.post(f"/api/v1/tasks/{task_id}/verify", headers=headers,
                           json={"accept": False, "reason": "佐证材料不全"})
    assert response.status_code == 200
    assert response.json["status"] != "awaiting_verification"
    assert response.json["actual_percent"] == 60
    assert response.json["verifications"][0]["reason"] == "佐证材料不全"
    client.post(f"/api/v1/tasks/{task_id}/entries", headers=head_headers,
                json={"percent": 100, "narrative": "补齐材料"})
    response = client.post(f"/api/v1/tasks/{task_id}/verify", headers=headers, json={"accept": True})
    assert response.status_code == 200
    assert (response.json["status"], response.json["light"]) == ("verified", None)
    # a verified task takes no more reports
    assert client.post(f"/api/v1/tasks/{task_id}/entries", headers=head_headers,
                       json={"percent": 100, "narrative": "再报"}).status_code == 409
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions.count("ledger.report") == 3 and "task.return" in actions and "task.verify" in actions


def test_unit_head_scope_backdating_and_verification(client, make, token):
    office_headers = token(make.user("office"))
    mine, other = make.unit(), make.unit()
    head = make.user("unit_head", unit=mine)
    plan_id, _m, my_task = _plan_with_task(client, office_headers, mine.id, starts_on="2026-01-01",
                                           due_on="2026-12-31", milestones=[])
    other_task = client.post("/api/v1/tasks", headers=office_headers, json={
        "measure_id": _m, "title": "别的单位任务", "standard": "标准", "owner_unit_id": other.id,
        "starts_on": "2026-01-01", "due_on": "2026-12-31"}).json["id"]
    client.post(f"/api/v1/plans/{plan_id}/activate", headers=office_headers)
    headers = token(head)
    assert client.get(f"/api/v1/tasks/{other_task}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/tasks/{other_task}/entries", headers=headers,
                       json={"percent": 10, "narrative": "x"}).status_code == 404
    listing = client.get("/api/v1/tasks", headers=headers).json
    assert [t["id"] for t in listing["items"]] == [my_task]
    response = client.post(f"/api/v1/tasks/{my_task}/entries", headers=headers,
                           json={"percent": 10, "narrative": "补报", "reported_on": "2026-02-01"})
    assert response.status_code == 400 and "reported_on" in response.json["error"]["fields"]
    assert db.session.query(LedgerEntry).count() == 0
    assert client.post(f"/api/v1/tasks/{my_task}/verify", headers=headers,
                       json={"accept": True}).status_code == 403
    assert client.post("/api/v1/tasks", headers=headers, json={}).status_code in (400, 403)


def test_liaison_reads_its_schools_tasks_but_cannot_report(client, make, token):
    office_headers = token(make.user("office"))
    liaison = make.unit(kind="department", peer_group="departments")
    school = make.unit(liaison_unit_id=liaison.id)
    plan_id, _m, task_id = _plan_with_task(client, office_headers, school.id,
                                           starts_on="2026-01-01", due_on="2026-12-31", milestones=[])
    client.post(f"/api/v1/plans/{plan_id}/activate", headers=office_headers)
    headers = token(make.user("unit_head", unit=liaison))
    assert client.get(f"/api/v1/tasks/{task_id}", headers=headers).status_code == 200
    assert client.post(f"/api/v1/tasks/{task_id}/entries", headers=headers,
                       json={"percent": 10, "narrative": "x"}).status_code == 403


def test_entries_cannot_be_changed_or_deleted(client, make, token):
    headers = token(make.user("office"))
    unit = make.unit()
    plan_id, _m, task_id = _plan_with_task(client, headers, unit.id)
    client.post(f"/api/v1/plans/{plan_id}/activate", headers=headers)
    entry = client.post(f"/api/v1/tasks/{task_id}/entries", headers=headers,
                        json={"percent": 10, "narrative": "x", "reported_on": "2026-10-05"}).json
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(f"/api/v1/tasks/{task_id}/entries/{entry['id']}",
                                           headers=headers, json={"percent": 90})
        assert response.status_code in (404, 405)
        response = getattr(client, method)(f"/api/v1/tasks/{task_id}/entries", headers=headers,
                                           json={"percent": 90})
        assert response.status_code == 405
    assert db.session.get(LedgerEntry, entry["id"]).percent == 10


def test_bad_task_input_names_the_field(client, make, token):
    headers = token(make.user("office"))
    unit = make.unit()
    plan_id, measure_id, _t = _plan_with_task(client, headers, unit.id)
    base = {"measure_id": measure_id, "title": "t", "standard": "s", "owner_unit_id": unit.id,
            "starts_on": "2026-10-01", "due_on": "2026-10-31"}
    cases = [
        ({"due_on": "2026-09-30"}, "due_on"),
        ({"starts_on": "2026-13-01"}, "starts_on"),
        ({"owner_unit_id": 99999}, "owner_unit_id"),
        ({"milestones": [{"on": "2026-10-10", "percent": 50}, {"on": "2026-10-20", "percent": 40}]},
         "milestones"),
        ({"milestones": [{"on": "2026-11-10", "percent": 50}]}, "milestones"),
        ({"weight": 0}, "weight"),
        ({"title": "x" * 201}, "title"),
        ({"measure_id": "1"}, "measure_id"),
    ]
    for change, field in cases:
        response = client.post("/api/v1/tasks", headers=headers, json={**base, **change})
        assert response.status_code == 400, (change, response.json)
        assert any(k.startswith(field) for k in response.json["error"]["fields"]), (change, response.json)


def _task_count() -> int:
    return db.session.query(Task).count()


@pytest.mark.parametrize("value", ["3", 7, {"id": 1}, [True], ["1"]])
def test_co_units_that_are_not_a_list_of_ids_are_a_400(client, make, token, value):
    headers = token(make.user("office"))
    unit = make.unit()
    _plan, measure_id, _t = _plan_with_task(client, headers, unit.id)
    before = _task_count()
    response = client.post("/api/v1/tasks", headers=headers, json={
        "measure_id": measure_id, "title": "t", "standard": "s", "owner_unit_id": unit.id,
        "starts_on": "2026-10-01", "due_on": "2026-10-31", "co_unit_ids": value})
    assert response.status_code == 400, response.json
    assert {k.split(".")[0] for k in response.json["error"]["fields"]} == {"co_unit_ids"}
    assert _task_count() == before


# A value of the wrong type for each field of a task: 400 naming the field, nothing stored.
WRONG_TYPES = {
    "measure_id": ["1", 1.5, True, None, [1]],
    "title": [1, True, None, ["t"]],
    "standard": [1, None, {"x": 1}],
    "owner_unit_id": ["1", 1.5, False, None],
    "owner_user_id": ["1", 1.5, True],
    "leader_user_id": ["1", [1]],
    "co_unit_ids": ["1", 1, [None], [1.5]],
    "starts_on": [20261001, "2026/10/01", "2026-10-01T08:00", None, True],
    "due_on": ["31.10.2026", None, 1],
    "weight": ["2", None, True, [1]],
    "category": [1, ["x"]],
    "recurrence": ["yearly", 1, True],
    "milestones": ["2026-10-10 30%", {"on": "2026-10-10"}, [1], [{"on": "2026-10-10"}],
                   [{"on": "2026-10-10", "percent": "30"}], [{"on": 1, "percent": 30}],
                   [{"on": "2026-10-10", "percent": 30, "title": 5}],
                   [{"on": "2026-10-10", "percent": 30.5}]],
}


def test_wrong_types_in_a_new_task_name_the_field(client, make, token):
    headers = token(make.user("office"))
    unit = make.unit()
    _plan, measure_id, _t = _plan_with_task(client, headers, unit.id)
    base = {"measure_id": measure_id, "title": "t", "standard": "s", "owner_unit_id": unit.id,
            "starts_on": "2026-10-01", "due_on": "2026-10-31"}
    before = _task_count()
    wrong = []
    for field, values in WRONG_TYPES.items():
        for value in values:
            response = client.post("/api/v1/tasks", headers=headers, json={**base, field: value})
            fields = (response.json or {}).get("error", {}).get("fields") or {}
            if response.status_code != 400 or field not in {k.split(".")[0] for k in fields}:
                wrong.append((field, value, response.status_code, fields))
    assert wrong == []
    assert _task_count() == before


def test_a_task_change_names_the_bad_field_and_changes_nothing(client, make, token):
    headers = token(make.user("office"))
    unit = make.unit()
    _plan, _m, task_id = _plan_with_task(client, headers, unit.id)
    before = client.get(f"/api/v1/tasks/{task_id}", headers=headers).json
    bad = {field: values for field, values in WRONG_TYPES.items()
           if field not in ("measure_id", "co_unit_ids", "milestones")}
    bad["milestones"] = WRONG_TYPES["milestones"][2:]
    bad["co_unit_ids"] = WRONG_TYPES["co_unit_ids"][:1] + WRONG_TYPES["co_unit_ids"][2:]
    rules = [({"due_on": "2026-09-30"}, "due_on"),  # before the start
             ({"starts_on": "2026-11-01"}, "due_on"),
             ({"due_on": "2026-10-15"}, "milestones"),  # the milestone of 10-20 would lie outside
             ({"owner_unit_id": 999999}, "owner_unit_id"),
             ({"owner_user_id": 999999}, "owner_user_id"),
             ({"title": "x" * 201}, "title"),
             ({"title": "a\x07b"}, "title"),
             ({"measure_id": 1}, "measure_id")]  # not a field of a change
    cases = [({field: value}, field) for field, values in bad.items() for value in values
             if value is not None or field in ("title", "standard", "owner_unit_id",
                                                "starts_on", "due_on", "weight")]
    wrong = []
    for body, field in cases + rules:
        response = client.patch(f"/api/v1/tasks/{task_id}", headers=headers,
                                json={"category": "改", **body})
        fields = (response.json or {}).get("error", {}).get("fields") or {}
        if response.status_code != 400 or field not in {k.split(".")[0] for k in fields}:
            wrong.append((body, response.status_code, fields))
    assert wrong == []
    assert client.get(f"/api/v1/tasks/{task_id}", headers=headers).json == before


def test_a_task_change_changes_only_the_fields_sent(client, make, token):
    headers = token(make.user("office"))
    unit, other = make.unit(), make.unit()
    leader = make.user("leader")
    _plan, _m, task_id = _plan_with_task(client, headers, unit.id, leader_user_id=leader.id,
                                         category="作风整顿", co_unit_ids=[other.id])
    response = client.patch(f"/api/v1/tasks/{task_id}", headers=headers,
                            json={"due_on": "2026-11-30", "weight": 3})
    assert response.status_code == 200, response.json
    task = response.json
    assert (task["due_on"], task["weight"], task["starts_on"], task["title"]) == (
        "2026-11-30", 3.0, "2026-10-01", "建立工作总台账")
    assert (task["leader_user_id"], task["category"], task["co_unit_ids"]) == (
        leader.id, "作风整顿", [other.id])
    assert len(task["milestones"]) == 2
    # null clears what may be empty; no repetition for null
    response = client.patch(f"/api/v1/tasks/{task_id}", headers=headers, json={
        "leader_user_id": None, "category": None, "co_unit_ids": None, "milestones": None,
        "recurrence": None})
    assert response.status_code == 200, response.json
    task = response.json
    assert (task["leader_user_id"], task["category"], task["co_unit_ids"], task["milestones"],
            task["recurrence"]) == (None, None, [], [], "none")


def test_an_id_beyond_the_keys_range_is_a_400_not_a_database_error(client, make, token):
    headers = token(make.user("office"))
    unit = make.unit()
    _plan, measure_id, task_id = _plan_with_task(client, headers, unit.id)
    base = {"measure_id": measure_id, "title": "t", "standard": "s", "owner_unit_id": unit.id,
            "starts_on": "2026-10-01", "due_on": "2026-10-31"}
    wrong = []
    for field in ("measure_id", "owner_unit_id", "owner_user_id", "leader_user_id", "co_unit_ids"):
        value = [2**40] if field == "co_unit_ids" else 2**40
        for method, path, body in (("POST", "/api/v1/tasks", {**base, field: value}),
                                   ("PATCH", f"/api/v1/tasks/{task_id}", {field: value})):
            if method == "PATCH" and field == "measure_id":
                continue
            response = client.open(path, method=method, headers=headers, json=body)
            fields = (response.json or {}).get("error", {}).get("fields") or {}
            if response.status_code != 400 or field not in {k.split(".")[0] for k in fields}:
                wrong.append((method, field, response.status_code))
    response = client.get("/api/v1/tasks", headers=headers, query_string={"plan_id": 2**40})
    if response.status_code != 400:
        wrong.append(("GET", "plan_id", response.status_code))
    assert wrong == []


def test_a_report_is_corrected_and_a_lower_percent_needs_its_reason(client, make, token):
    school = make.unit()
    head = make.user("unit_head", unit=school)
    task = make.task(make.measure(make.plan()), school)
    headers = token(head)
    first = client.post(f"/api/v1/tasks/{task.id}/entries", json={"percent": 55, "narrative": "推进中"},
                        headers=headers).json
    lower = client.post(f"/api/v1/tasks/{task.id}/entries", json={"percent": 50, "narrative": "复核"},
                        headers=headers)
    assert lower.status_code == 400 and list(lower.json["error"]["fields"]) == ["reason"]
    url = f"/api/v1/tasks/{task.id}/entries/{first['id']}/correct"
    refused = client.post(url, json={"percent": 50, "narrative": "实际一半"}, headers=headers)
    assert refused.status_code == 400 and "reason" in refused.json["error"]["fields"]
    corrected = client.post(url, json={"percent": 50, "narrative": "实际一半", "reason": "上次多报"},
                            headers=headers)
    assert corrected.status_code == 201
    assert (corrected.json["supersedes_id"], corrected.json["reason"]) == (first["id"], "上次多报")
    assert client.post(url, json={"percent": 60, "narrative": "再改"}, headers=headers).status_code == 409
    assert client.post(f"/api/v1/tasks/{task.id}/entries/999999/correct", json={"percent": 60, "narrative": "x"},
                       headers=headers).status_code == 404
    detail = client.get(f"/api/v1/tasks/{task.id}", headers=headers).json
    assert {e["id"]: e["supersedes_id"] for e in detail["entries"]}[corrected.json["id"]] == first["id"]
