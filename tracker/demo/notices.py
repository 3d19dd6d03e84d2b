"""Demo data: inspections 明查暗访 and rectification notices in every colour and state.

Loaded by `tracker demo` after the demo complaints and before the rounds and
bulletins (which then name the red notices). Every step goes through the
services at the moment it happened; running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from tracker import clock
from tracker.demo.bureau import UNITS
from tracker.extensions import db
from tracker.models import Complaint, Finding, Inspection, Notice, NoticeSource, Unit, User
from tracker.services import audit, notices

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

INSPECTIONS = [  # (unit code, days ago, place, inspectors, unannounced, findings)
    ("cgxx", 40, "城关小学门卫室、后勤办公室", "综合组 张伟、刘芳", True,
     "上午10时许，门卫室无人值守，后勤办公室两名工作人员在玩手机游戏，来访家长无人接待。"),
    ("yz", 12, "区第一中学行政办公室", "教育环境整治组 李强、王敏", True,
     "行政办公室一名工作人员上班时间浏览股票行情；办事群众等候超过20分钟。"),
    ("jjg", 32, "基础教育股办事窗口", "“放管服”组 赵磊", False,
     "窗口未公示办事指南和材料清单，一次性告知制度未落实。"),
    ("dfcz", 27, "东风初级中学教师办公室", "综合组 陈静", True,
     "教师办公室张贴校外培训机构招生广告，疑似在职教师参与有偿补课。"),
    ("jyzx", 16, "教研中心", "评议组 孙涛", False, "教研员下校指导记录缺失，部分记录事后补写。"),
    ("cgxx", 6, "城关小学财务室", "综合组 张伟", True, "教辅资料征订未履行公示程序。"),
]

# (inspection index or "complaint" / "finding", issued days ago, due days from today, steps)
# steps: a = acknowledge, r = report, v = verify, x = return
PLANS = [
    (0, 40, -20, ""),  # red: never acknowledged, long overdue (named in the bulletin)
    (3, 27, -3, "a"),  # red: acknowledged, deadline passed unreported
    (1, 12, 2, ""),  # orange: due in two days
    (2, 32, -10, "arv"),  # verified
    (4, 16, 6, "arx"),  # returned once: acknowledged again, blue
    (5, 6, 1, "ar"),  # reported, awaiting the office
    ("complaint", 5, 14, "a"),  # blue, from a complaint
    ("finding", 3, 10, ""),  # blue, from a supervision finding (when the rounds exist)
]


def load(actor: audit.Actor, today: date) -> bool:
    """Add the demo inspections and notices once; return whether anything was added."""
    if db.session.scalar(select(Notice.id).limit(1)) is not None:
        return False
    names = {code: name for code, name, *_rest in UNITS}
    units = {u.name: u for u in db.session.scalars(select(Unit))}
    by_code = {code: units.get(name) for code, name in names.items()}
    if any(by_code.get(code) is None for code, *_rest in INSPECTIONS):
        return False
    office = db.session.scalar(select(User).where(User.username == "office")) or actor.user
    zone = clock.zone()

    def as_(user, day: date, hour: int = 10) -> audit.Actor:
        moment = datetime.combine(day, time(hour, 0), tzinfo=zone)
        return replace(actor, user=user, ip=None, now=min(moment, actor.now))

    def head_of(unit_id: int) -> User:
        return db.session.scalar(select(User).where(User.unit_id == unit_id, User.role == "unit_head",
                                                    User.is_active.is_(True)).order_by(User.id).limit(1))

    inspections: list[Inspection] = []
    for code, ago, place, inspectors, unannounced, findings in INSPECTIONS:
        day = today - timedelta(days=ago)
        inspections.append(notices.create_inspection(as_(office, day, 16), notices.InspectionInput(
            unit_id=by_code[code].id, inspected_on=day, place=place, inspectors=inspectors,
            is_unannounced=unannounced, findings=findings)))
    db.session.flush()
    for source, ago, due_in, steps in PLANS:
        issued = today - timedelta(days=ago)
        if source == "complaint":
            row = db.session.scalar(select(Complaint).where(Complaint.dispatched_unit_id.is_not(None),
                                                            Complaint.status.in_(("replied", "closed")))
                                    .order_by(Complaint.id).limit(1))
            if row is None:
                continue
            unit_id, source_id = row.dispatched_unit_id, row.id
            problems = (f"群众投诉反映：{row.subject or '作风问题'}。经核查，反映问题基本属实，"
                        "暴露出你单位在作风建设方面仍有薄弱环节。")
        elif source == "finding":
            row = db.session.scalar(select(Finding).order_by(Finding.id.desc()).limit(1))
            if row is None:
                continue
            unit_id, source_id = row.unit_id, row.id
            problems = f"周督导发现：任务“{row.task.title}”推进滞后，未按计划节点交账。"
        else:
            inspection = inspections[source]
            unit_id, source_id = inspection.unit_id, inspection.id
            problems = inspection.findings
        head = head_of(unit_id) or office
        notice = notices.issue(as_(office, issued, 15), notices.NoticeInput(
            unit_id=unit_id, source_type=NoticeSource(source if isinstance(source, str) else "inspection"),
            source_id=source_id, problems=problems,
            requirements="一、立即召开专题会议，查摆问题根源；\n二、明确责任人和整改措施，建立整改台账；\n"
                         "三、按期报送整改报告及佐证材料。",
            due_on=max(today + timedelta(days=due_in), issued)))
        day = issued
        for step in steps:
            day = min(day + timedelta(days=1), today)
            if step == "a":
                notices.acknowledge(as_(head, day, 9), notice)
            elif step == "r":
                notices.report(as_(head, day, 17), notice,
                               text="已召开专题会议，逐条整改到位，建立长效机制。详见佐证材料。",
                               files=[notices.Upload(_pdf(), "整改报告.pdf")],
                               upload_folder=current_app.config["UPLOAD_FOLDER"])
            elif step == "v":
                notices.verify(as_(office, day, 11), notice, accept=True, reason="整改到位，予以验收。")
            else:
                notices.verify(as_(office, day, 11), notice, accept=False,
                               reason="佐证材料不全，缺少整改前后对比照片，请补充后重新报告。")
    db.session.flush()
    return True


def _pdf():
    import io

    return io.BytesIO(PDF)
