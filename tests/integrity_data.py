"""A small bureau built through the services, with uploaded files: for ``tracker check``,
``tracker backup`` and ``tracker restore``."""

from __future__ import annotations

import io
from datetime import date, timedelta

from tests import accountability_data
from tests.factories import complaint_input, notice_input
from tracker import clock
from tracker.extensions import db
from tracker.services import accountability, complaints, ledger, notices
from tracker.services.uploads import Upload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def build(make, upload_folder: str) -> dict[str, int]:
    """Ledger entries (with a verification and a return), a complaint, a notice and a flag,
    each with files where the service takes them; return their ids."""
    today = clock.today()
    leader = make.user("leader")
    office_unit = make.unit(name="作风整顿办公室", kind="office", peer_group=None)
    office = make.user("office", unit=office_unit)
    school = make.unit(name="实验小学", leader_user_id=leader.id)
    other = make.unit(name="城关小学", leader_user_id=leader.id)
    head = make.user("unit_head", unit=school)
    task = make.task(unit=school, starts_on=today - timedelta(days=10), due_on=today + timedelta(days=20))
    returned = make.task(unit=school, starts_on=today - timedelta(days=10),
                         due_on=today + timedelta(days=20))

    ledger.add_entry(make.actor(head), task, percent=40, narrative="制度初稿已完成",
                     files=[Upload(io.BytesIO(PDF), "制度初稿.pdf")], upload_folder=upload_folder)
    ledger.add_entry(make.actor(head), task, percent=100, narrative="制度已印发",
                     files=[Upload(io.BytesIO(PNG), "印发现场.png")], upload_folder=upload_folder)
    ledger.verify(make.actor(office), task, accept=True)
    ledger.add_entry(make.actor(head), returned, percent=60, narrative="推进中", upload_folder=upload_folder)
    ledger.add_entry(make.actor(head), returned, percent=100, narrative="已完成", upload_folder=upload_folder)
    ledger.verify(make.actor(office), returned, accept=False, reason="佐证不足")

    complaint = complaints.submit(
        make.actor(), complaint_input(category="buck_passing", description="窗口工作人员推诿扯皮，多次办理未果",
                                      unit_id=school.id, name="欧阳翠花", contact="13900007777"),
        files=[Upload(io.BytesIO(PNG), "现场.png")], upload_folder=upload_folder)
    complaints.accept(make.actor(office), complaint)
    complaints.dispatch(make.actor(office), complaint, school.id)
    complaints.reply(make.actor(head), complaint, complaints.ReplyInput("已约谈当事人并整改"),
                     files=[Upload(io.BytesIO(PDF), "整改报告.pdf")], upload_folder=upload_folder)
    complaints.close(make.actor(office), complaint, True)

    notice = notices.issue(make.actor(office), notice_input(
        unit_id=school.id, source_type="complaint", source_id=complaint.id, problems="办事推诿",
        requirements="立即整改", due_on=today + timedelta(days=10)))
    notices.acknowledge(make.actor(head), notice)
    notices.report(make.actor(head), notice, text="已整改",
                   files=[Upload(io.BytesIO(PDF), "佐证.pdf")], upload_folder=upload_folder)
    db.session.commit()

    rows = accountability_data.rows_for([(school, 60), (other, 90)], dissent={school.id: 0.5})
    accountability_data.rating_round("2026-H1", rows)
    flags = accountability.evaluate(make.actor(), date(2026, 7, 1))
    accountability.review(make.actor(office), flags[0], "核实属实")
    db.session.commit()
    return {"task": task.id, "complaint": complaint.id, "notice": notice.id, "flag": flags[0].id}
