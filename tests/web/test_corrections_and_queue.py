"""Pages: correcting a ledger report, the reason for a lower progress, the verification queue's cards."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import LedgerEntry, Task, Verification

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def school_task(make):
    school = make.unit()
    today = clock.today()
    task = make.task(make.measure(make.plan()), school, starts_on=(today - timedelta(days=20)).isoformat(),
                     due_on=(today + timedelta(days=20)).isoformat())
    return school, task, make.user("unit_head", unit=school)


def _entries() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def test_the_head_corrects_the_latest_report_and_lowering_asks_for_a_reason(client, login, school_task):
    _school, task, head = school_task
    login(head)
    client.post(f"/tasks/{task.id}/report", data={"percent": "55", "narrative": "推进中"})
    first = db.session.scalar(select(LedgerEntry))
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f'/tasks/{task.id}/entries/{first.id}/correct' in page
    # a lower report without its reason: refused with the message, nothing stored
    refused = client.post(f"/tasks/{task.id}/report", data={"percent": "50", "narrative": "复核"},
                          follow_redirects=True)
    assert "55%" in refused.get_data(as_text=True) and _entries() == 1
    missing = client.post(f"/tasks/{task.id}/entries/{first.id}/correct",
                          data={"percent": "50", "narrative": "实际一半"}, follow_redirects=True)
    assert "alert-danger" in missing.get_data(as_text=True) and _entries() == 1
    done = client.post(f"/tasks/{task.id}/entries/{first.id}/correct",
                       data={"percent": "50", "narrative": "实际一半", "reason": "上次多报"})
    assert done.status_code == 302 and _entries() == 2
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    superseded = re.search(rf'data-entry-id="{first.id}" data-superseded="1">(.*?)</li>', page, re.S)
    assert superseded and "<s>55%</s>" in superseded.group(1) and "已更正" in superseded.group(1)
    assert "上次多报" in page
    assert f'/entries/{first.id}/correct' not in page  # only the latest may be corrected
    assert client.post(f"/tasks/{task.id}/entries/{first.id}/correct",
                       data={"percent": "60", "narrative": "再改"}).status_code == 409


def test_the_queue_shows_the_claim_its_evidence_and_history_and_errors_on_its_card(client, login, make,
                                                                                  school_task):
    _school, task, head = school_task
    other = make.task(task.measure, head.unit, starts_on=task.starts_on.isoformat(),
                      due_on=task.due_on.isoformat())
    login(head)
    client.post(f"/tasks/{task.id}/report", data={"percent": "60", "narrative": "完成一半"})
    client.post(f"/tasks/{task.id}/report", data={
        "percent": "100", "narrative": "全部完成，附现场照片", "files": [(io.BytesIO(PNG), "现场.png")]},
        content_type="multipart/form-data")
    client.post(f"/tasks/{other.id}/report", data={"percent": "100", "narrative": "另一项完成"})
    client.post("/logout")
    login(make.user("office"))
    page = client.get("/verification").get_data(as_text=True)
    card = re.search(rf'<div class="card mb-3" data-task-id="{task.id}".*?</form>', page, re.S).group(0)
    assert "全部完成，附现场照片" in card and 'class="evidence-thumb' in card and "/evidence/" in card
    assert "60%" in card  # the recent history
    assert "checked" not in card  # no decision chosen for the office
    before = db.session.scalar(select(func.count()).select_from(Verification))
    refused = client.post(f"/tasks/{task.id}/verify", data={"back": "queue", "reason": ""})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    cards = dict(re.findall(r'data-task-id="(\d+)"(.*?)</form>', page, re.S))
    assert 'data-testid="decision-error"' in cards[str(task.id)]
    assert "decision-error" not in cards[str(other.id)]
    top = page.split('data-task-id=', 1)[0]
    assert "alert-danger" not in top  # the error is on its card, not at the top of the page
    returned = client.post(f"/tasks/{task.id}/verify", data={"back": "queue", "decision": "return"})
    assert returned.status_code == 400
    assert 'data-testid="reason-error"' in re.search(
        rf'data-task-id="{task.id}"(.*?)</form>', returned.get_data(as_text=True), re.S).group(1)
    assert db.session.scalar(select(func.count()).select_from(Verification)) == before
    accepted = client.post(f"/tasks/{task.id}/verify", data={"back": "queue", "decision": "accept"})
    assert accepted.status_code == 302 and db.session.get(Task, task.id).verified_on is not None
