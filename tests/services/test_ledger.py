"""Reports, evidence, verification and recurrence (services, no HTTP)."""

import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import LedgerEntry, Task, Verification
from tracker.services import ledger, uploads
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # 2026-10-20 10:00 in Shanghai


def act(user=None) -> Actor:
    return Actor(user, "127.0.0.1", NOW)


def test_report_today_and_backdating_only_when_allowed(make, tmp_path):
    task = make.task()
    entry = ledger.add_entry(act(), task, percent=30, narrative="进行中", upload_folder=tmp_path)
    assert entry.reported_on == date(2026, 10, 20)
    with pytest.raises(InvalidInput) as caught:
        ledger.add_entry(act(), task, percent=40, narrative="补报", reported_on=date(2026, 10, 1),
                         upload_folder=tmp_path)
    assert "reported_on" in caught.value.fields
    entry = ledger.add_entry(act(), task, percent=40, narrative="补录纸质台账",
                             reported_on=date(2026, 10, 1), upload_folder=tmp_path,
                             may_backdate=True)
    assert entry.reported_on == date(2026, 10, 1)
    with pytest.raises(InvalidInput):
        ledger.add_entry(act(), task, percent=40, narrative="未来", reported_on=date(2026, 10, 21),
                         upload_folder=tmp_path, may_backdate=True)


# Text, null, true or 50.5 never reach the service: the API's body model and the form refuse
# them (tests/api/test_bad_input_cadence.py).
@pytest.mark.parametrize("percent", [-1, 101])
def test_percent_must_be_a_whole_number_0_to_100(make, tmp_path, percent):
    with pytest.raises(InvalidInput) as caught:
        ledger.add_entry(act(), make.task(), percent=percent, narrative="x", upload_folder=tmp_path)
    assert "percent" in caught.value.fields


def test_a_closed_plan_takes_no_reports(make, tmp_path):
    draft = make.task(make.measure(make.plan(status="draft")))
    ledger.add_entry(act(), draft, percent=10, narrative="纸质台账", upload_folder=tmp_path)
    task = make.task()
    task.plan.status = "closed"
    with pytest.raises(Conflict):
        ledger.add_entry(act(), task, percent=10, narrative="x", upload_folder=tmp_path)


def test_verify_requires_a_claim_and_a_reason_to_return(make, tmp_path):
    task = make.task()
    with pytest.raises(Conflict):
        ledger.verify(act(), task, accept=True)
    make.entry(task, 60, "2026-10-10")
    make.entry(task, 100, "2026-10-18")
    with pytest.raises(InvalidInput) as caught:
        ledger.verify(act(), task, accept=False, reason="  ")
    assert "reason" in caught.value.fields
    ledger.verify(act(), task, accept=False, reason="材料不全")
    state = ledger.task_progress(task, date(2026, 10, 20))
    assert (state.status, state.actual) == ("on_track", 60)
    # as of the day before the return, the claim was still waiting
    assert ledger.task_progress(task, date(2026, 10, 19)).status == "awaiting_verification"
    returned = db.session.scalars(select(LedgerEntry).where(LedgerEntry.is_return)).one()
    assert "材料不全" in returned.narrative


def test_verifying_a_recurring_task_creates_the_next_occurrence(make):
    task = make.task(starts_on="2026-09-01", due_on="2026-09-30", recurrence="monthly",
                     milestones=[{"on": "2026-09-15", "percent": 50}])
    make.entry(task, 100, "2026-09-29")
    ledger.verify(act(), task, accept=True, on=date(2026, 10, 2))
    assert task.verified_on == date(2026, 10, 2)
    following = db.session.scalar(select(Task).where(Task.previous_id == task.id))
    assert (following.starts_on, following.due_on) == (date(2026, 10, 1), date(2026, 10, 30))
    assert [(m.on, m.percent) for m in following.milestones] == [(date(2026, 10, 15), 50)]
    assert db.session.scalar(select(Verification.accepted)) is True
    with pytest.raises(Conflict):
        ledger.verify(act(), task, accept=True)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "data", "ok"), [
    ("a.pdf", b"%PDF-1.7 ...", True),
    ("a.PNG", b"\x89PNG\r\n\x1a\n....", True),
    ("a.jpg", b"\xff\xd8\xff\xe0....", True),
    ("a.docx", _docx(), True),
    ("a.xlsx", _docx(), False),  # a Word file calling itself a workbook
    ("a.pdf", b"MZ\x90\x00", False),
    ("a.exe", b"%PDF-1.7", False),
    ("../../etc/passwd.pdf", b"%PDF-1.7", True),
    ("a.pdf", b"", False),
])
def test_uploads_are_checked_by_content(tmp_path, name, data, ok):
    if not ok:
        with pytest.raises(InvalidInput):
            uploads.store(tmp_path, io.BytesIO(data), name, 1024)
        assert list(tmp_path.iterdir()) == []
        return
    stored = uploads.store(tmp_path, io.BytesIO(data), name, 1024)
    assert "/" not in stored.original_name and ".." not in stored.original_name.split(".")[0]
    assert (tmp_path / stored.stored_name).read_bytes() == data
    assert stored.stored_name != stored.original_name


def test_uploads_over_the_limit_are_refused(tmp_path):
    with pytest.raises(InvalidInput) as caught:
        uploads.store(tmp_path, io.BytesIO(b"%PDF-" + b"0" * 2000), "big.pdf", 1024)
    assert "files" in caught.value.fields


def test_a_refused_file_leaves_no_earlier_file_of_the_report_on_disk(make, tmp_path):
    task = make.task()
    files = [ledger.Upload(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "佐证.pdf"),
             ledger.Upload(io.BytesIO(b"MZ\x90\x00 not a picture"), "照片.jpg")]
    with pytest.raises(InvalidInput) as caught:
        ledger.add_entry(act(), task, percent=30, narrative="进行中", files=files,
                         upload_folder=tmp_path / "uploads")
    assert "files" in caught.value.fields
    assert not (tmp_path / "uploads").exists() or list((tmp_path / "uploads").iterdir()) == []
    assert db.session.scalar(select(LedgerEntry.id)) is None
