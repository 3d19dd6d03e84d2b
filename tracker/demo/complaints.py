"""Demo data: complaints in every state across the demo units (loaded by `tracker demo`, once).

Every step goes through the services with the moment it happened, so the
events, the first dispatch and the first reply are consistent.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from tracker import clock
from tracker.demo.bureau import UNITS
from tracker.extensions import db
from tracker.models import (
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    SatisfactionRating,
    Unit,
    User,
)
from tracker.services import audit, complaint_reply_drafts, complaints

TEMPLATES = [
    ("已核实并整改", "您好！您反映的问题已收悉。经核实，情况属实，我单位已责令相关人员立即整改，"
                "并在全体教职工会议上进行了通报。感谢您对教育工作的监督。"),
    ("经核查不属实", "您好！您反映的问题已收悉。经调查核实，未发现您反映的情况。"
                "如您有进一步的线索，欢迎继续通过本平台反映。"),
    ("正在处理中", "您好！您反映的问题已收悉，我单位高度重视，已成立专班调查处理，"
               "处理结果将及时答复您。"),
]

SEED_000 = (
    "中小学校领导人员选拔任用不规范",
    "多年以来，部分公办中小学校领导班子成员尤其是校长的任用不规范，有通过关系获得领导职位的现象。"
    "有些学校领导将个人兴趣爱好强加于全体教职工，反复在大会上宣讲个人“研究心得”，浪费公共纸张和教职工时间。"
    "建议严格执行《中小学校领导人员管理暂行办法》，推行校长职级制改革，完善选拔任用和监督机制。",
    "网友您好！我局在选拔任用干部上一直坚持党管干部、德才兼备、以德为先，坚持注重实绩、群众公认，"
    "坚持学校领导干部由内部推选、外部选派、竞争（聘）上岗、公开选拔（聘）的方式产生。"
    "下一步，我们将进一步深入学习《中小学校领导人员管理暂行办法》，高标准、严要求，"
    "扎实做好学校领导干部选拔任用工作，努力营造公正公平、风清气正的选人用人氛围。",
)

CASES = [  # (category, unit code, subject, description)
    ("business_tutoring", "cgxx", "老师课后办班有偿补课", "城关小学四年级数学老师周末在校外办班补课，每生每月收费800元，暗示家长报名。"),  # noqa: E501
    ("teaching_materials", "cgxx", "统一征订教辅资料", "班主任要求全班统一购买指定教辅资料，每人120元，不买的学生被点名。"),  # noqa: E501
    ("idle_at_work", "cgxx", "上班时间玩手机游戏", "学校门卫和后勤人员上班时间聚在一起玩手机游戏，家长来访无人接待。"),  # noqa: E501
    ("buck_passing", "cgxx", "转学手续一拖再拖", "孩子转学手续办理了一个多月，学校和教育局互相推诿，没人给明确答复。"),  # noqa: E501
    ("school_choice", "cgxx", "招生中有择校收费嫌疑", "听说交“赞助费”就能进实验班，希望核实招生是否公平。"),
    ("other", "cgxx", "校门口接送秩序混乱", "放学时校门口车辆乱停，老师不管，存在安全隐患。"),
    ("business_tutoring", "yz", "在职教师参股培训机构", "区第一中学有教师参股校外培训机构，并在课堂上推荐学生去上课。"),  # noqa: E501
    ("idle_at_work", "yz", "办公时间炒股", "行政办公室工作人员上班时间看股票行情，办事群众等了半小时。"),
    ("teaching_materials", "yz", "高三强制订购复习资料", "高三年级要求学生订购三套复习资料，价格偏高，质量一般。"),  # noqa: E501
    ("buck_passing", "yz", "学籍证明开具困难", "毕业生来开学籍证明，被要求多次往返，工作人员态度冷淡。"),
    ("other", "yz", "食堂饭菜价格上涨", "学校食堂饭菜价格上涨明显，分量减少，学生意见很大。"),
    ("buck_passing", "jjg", "咨询入学政策无人答复", "多次打电话到基础教育股咨询入学政策，电话无人接听或让找学校。"),  # noqa: E501
    ("school_choice", "jjg", "学区划分不透明", "今年学区划分调整没有提前公示，家长无从了解。"),
    ("buck_passing", "jjg", "投诉转来转去没有结果", "反映的问题从学校转到教育局，又转回学校，两个月没有结果。"),  # noqa: E501
    ("idle_at_work", "jjg", "窗口人员聊天不理人", "到局里办事，窗口两名工作人员一直聊天，让我等着。"),
    ("other", "jjg", "材料要求反复变化", "办理审批，材料清单每次去都不一样，来回跑了四趟。"),
    ("business_tutoring", "dfcz", "教师有偿家教", "东风初级中学英语老师在家中开展有偿家教，学生多为本班学生。"),  # noqa: E501
    ("teaching_materials", "dfcz", "假期作业指定购买", "寒假作业要求购买指定练习册，书店只有一家有售。"),
    ("buck_passing", "dfcz", "贫困补助申请被拖延", "家庭经济困难学生补助申请交上去三个月没有消息。"),
    ("idle_at_work", "dfcz", "值班老师不在岗", "晚自习值班老师不在教室，学生打闹无人管理。"),
    ("other", "dfcz", "收取不明费用", "学校收取“资料费”未开具票据，也没有公示收费依据。"),
    ("buck_passing", "rsg", "职称评审材料退回无说明", "职称评审材料被退回，没有说明原因，打电话问也说不清楚。"),  # noqa: E501
    ("idle_at_work", "qzy", "幼儿园老师上班看视频", "区直幼儿园有老师上课时间看手机短视频。"),
    ("business_tutoring", "sylx", "周末兴趣班收费", "实验小学老师以兴趣班名义周末收费授课。"),
    ("teaching_materials", "hpxx", "订购课外读物", "和平小学要求每名学生订购课外读物，每学期200元。"),
    ("school_choice", "syzx", "借读生收费", "区实验中学对借读生收取高额费用，没有文件依据。"),
    ("buck_passing", "xjcz", "安全隐患反映无回应", "西郊初级中学围墙破损，多次反映没有维修。"),
    ("other", None, "某校老师体罚学生", "听孩子说有老师罚学生站一整节课，不清楚是哪个学校的统一要求。"),
    ("idle_at_work", None, "工作人员上班时间外出", "上午十点去办事，办公室锁门，电话说外出办事。"),
    ("other", "ez", "重复反映：食堂问题", "区第一中学食堂饭菜价格上涨，分量减少（重复反映）。"),
    ("buck_passing", "cgxx", "重复反映：转学手续", "城关小学转学手续拖延问题，之前已反映过。"),
    ("other", "ygy", "不属于教育系统的问题", "小区物业乱收费，希望教育局处理。"),
    ("other", "ygy", "广告信息", "点击链接领取优惠。"),
]
# (state, rating, resolved, late reply, reopened) by position in CASES
PLANS = [
    ("closed", "satisfied", True, False, False), ("closed", "basically_satisfied", True, False, False),
    ("closed", "dissatisfied", False, True, True), ("closed", "satisfied", True, False, False),
    ("dispatched", None, None, False, False), ("replied", None, None, False, False),
    ("closed", "satisfied", True, False, False), ("closed", "dissatisfied", False, True, False),
    ("closed", "basically_satisfied", True, False, False), ("closed", None, True, True, False),
    ("dispatched", None, None, True, False),
    ("closed", "dissatisfied", False, True, False), ("closed", "satisfied", True, False, False),
    ("closed", "basically_satisfied", True, False, False), ("replied", None, None, True, False),
    ("dispatched", None, None, False, False),
    ("closed", "satisfied", True, False, False), ("closed", "satisfied", True, False, False),
    ("closed", None, False, True, False), ("dispatched", None, None, True, False),
    ("replied", None, None, False, False),
    ("closed", "basically_satisfied", True, False, False), ("dispatched", None, None, False, False),
    ("accepted", None, None, False, False), ("submitted", None, None, False, False),
    ("closed", "satisfied", True, False, False), ("dispatched", None, None, False, False),
    ("accepted", None, None, False, False), ("submitted", None, None, False, False),
    ("duplicate", None, None, False, False), ("duplicate", None, None, False, False),
    ("rejected", None, None, False, False), ("rejected", None, None, False, False),
]
REPLIES = ["经核实，情况基本属实。学校已对相关教师进行批评教育，责令立即停止违规行为，并在全校通报。",
           "经调查，未发现所反映的问题。学校将进一步加强管理，欢迎家长继续监督。",
           "已约谈相关责任人，限期整改；整改情况已在校务公开栏公示。"]


def load(actor: audit.Actor, today: date) -> bool:
    """Add the demo complaints once; return whether anything was added."""
    if db.session.scalar(select(Complaint.id).limit(1)) is not None:
        return False
    units = {u.name: u for u in db.session.scalars(select(Unit))}
    by_code = {code: units.get(name) for code, name, *_rest in UNITS}
    if not by_code.get("cgxx"):
        return False
    office = db.session.scalar(select(User).where(User.username == "office")) or actor.user
    heads = {code: db.session.scalar(select(User).where(User.username == f"{code}.head"))
             for code in by_code}
    rng = random.Random(5)
    zone = clock.zone()

    def moment(day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=zone)

    def as_(user, day: date, hour: int = 10) -> audit.Actor:
        return replace(actor, user=user, ip=None, now=min(moment(day, hour), actor.now))

    for title, body in TEMPLATES:
        complaints.save_template(as_(office, today - timedelta(days=125)), None, title, body)

    def run(category, code, subject, description, plan, start: date, reply_text, channel="web",
            rating_comment=None, name=None, contact=None, published=False) -> Complaint:
        state, rating, resolved, late, reopened = plan
        unit = by_code.get(code) if code else None
        c = complaints.submit(as_(None, start, 9), complaints.ComplaintInput(
            category=ComplaintCategory(category), description=description, subject=subject,
            unit_id=unit.id if unit else None, channel=ComplaintChannel(channel), name=name,
            contact=contact))
        if state == "submitted":
            return c
        day = start + timedelta(days=1)
        if state == "rejected":
            complaints.reject(as_(office, day), c, "不属于教育系统作风问题受理范围，请向相关部门反映。")
            return c
        if state == "duplicate":
            original = db.session.scalar(select(Complaint).where(
                Complaint.unit_id == (unit.id if unit else None), Complaint.id != c.id,
                Complaint.status != "duplicate").order_by(Complaint.id))
            if original is None:
                original = db.session.scalar(select(Complaint).where(Complaint.id != c.id)
                                             .order_by(Complaint.id))
            complaints.mark_duplicate(as_(office, day), c, original.id)
            return c
        complaints.accept(as_(office, day), c)
        if state == "accepted":
            return c
        target = unit or by_code["jjg"]
        complaints.dispatch(as_(office, day, 11), c, target.id)
        if state == "dispatched":
            return c
        head = heads.get(code) if code and heads.get(code) else office
        reply_day = c.reply_due_on + timedelta(days=rng.randint(1, 4)) if late else \
            day + timedelta(days=rng.randint(1, max(1, (c.reply_due_on - day).days)))
        reply_day = min(reply_day, today)
        complaints.reply(as_(head, reply_day, 15), c, complaints.ReplyInput(reply_text))
        if state == "replied":
            return c
        close_day = min(reply_day + timedelta(days=2), today)
        complaints.close(as_(office, close_day, 16), c, bool(resolved))
        if rating:
            rate_day = min(close_day + timedelta(days=rng.randint(1, 5)), today)
            complaints.rate(as_(None, rate_day, 20), c, SatisfactionRating(rating), rating_comment,
                            reopen=reopened)
            if reopened:
                again = min(rate_day + timedelta(days=3), today)
                complaints.reply(as_(head, again, 15), c, complaints.ReplyInput(
                    reply_text + "\n补充说明：已再次核查，相关教师已作书面检查。"))
                complaints.close(as_(office, min(again + timedelta(days=1), today), 16), c, True)
        if published:
            complaints.publish(as_(office, close_day, 17), c, True)
        return c

    # seed 000: a complaint about cadre selection dispatched to the personnel section, rated 不满意
    subject, description, reply_text = SEED_000
    run("other", "rsg", subject, description, ("closed", "dissatisfied", False, False, False),
        today - timedelta(days=110), reply_text, rating_comment="对于处理结果，我很不满意",
        name="公民权", contact="demo-citizen@example.org", published=True)
    span = 115
    for index, ((category, code, subject, description), plan) in enumerate(zip(CASES, PLANS, strict=True)):
        state = plan[0]
        # open cases are recent; closed ones spread over the last four months
        if state in ("submitted", "accepted"):
            start = today - timedelta(days=rng.randint(0, 3))
        elif state in ("dispatched", "replied"):
            start = today - timedelta(days=rng.randint(3 if not plan[3] else 12, 16 if plan[3] else 6))
        else:
            start = today - timedelta(days=span - index * 3)
        run(category, code, subject, description, plan, start, REPLIES[index % len(REPLIES)],
            channel="hotline" if index % 5 == 0 else "web",
            rating_comment="处理及时，态度很好。" if plan[1] == "satisfied" else None,
            name=f"家长{index}" if index % 3 == 0 else None,
            contact=f"1390000{index:04d}" if index % 3 == 0 else None,
            published=state == "closed" and plan[1] in ("satisfied", "basically_satisfied") and index % 2 == 0)  # noqa: E501
    db.session.flush()
    load_reply_draft(as_, today)
    return True


# A unit member drafts the reply to a complaint dispatched to the unit; it waits for the head
REPLY_DRAFT = ("cgxx.staff", "经初步核实，学校招生严格按照片区划分和电脑派位进行，未设立收费实验班。"
               "我校将在校务公开栏公示招生办法，欢迎家长监督。")


def load_reply_draft(as_, today: date) -> None:
    """A member's reply draft waiting for the unit head (cgxx.head) on a complaint still to answer."""
    username, text = REPLY_DRAFT
    member = db.session.scalar(select(User).where(User.username == username))
    if member is None:
        return
    complaint = db.session.scalar(select(Complaint).where(
        Complaint.dispatched_unit_id == member.unit_id, Complaint.status == "dispatched")
        .order_by(Complaint.id))
    if complaint is not None:
        complaint_reply_drafts.create(as_(member, today, 9), complaint, text=text,
                                      upload_folder=current_app.config["UPLOAD_FOLDER"])
