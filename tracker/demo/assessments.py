"""Demo data: special assessments 专项考核 and innovations 一招鲜 (loaded by `tracker demo`, once).

The five themes of the last half-year, over every department, school and
kindergarten, published: 东风初级中学 is last among the middle schools in
教育扶贫, and 南响初级中学 is vetoed 一票否决 in 师德师风. Last year's
innovations are all scored and their ranking published; this year's are being
registered and scored (a draft), several units still below three.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import ASSESSED_KINDS, ASSESSMENT_THEMES, Assessment, Unit, User
from tracker.services import assessments, audit, innovations

LAST = ("poverty_alleviation", "东风初级中学")
VETOED = ("teacher_ethics", "南响初级中学", "经查实，该校一名教师组织有偿补课，师德一票否决。")
IDEAS = (
    ("“一月一查一反馈”包校督导", "包校股室每月到校检查一次，当场反馈问题、限期整改，次月复查销号。"),
    ("家校沟通“码上办”", "家长扫码即可反映问题、查询办理进度，学校48小时内答复。"),
    ("教师政务“一次办”", "教师职称、调动等事项材料一次提交、限时办结，不让教师多跑路。"),
    ("课后服务“菜单式”选课", "学校开设30余门课后服务课程，学生按兴趣自主选择，家长满意度明显提升。"),
    ("党员示范岗“亮身份”", "党员教师挂牌上岗、公开承诺，接受师生家长监督。"),
    ("留守儿童“代理家长”", "教师结对帮扶留守儿童，每周谈心一次、每月家访一次。"),
    ("校园安全“网格化”巡查", "将校园划分为责任网格，每个网格明确责任人和巡查频次。"),
    ("教研“周三小课题”", "每周三开展小课题研讨，聚焦课堂中的真问题。"),
    ("幼儿园“开放日”常态化", "每月一次家长开放日，家长进班观摩、参与活动。"),
    ("财务报销“不见面”审批", "报销材料线上提交、线上审核，办理时限由5天压缩到2天。"),
)


def _half_year_before(today: date) -> tuple[str, date]:
    """The half-year that ended most recently, and the day its scores are entered."""
    if today.month > 6:
        period, ended = f"{today.year}-H1", date(today.year, 6, 30)
    else:
        period, ended = f"{today.year - 1}-H2", date(today.year - 1, 12, 31)
    return period, min(ended + timedelta(days=15), today)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=clock.zone())


def load(actor: audit.Actor, today: date) -> bool:
    """Add the demo records once; return whether anything was added."""
    if db.session.scalar(select(Assessment.id).limit(1)) is not None:
        return False
    units = db.session.scalars(select(Unit).where(
        Unit.is_archived.is_(False), Unit.kind.in_(ASSESSED_KINDS)).order_by(Unit.id)).all()
    if not units:
        return False
    office_user = db.session.scalar(select(User).where(User.username == "office"))
    office = replace(actor, user=office_user or actor.user)
    rng = random.Random(6)

    period, entered_on = _half_year_before(today)
    for theme in ASSESSMENT_THEMES:
        scores = []
        for unit in units:
            score = round(rng.uniform(72, 97), 1)
            if (theme, unit.name) == LAST:
                score = 58.5
            if theme == VETOED[0] and unit.name == VETOED[1]:
                scores.append(assessments.ScoreInput(unit_id=unit.id, score=score, veto=True,
                                                     note=VETOED[2]))
            else:
                scores.append(assessments.ScoreInput(unit_id=unit.id, score=score))
        assessments.enter(replace(office, now=_at(entered_on)), theme=theme, period=period, scores=scores)

    heads = {user.id: user for user in db.session.scalars(select(User).where(
        User.id.in_([u.head_user_id for u in units if u.head_user_id])))}

    def register(unit: Unit, year: int, index: int, on: date):
        who = replace(actor, user=heads.get(unit.head_user_id) or office.user, now=_at(on))
        title, description = IDEAS[(unit.id + index) % len(IDEAS)]
        return innovations.register(who, unit_id=unit.id, title=f"{title}（{unit.name}）",
                                    description=description, year=year)

    last_year = today.year - 1
    for unit in units:
        for index in range(rng.choice((2, 3, 3, 4))):
            innovation = register(unit, last_year, index, date(last_year, 3 + index * 2, 10))
            innovations.score(replace(office, now=_at(date(last_year, 12, 20))), innovation,
                              round(rng.uniform(60, 95), 1))
    innovations.publish(replace(office, now=_at(date(today.year, 1, 10))), last_year)

    registered_on = max(date(today.year, 1, 1), today - timedelta(days=30))
    for position, unit in enumerate(units):
        for index in range((0, 1, 2, 3, 3, 4)[position % 6]):
            innovation = register(unit, today.year, index, registered_on)
            if index == 0 and position % 2 == 0:
                innovations.score(replace(office, now=_at(today)), innovation,
                                  round(rng.uniform(60, 95), 1))
    db.session.flush()
    return True
