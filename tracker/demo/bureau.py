"""The demo bureau of seed 003: units, leaders and users for every role."""

from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Unit, User
from tracker.services import audit, auth, organisation

PASSWORD = "Demo@2026"

# (username, display name, title): the bureau's leaders (分管领导).
LEADERS = [
    ("wangdongshu", "王东塾", "局长、领导小组组长"),
    ("lijianguo", "李建国", "副局长"),
    ("zhaohuimin", "赵慧敏", "副局长"),
    ("sunzhiqiang", "孙志强", "纪检组长"),
]

# (code, name, kind, peer group, liaison code, leader username)
UNITS = [
    ("dzb", "局党政办公室", "office", "bureau", None, "wangdongshu"),
    ("rsg", "人事股", "department", "departments", None, "wangdongshu"),
    ("ddz", "督导室", "department", "departments", None, "sunzhiqiang"),
    ("jjg", "基础教育股", "department", "departments", None, "lijianguo"),
    ("jcg", "计划财务股", "department", "departments", None, "zhaohuimin"),
    ("aqg", "安全股", "department", "departments", None, "zhaohuimin"),
    ("jyzx", "教研中心", "department", "departments", None, "lijianguo"),
    ("djb", "党建办", "department", "departments", None, "wangdongshu"),
    ("zcg", "职业与成人教育股", "department", "departments", None, "lijianguo"),
    ("xqg", "学前教育股", "department", "departments", None, "zhaohuimin"),
    ("zfg", "政策法规股", "department", "departments", None, "sunzhiqiang"),
    ("zhz", "综合组", "working_group", None, None, "wangdongshu"),
    ("fgfz", "“放管服”组", "working_group", None, None, "zhaohuimin"),
    ("hjzz", "教育环境整治组", "working_group", None, None, "lijianguo"),
    ("pyz", "评议组", "working_group", None, None, "sunzhiqiang"),
    ("wzz", "问责组", "working_group", None, None, "sunzhiqiang"),
    ("khz", "考核组", "working_group", None, None, "zhaohuimin"),
    ("xcz", "宣传组", "working_group", None, None, "wangdongshu"),
    ("yz", "区第一中学", "school", "high_schools", "jjg", "lijianguo"),
    ("ez", "区第二中学", "school", "high_schools", "jjg", "lijianguo"),
    ("syzx", "区实验中学", "school", "high_schools", "jjg", "lijianguo"),
    ("zjzx", "区职业技术教育中心", "school", "high_schools", "zcg", "lijianguo"),
    ("cgcz", "城关初级中学", "school", "middle_schools", "jjg", "lijianguo"),
    ("dfcz", "东风初级中学", "school", "middle_schools", "jjg", "lijianguo"),
    ("xjcz", "西郊初级中学", "school", "middle_schools", "jjg", "zhaohuimin"),
    ("nxcz", "南响初级中学", "school", "middle_schools", "jjg", "zhaohuimin"),
    ("hxcz", "河西初级中学", "school", "middle_schools", "jjg", "zhaohuimin"),
    ("sycz", "沙岭初级中学", "school", "middle_schools", "jjg", "sunzhiqiang"),
    ("cgxx", "城关小学", "school", "primary_schools", "jjg", "lijianguo"),
    ("sylx", "实验小学", "school", "primary_schools", "jjg", "lijianguo"),
    ("dfxx", "东风小学", "school", "primary_schools", "jjg", "lijianguo"),
    ("xjxx", "西郊小学", "school", "primary_schools", "jjg", "zhaohuimin"),
    ("hpxx", "和平小学", "school", "primary_schools", "jjg", "zhaohuimin"),
    ("xhxx", "新华小学", "school", "primary_schools", "jjg", "zhaohuimin"),
    ("slxx", "沙岭小学", "school", "primary_schools", "jjg", "sunzhiqiang"),
    ("hxxx", "河西小学", "school", "primary_schools", "jjg", "sunzhiqiang"),
    ("qzy", "区直幼儿园", "kindergarten", "kindergartens", "xqg", "zhaohuimin"),
    ("sey", "区第二幼儿园", "kindergarten", "kindergartens", "xqg", "zhaohuimin"),
    ("cgy", "城关镇中心幼儿园", "kindergarten", "kindergartens", "xqg", "zhaohuimin"),
    ("xjy", "西郊乡中心幼儿园", "kindergarten", "kindergartens", "xqg", "zhaohuimin"),
    ("ygy", "阳光幼儿园", "kindergarten", "kindergartens", "xqg", "zhaohuimin"),
    ("hxy", "河西乡中心幼儿园", "kindergarten", "kindergartens", "xqg", "zhaohuimin"),
]

SURNAMES = ("张王李刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓"
            "曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢")
GIVEN = ["志刚", "丽华", "建军", "海燕", "晓东", "秀英", "国庆", "春梅", "文博", "玉兰", "振华",
         "红霞", "立新", "静", "伟", "敏", "磊", "洋", "婷婷", "宏伟", "雪梅", "子涵"]

# Units whose staff also get a member account (unit_member).
WITH_MEMBERS = {"dzb", "rsg", "jjg", "yz", "cgxx", "qzy"}


def _person(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]


def is_loaded() -> bool:
    return db.session.scalar(select(User.id).where(User.username == "admin")) is not None


def load(actor: audit.Actor) -> bool:
    """Create the demo bureau's units and people; return False (changing nothing) if it is already there."""
    if is_loaded():
        return False
    password_hash = auth.hash_password(PASSWORD)

    def person(**values) -> User:
        return organisation.create_user(actor, password_hash=password_hash, **values)

    person(username="admin", display_name="系统管理员", role="admin")
    leaders = {
        username: person(username=username, display_name=name, role="leader")
        for username, name, _title in LEADERS
    }
    units: dict[str, Unit] = {}
    for code, name, kind, group, liaison, leader in UNITS:
        units[code] = organisation.create_unit(
            actor, name=name, kind=kind, peer_group=group,
            liaison_unit_id=units[liaison].id if liaison else None,
            leader_user_id=leaders[leader].id,
        )
    person(username="office", display_name="刘晓东", role="office", unit_id=units["dzb"].id)
    person(username="office2", display_name="陈春梅", role="office", unit_id=units["dzb"].id)
    for index, (code, _name, kind, *_rest) in enumerate(UNITS):
        if kind == "working_group":
            continue
        head = person(username=f"{code}.head", display_name=_person(index * 2),
                      role="unit_head", unit_id=units[code].id)
        organisation.update_unit(actor, units[code], head_user_id=head.id)
        if code in WITH_MEMBERS:
            person(username=f"{code}.staff", display_name=_person(index * 2 + 1),
                   role="unit_member", unit_id=units[code].id)
    return True


def logins() -> list[tuple[str, str, str | None]]:
    """Return (username, role, unit name) of one demo account per role, and a liaison head."""
    names = ["admin", "office", "wangdongshu", "yz.head", "jjg.head", "cgxx.staff"]
    rows = db.session.execute(
        select(User.username, User.role, Unit.name)
        .outerjoin(Unit, User.unit_id == Unit.id)
        .where(User.username.in_(names))
    ).all()
    order = {name: i for i, name in enumerate(names)}
    return sorted(((u, r, n) for u, r, n in rows), key=lambda row: order[row[0]])
