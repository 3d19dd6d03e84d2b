"""Demo supervision history: past weekly rounds, two bulletins, liaison checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Bulletin, LiaisonDimension, SupervisionRound, Unit, User
from tracker.services import audit, bulletins, liaison, periods, supervision

WEEKS = 8
NARRATIVE = ("本月，各股室、各学校认真落实“周督导、月通报”制度，责任清单任务总体推进有序。"
             "对进展缓慢、逾期未完成的任务予以通报批评，请相关单位于下周一前提交整改说明；"
             "对按期完成全部任务的单位予以通报表扬。")


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def load(actor: audit.Actor, today: date) -> bool:
    """Add the rounds of the past weeks, last months' bulletins and liaison checks, once."""
    if db.session.scalar(select(SupervisionRound.id).limit(1)) is not None:
        return False
    office = replace(actor, user=_user("office"))
    leader = replace(actor, user=_user("wangdongshu"))
    last = supervision.last_full_week(today)
    rounds = [supervision.start_round(office, last - timedelta(weeks=n))[0] for n in range(WEEKS, -1, -1)]
    for rnd in rounds[:-1]:
        supervision.close_round(office, rnd)
    previous = periods.previous_period("monthly", today)
    before = periods.previous_period("monthly", previous.starts_on)
    published, _created = bulletins.generate(office, "monthly", before.key)
    bulletins.edit(office, published, title=published.title, narrative=NARRATIVE)
    bulletins.approve(leader, published)
    bulletins.publish(office, published, today.year)
    waiting, _created = bulletins.generate(office, "monthly", previous.key)
    bulletins.edit(office, waiting, title=waiting.title, narrative=NARRATIVE)
    ratings = {key: liaison.RatingInput("good") for key in LiaisonDimension.codes()}
    schools = db.session.scalars(select(Unit).where(Unit.liaison_unit_id.is_not(None))
                                 .order_by(Unit.id)).all()
    for index, school in enumerate(schools):
        if index % 4 == 3:  # a few checks missing, for the bulletin to name
            continue
        checker = replace(actor, user=db.session.get(User, school.liaison_unit.head_user_id)
                          if school.liaison_unit.head_user_id else None)
        social = (liaison.RatingInput("fair", "家长反映课后服务时间偏短") if index % 3
                  else liaison.RatingInput("good"))
        liaison.record(checker, school, month=previous.key, ratings={**ratings, "social": social},
                       feedback="已当面反馈，请学校对照整改。")
    db.session.flush()
    return db.session.scalar(select(Bulletin.id).limit(1)) is not None
