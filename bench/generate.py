"""A deterministic bureau at scale, bulk-loaded for the benchmarks and the scale tests.

    python -m bench.generate --scale city --database-url postgresql+psycopg://…/tracker_bench

The database is migrated first (Alembic's upgrade, as ``tracker init-db``) and
must hold no data. Every row comes from one seeded ``random.Random`` and from ``today``
(passed in; default: today in the configured time zone), so the same scale,
seed and day give the same rows. Rows go in with explicit ids: through COPY on
PostgreSQL (the large tables' keys and indexes rebuilt afterwards), through
``executemany`` in one transaction on SQLite. Afterwards
the kept task states are rebuilt (``tracker.services.task_states.rebuild``),
the earlier rating round is closed through the service (which freezes its
ranking and evaluates the accountability rules) and the rules run once more
as of today.

What a scale holds (``SCALES``): units in peer groups (the bureau office,
departments, working groups, high, middle and primary schools,
kindergartens); the office's staff, the bureau's leaders, a head for every
unit and staff for some; one active plan with the seed's ten measures under
the four headings; tasks spread unevenly over the units with start and due
dates around today — most on track with weekly reports, a lagging tail, some
stale, overdue, awaiting verification or verified, some with milestones;
complaints over the last twelve months, clustered on a few units, in every
status with their events; rectification notices; weekly supervision rounds
with snapshots and findings; a closed and an open rating round with ballots
of five units × three dimensions (15 answers) and spare invitation codes.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import Connection, func, select, text

from tracker import clock
from tracker.demo.bureau import GIVEN, SURNAMES
from tracker.demo.plan import MEASURES, PLAN_TASKS
from tracker.extensions import db
from tracker.models import HEADINGS, Base, RatingRound, User
from tracker.services import audit, codes, progress, ratings, supervision

PASSWORD = "Demo@2026"  # every generated account's password (the demo's)
SEED = 20260601


@dataclass(frozen=True)
class Scale:
    name: str
    units: int
    tasks: int
    entries: int  # ledger entries, about
    complaints: int
    ballots: int  # of the open round; the closed one before it: a tenth (at least four per unit)
    spare_codes: int  # unused invitation codes of the open round (the benchmark votes with them)
    weeks: int = 6  # weekly supervision rounds before the last full week
    units_per_ballot: int = 5  # × 3 dimensions = 15 answers


SCALES = {
    "small": Scale("small", units=20, tasks=300, entries=3_000, complaints=600, ballots=300,
                   spare_codes=300),
    "district": Scale("district", units=200, tasks=5_000, entries=100_000, complaints=30_000,
                      ballots=20_000, spare_codes=3_000),
    "city": Scale("city", units=2_000, tasks=100_000, entries=1_000_000, complaints=300_000,
                  ballots=300_000, spare_codes=5_000),
}

# The mix of task states as of today (weights), and the share of tasks with milestones.
TASK_KINDS = {"not_started": 8, "on_track": 50, "lagging": 12, "stale": 8, "overdue": 7,
              "awaiting_verification": 5, "verified": 10}
MILESTONE_SHARE = 0.15
NARRATIVES = ("按计划推进，已完成阶段性工作", "召开专题会议部署落实", "完成自查，问题清单已建立",
              "整改措施逐条落实，佐证材料已上传", "组织集中学习研讨一次", "督促下属单位按期报送材料",
              "完成本周工作，下周继续推进", "因期中考试略有推迟，已调整计划", "形成阶段总结报局党政办公室",
              "开展抽查3次，发现问题已反馈", "完成方案审定并印发", "汇总各单位材料，正在审核")
COMPLAINT_TEXTS = (
    ("business_tutoring", "老师课后办班有偿补课", "老师周末在校外办班补课，每生每月收费，暗示家长报名。"),
    ("teaching_materials", "统一征订教辅资料", "班主任要求全班统一购买指定教辅资料，不买的学生被点名。"),
    ("idle_at_work", "上班时间玩手机游戏", "工作人员上班时间聚在一起玩手机游戏，家长来访无人接待。"),
    ("buck_passing", "手续一拖再拖", "办理手续一个多月，学校和教育局互相推诿，没人给明确答复。"),
    ("school_choice", "招生中有择校收费嫌疑", "听说交“赞助费”就能进实验班，希望核实招生是否公平。"),
    ("other", "收取不明费用", "学校收取“资料费”未开具票据，也没有公示收费依据。"),
)
# what makes one complaint's words differ from another's: the school and class, and now and then a
# detail few complaints share (the search benchmark looks for common, rare and unique words)
GRADES = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一", "初二", "初三", "高一", "高二")
DETAILS = ("家长多次反映未果。", "希望尽快调查处理。", "已向学校反映，没有回音。", "请求上级部门督办。",
           "有聊天记录为证。", "周边家长都知道此事。", "多名学生家长联名反映。", "学校称是自愿参加。")
RARE_DETAILS = ("食堂使用过期食用油。", "校车超载接送学生。", "校服价格明显高于市场价。",
                "毕业班强制购买纪念册。", "宿舍热水器长期损坏。")
REPLY = "您好！您反映的问题已收悉。经核实，我单位已责令相关人员立即整改，并在全体教职工会议上通报。"
AREAS = ("城关", "东风", "西郊", "南响", "河西", "沙岭", "和平", "新华", "阳光", "北苑")
DEPARTMENTS = ("人事股", "督导室", "基础教育股", "计划财务股", "安全股", "教研中心", "党建办",
               "职业与成人教育股", "学前教育股", "政策法规股", "体卫艺股", "信息中心")
GROUP_WEIGHTS = (("service_recipients", 40), ("grassroots_cadres", 30), ("public", 30))


def picker(rng: random.Random, values: Sequence, weights: Sequence[float]) -> Callable[[], object]:
    """A fast weighted choice (the hot loops call it millions of times at city scale)."""
    cumulative = list(itertools.accumulate(weights))
    total = cumulative[-1]
    return lambda: values[bisect.bisect(cumulative, rng.random() * total)]


def _person(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]


# Bulk loading ------------------------------------------------------------------


class Loader:
    """Write rows with their ids: COPY on PostgreSQL, executemany on SQLite (one transaction).

    Rows hold plain Python values: ints, floats, strings, bools, dates, None, and moments as
    naive UTC datetimes (as ``models.base.UTCDateTime`` stores them). COPY takes them as they
    are; for SQLite they become what SQLAlchemy stores there (ISO text, 0/1).
    """

    def __init__(self, conn: Connection):
        self.conn = conn
        self.postgresql = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}
        self.convert: dict[type, Callable] = {
            datetime: lambda value: value.isoformat(" ", "microseconds"), date: date.isoformat, bool: int}

    def _row(self, row: Sequence) -> Sequence:
        if self.postgresql:
            return row
        convert = self.convert
        return [convert[type(v)](v) if type(v) in convert else v for v in row]

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
        names = ", ".join(f'"{name}"' for name in columns)
        driver = self.conn.connection.driver_connection
        count = 0
        if self.postgresql:
            with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(self._row(row))
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            cursor = driver.cursor()
            chunk: list[list] = []
            for row in rows:
                chunk.append(self._row(row))
                if len(chunk) == 20_000:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)
                count += len(chunk)
            cursor.close()
        self.counts[table] = self.counts.get(table, 0) + count
        return count

    @contextmanager
    def bulk(self, tables: Sequence[str]) -> Iterator[None]:
        """Load ``tables`` without their foreign keys, unique constraints and secondary indexes, then
        put them back: one bulk index build and one validating pass each instead of a check and an
        index insertion per row (PostgreSQL; the same transaction, so nobody sees them missing).
        """
        if not self.postgresql:
            yield
            return
        names = {"tables": list(tables)}
        constraints = self.conn.execute(text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype IN ('f', 'u') AND conrelid::regclass::text = ANY(:tables) ORDER BY contype"),
            names).all()
        indexes = self.conn.execute(text(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid::regclass::text = ANY(:tables) AND NOT indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"), names).all()
        for table, name, _definition in constraints:
            self.conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for name, _definition in indexes:
            self.conn.execute(text(f"DROP INDEX {name}"))
        yield
        for _name, definition in indexes:
            self.conn.execute(text(definition))
        for table, name, definition in reversed(constraints):  # unique ones first: keys for the others
            self.conn.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))

    def analyze(self) -> None:
        """Give the planner statistics of the loaded rows, as autovacuum would later (PostgreSQL)."""
        if self.postgresql:
            self.conn.execute(text("ANALYZE"))

    def reset_sequences(self) -> None:
        """Move every id sequence past the loaded ids (PostgreSQL; SQLite needs nothing)."""
        if not self.postgresql:
            return
        for table in Base.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
                self.conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table.name}), 1), "
                    f"(SELECT max(id) FROM {table.name}) IS NOT NULL)"))


# The model of the generated bureau -------------------------------------------


@dataclass
class GenUnit:
    id: int
    name: str
    kind: str
    peer_group: str | None
    leader_id: int
    liaison_id: int | None = None
    head_id: int | None = None


@dataclass
class GenTask:
    id: int
    unit: GenUnit
    kind: str
    starts_on: date
    due_on: date
    actual: int = 0
    last_on: date | None = None
    verified_on: date | None = None
    milestones: list[tuple[date, int]] = field(default_factory=list)
    entries: list[tuple[date, int, int]] = field(default_factory=list)  # (reported_on, id, percent)


class Bureau:
    """Builds the rows of one scale; ``today`` is the only notion of time."""

    def __init__(self, scale: Scale, today: date, password_hash: str, seed: int = SEED):
        self.scale, self.today, self.password_hash = scale, today, password_hash
        self.rng = random.Random(seed)
        self.zone = clock.zone()
        self.units: list[GenUnit] = []
        self.tasks: list[GenTask] = []
        self.users_rows: list[tuple] = []
        self.office_user_id = 0
        self.leader_ids: list[int] = []
        self.next_user_id = 1
        self.round_units: list[int] = []
        self.offsets: dict[date, timedelta] = {}

    # time helpers: a local day and hour as the stored moment (naive UTC)
    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        offset = self.offsets.get(day)
        if offset is None:  # the zone's offset from UTC that day (at noon)
            offset = self.offsets[day] = datetime.combine(day, clock_time(12), tzinfo=self.zone).utcoffset()
        return datetime.combine(day, clock_time(hour, minute)) - offset

    def aware(self, day: date, hour: int = 10) -> datetime:
        return self.at(day, hour).replace(tzinfo=UTC)

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    # organisation ----------------------------------------------------------------

    def _user(self, username: str, name: str, role: str, unit_id: int | None) -> int:
        ident = self.next_user_id
        self.next_user_id += 1
        created = self.at(self.today - timedelta(days=400), 9)
        self.users_rows.append((ident, username, name, None, role, unit_id, self.password_hash, True, 0,
                                None, None, created))
        return ident

    def organisation(self, load: Loader) -> None:
        scale = self.scale
        self._user("admin", "系统管理员", "admin", None)
        leaders = max(3, min(12, scale.units // 50))
        self.leader_ids = [self._user(f"leader{n + 1}", _person(900 + n), "leader", None)
                           for n in range(leaders)]
        user_cols = ("id", "username", "display_name", "email", "role", "unit_id", "password_hash",
                     "is_active", "failed_logins", "locked_until", "last_login_at", "created_at")
        load.load("users", user_cols, self.users_rows)
        self.users_rows = []

        departments = max(3, round(scale.units * 0.06))
        groups = max(1, round(scale.units * 0.02))
        schools = scale.units - 1 - departments - groups
        kinds = [("office", "bureau")] + [("department", "departments")] * departments
        kinds += [("working_group", None)] * groups
        shares = (("school", "high_schools", 0.10), ("school", "middle_schools", 0.25),
                  ("school", "primary_schools", 0.45))
        made = 0
        for kind, group, share in shares:
            n = round(schools * share)
            kinds += [(kind, group)] * n
            made += n
        kinds += [("kindergarten", "kindergartens")] * (schools - made)
        counters: dict[str, int] = {}
        liaisons: list[GenUnit] = []  # departments come first: every school gets one
        for index, (kind, group) in enumerate(kinds):
            number = counters[group or kind] = counters.get(group or kind, 0) + 1
            if kind == "office":
                name = "局党政办公室"
            elif kind == "department":
                base = DEPARTMENTS[(number - 1) % len(DEPARTMENTS)]
                name = base if number <= len(DEPARTMENTS) else f"{base}{(number - 1) // len(DEPARTMENTS) + 1}"
            elif kind == "working_group":
                name = f"作风整顿第{number}工作组"
            else:
                suffix = {"high_schools": "中学", "middle_schools": "初级中学",
                          "primary_schools": "小学", "kindergartens": "幼儿园"}[group]
                name = f"{AREAS[number % len(AREAS)]}第{number}{suffix}"
            unit = GenUnit(index + 1, name, kind, group, self.leader_ids[index % leaders])
            if kind == "department":
                liaisons.append(unit)
            elif kind in ("school", "kindergarten"):
                unit.liaison_id = liaisons[index % len(liaisons)].id
            self.units.append(unit)
        created = self.at(self.today - timedelta(days=400), 9)
        load.load("units", ("id", "name", "kind", "peer_group", "liaison_unit_id", "head_user_id",
                            "leader_user_id", "is_archived", "created_at"),
                  ((u.id, u.name, u.kind, u.peer_group, u.liaison_id, None, u.leader_id, False, created)
                   for u in self.units))

        office = self.units[0]
        self.office_user_id = self._user("office", "刘晓东", "office", office.id)
        self._user("office2", "陈春梅", "office", office.id)
        for unit in self.units:
            if unit.kind == "working_group":
                continue
            unit.head_id = self._user(f"unit{unit.id}.head", _person(unit.id * 2), "unit_head", unit.id)
            if unit.id % 4 == 1:
                self._user(f"unit{unit.id}.staff", _person(unit.id * 2 + 1), "unit_member", unit.id)
        load.load("users", user_cols, self.users_rows)
        self.users_rows = []
        load.conn.execute(text(
            "UPDATE units SET head_user_id = (SELECT min(users.id) FROM users "
            "WHERE users.unit_id = units.id AND users.role = 'unit_head')"))
        self.round_units = [u.id for u in self.units if u.peer_group and u.kind != "office"]

    # the plan, tasks and the ledger ---------------------------------------------

    def _skewed(self, candidates: list[GenUnit], exponent: float) -> Callable[[], GenUnit]:
        """A chooser favouring a shuffled few: weight 1 / rank ** exponent."""
        order = list(candidates)
        self.rng.shuffle(order)
        weights = [1 / (rank + 1) ** exponent for rank in range(len(order))]
        cumulative, total = [], 0.0
        for weight in weights:
            total += weight
            cumulative.append(total)
        return lambda: self.rng.choices(order, cum_weights=cumulative)[0]

    def _shape(self, task: GenTask) -> None:
        """Dates, milestones, latest percent and last report day giving the task its kind."""
        rng, today, kind = self.rng, self.today, task.kind
        if kind == "not_started":
            task.starts_on = today + self.days(1, 45)
            task.due_on = task.starts_on + self.days(14, 120)
        elif kind in ("on_track", "lagging", "stale"):
            task.starts_on = today - self.days(14, 240)
            task.due_on = today + self.days(0, 150)
            if kind == "lagging" and (today - task.starts_on) * 4 < (task.due_on - task.starts_on):
                task.due_on = today + (today - task.starts_on)  # planned about half: room to lag
        elif kind == "overdue":
            task.due_on = today - self.days(1, 100)
            task.starts_on = task.due_on - self.days(14, 200)
        elif kind == "awaiting_verification":
            task.starts_on = today - self.days(14, 150)
            task.due_on = max(task.starts_on + timedelta(days=14), today + self.days(-30, 60))
        else:  # verified
            task.due_on = today - self.days(0, 150)
            task.starts_on = task.due_on - self.days(14, 180)
        if kind in ("on_track", "lagging", "stale", "overdue") and rng.random() < MILESTONE_SHARE:
            span = (task.due_on - task.starts_on).days
            steps = rng.choice((3, 4))
            task.milestones = [(task.starts_on + timedelta(days=span * (n + 1) // steps),
                                100 * (n + 1) // steps) for n in range(steps)]
        if kind == "not_started":
            return
        planned = progress.planned_percent(task.starts_on, task.due_on, task.milestones, today)
        first = task.starts_on + timedelta(days=1)
        if kind == "on_track":
            task.actual = max(0, min(99, planned - rng.randint(0, 10)))
            task.last_on = today - self.days(0, 6)
        elif kind == "lagging":
            task.actual = max(0, min(99, planned - 15 - rng.randint(0, 35)))
            task.last_on = today - self.days(0, 6)
        elif kind == "stale":
            task.actual = max(0, min(99, planned - rng.randint(0, 10)))
            task.last_on = today - self.days(8, 40)
        elif kind == "overdue":
            task.actual = rng.randint(10, 95)
            task.last_on = min(today, task.due_on + self.days(-30, 20))
        elif kind == "awaiting_verification":
            task.actual, task.last_on = 100, today - self.days(0, 20)
        else:
            task.actual, task.last_on = 100, min(today, task.due_on - self.days(0, 10))
            task.verified_on = min(today, max(task.last_on, task.last_on + self.days(0, 7)))
        task.last_on = min(today, max(first, task.last_on))

    def plan(self, load: Loader) -> tuple[int, dict[str, int]]:
        today = self.today
        office = self.units[0]
        created = self.at(today - timedelta(days=300), 9)
        load.load("plans", ("id", "title", "year", "doc_number", "issuing_unit_id", "status",
                            "created_at", "activated_at", "closed_at"),
                  [(1, f"{today.year}年教育系统“转作风、强素质、建体系、严奖惩”深化机关作风整顿实施方案",
                    today.year, f"区教发〔{today.year}〕8号", office.id, "active", created,
                    created + timedelta(days=2), None)])
        measures = {key: index + 1 for index, (key, _heading, _title) in enumerate(MEASURES)}
        load.load("measures", ("id", "plan_id", "heading", "heading_order", "title", "position"),
                  [(measures[key], 1, heading, HEADINGS.index(heading), title, position)
                   for position, (key, heading, title) in enumerate(MEASURES)])
        return 1, measures

    def tasks_and_ledger(self, load: Loader, plan_id: int, measures: dict[str, int]) -> None:
        rng, scale, today = self.rng, self.scale, self.today
        owners = [u for u in self.units if u.kind != "working_group"]
        choose_unit = self._skewed(owners, 0.6)
        kinds, weights = list(TASK_KINDS), list(TASK_KINDS.values())
        specs = [(spec["measure"], spec["title"], spec["standard"]) for spec in PLAN_TASKS]
        task_rows, co_rows, milestone_rows = [], [], []
        for ident in range(1, scale.tasks + 1):
            unit = choose_unit()
            task = GenTask(ident, unit, rng.choices(kinds, weights)[0], today, today)
            self._shape(task)
            self.tasks.append(task)
            measure, title, standard = specs[ident % len(specs)]
            task_rows.append((
                ident, plan_id, measures[measure], f"{title}（{unit.name}）"[:200], standard, unit.id,
                unit.head_id, unit.leader_id, task.starts_on, task.due_on,
                float(rng.choice((1, 1, 1, 2, 2, 3))),
                "作风整顿", None, "none", None, task.verified_on,
                self.at(min(task.starts_on, today) - timedelta(days=3), 9)))
            if rng.random() < 0.05:
                other = choose_unit()
                if other.id != unit.id:
                    co_rows.append((ident, other.id))
            for on, percent in task.milestones:
                milestone_rows.append((len(milestone_rows) + 1, ident, on, percent, f"完成{percent}%"))
        load.load("tasks", ("id", "plan_id", "measure_id", "title", "standard", "owner_unit_id",
                            "owner_user_id", "leader_user_id", "starts_on", "due_on", "weight",
                            "category", "tags", "recurrence", "previous_id", "verified_on", "created_at"),
                  task_rows)
        load.load("task_co_units", ("task_id", "unit_id"), co_rows)
        load.load("milestones", ("id", "task_id", "on", "percent", "title"), milestone_rows)

        # weekly reports since the start, scaled so that the whole ledger holds about scale.entries
        reporting = [t for t in self.tasks if t.last_on is not None]
        natural = {t.id: (t.last_on - t.starts_on).days / 7 + 1 for t in reporting}
        factor = scale.entries / max(1.0, sum(natural.values()))
        verification_rows = []

        def entries() -> Iterator[tuple]:
            ident = 0
            for task in reporting:
                count = max(1, int(natural[task.id] * factor + rng.random()))
                first = task.starts_on + timedelta(days=1)
                span = (task.last_on - first).days
                top = 95 if task.actual == 100 else task.actual
                for n in range(count):
                    ident += 1
                    last = n == count - 1
                    day = task.last_on if last else first + timedelta(days=span * n // max(1, count - 1))
                    percent = task.actual if last else top * (n + 1) // count
                    task.entries.append((day, ident, percent))
                    user = self.office_user_id if ident % 5 == 0 else task.unit.head_id
                    yield (ident, task.id, percent, NARRATIVES[ident % len(NARRATIVES)], day, user,
                           self.at(day, 17, ident % 60), False)
                if task.verified_on is not None:
                    verification_rows.append((len(verification_rows) + 1, task.id, ident, True, None,
                                              task.verified_on, self.office_user_id,
                                              self.at(task.verified_on, 11)))

        load.load("ledger_entries", ("id", "task_id", "percent", "narrative", "reported_on", "user_id",
                                     "created_at", "is_return"), entries())
        load.load("verifications", ("id", "task_id", "entry_id", "accepted", "reason", "on", "user_id",
                                    "created_at"), verification_rows)

    # supervision rounds -----------------------------------------------------------

    def supervision(self, load: Loader) -> None:
        """Weekly rounds before the last full week, as the service would have frozen them."""
        thresholds = progress.Thresholds()
        last = supervision.last_full_week(self.today)
        weeks = [last - timedelta(days=7 * n) for n in range(self.scale.weeks, 0, -1)]
        round_rows, snapshots, findings = [], [], []
        for round_id, week in enumerate(weeks, start=1):
            as_of = week + timedelta(days=6)
            closed = round_id < len(weeks)
            round_rows.append((round_id, week, as_of, "closed" if closed else "open",
                               self.at(week + timedelta(days=7), 8), self.office_user_id,
                               self.at(week + timedelta(days=9), 17) if closed else None,
                               self.office_user_id if closed else None))
            for task in self.tasks:
                if task.starts_on > as_of or (task.verified_on is not None and task.verified_on < week):
                    continue
                state = progress.task_progress(
                    starts_on=task.starts_on, due_on=task.due_on, milestones=task.milestones,
                    entries=task.entries, verified_on=task.verified_on, as_of=as_of, thresholds=thresholds)
                snapshots.append((len(snapshots) + 1, round_id, task.id, task.unit.id, state.planned,
                                  state.actual, state.status, state.light))
                if state.status in ("lagging", "overdue", "stale"):
                    findings.append((len(findings) + 1, round_id, task.id, task.unit.id, state.status,
                                     state.planned, state.actual))
        load.load("supervision_rounds", ("id", "week_start", "as_of", "status", "created_at",
                                         "created_by_id", "closed_at", "closed_by_id"), round_rows)
        load.load("round_snapshots", ("id", "round_id", "task_id", "unit_id", "planned_percent",
                                      "actual_percent", "status", "light"), snapshots)
        load.load("findings", ("id", "round_id", "task_id", "unit_id", "kind", "planned_percent",
                               "actual_percent"), findings)

    # complaints and notices -------------------------------------------------------

    def complaints(self, load: Loader, due_after: Callable[[date], date]) -> None:
        rng, today = self.rng, self.today
        named = [u for u in self.units if u.kind in ("school", "kindergarten", "department")]
        choose_unit = self._skewed(named, 1.0)
        unhappy = set(rng.sample([u.id for u in named], max(1, len(named) // 20)))
        moments = sorted(self.at(today - self.days(0, 364), rng.randint(7, 21), rng.randint(0, 59))
                         for _n in range(self.scale.complaints))
        office = self.office_user_id
        heads = {u.id: u.head_id for u in self.units}
        codes_made: set[str] = set()
        originals: list[int] = []
        complaint_rows, event_rows, notice_sources = [], [], []

        def day_of(moment: datetime) -> date:  # the local day of a stored moment
            offset = self.offsets.get(moment.date())
            return (moment + offset).date() if offset is not None else \
                moment.replace(tzinfo=UTC).astimezone(self.zone).date()

        def later(moment: datetime, low: int, high: int, hour: int) -> datetime:
            day = min(today, day_of(moment) + self.days(low, high))
            return max(moment + timedelta(minutes=5), self.at(day, hour, rng.randint(0, 59)))

        def event(cid, action, before, after, at, user=None, unit=None, due=None, note=None):
            event_rows.append((len(event_rows) + 1, cid, action, before, after, at, at, user, unit, due,
                               note))

        for cid, submitted in enumerate(moments, start=1):
            age = (today - day_of(submitted)).days
            if age <= 2:
                status = rng.choices(("submitted", "accepted", "rejected", "duplicate"), (60, 30, 5, 5))[0]
            elif age <= 10:
                status = rng.choices(("dispatched", "replied", "accepted", "closed", "rejected", "duplicate"),
                                     (50, 25, 5, 10, 5, 5))[0]
            else:
                status = rng.choices(("closed", "replied", "dispatched", "rejected", "duplicate"),
                                     (75, 5, 5, 8, 7))[0]
            if status == "duplicate" and not originals:
                status = "rejected"
            category, subject, description = COMPLAINT_TEXTS[cid % len(COMPLAINT_TEXTS)]
            unit = choose_unit() if rng.random() < 0.9 else None
            # the school and class, a common detail, one complaint in a thousand a rare one
            # (from the id, not the seeded stream, which the rest of the data follows)
            where = f"{unit.name}{GRADES[cid % len(GRADES)]}{cid % 12 + 1}班" if unit else "某校"
            extra = (RARE_DETAILS[(cid // 1000) % len(RARE_DETAILS)] if cid % 1000 == 7
                     else DETAILS[(cid * 7) % len(DETAILS)])
            description = f"{where}：{description}{extra}"
            channel = rng.choices(("web", "hotline", "letter", "visit", "mailbox"), (60, 25, 5, 5, 5))[0]
            while True:
                code = "".join(rng.choices(codes.ALPHABET, k=16))
                if code not in codes_made:
                    codes_made.add(code)
                    break
            row = {"id": cid, "tracking_code": code, "channel": channel, "category": category,
                   "unit_id": unit.id if unit else None, "subject": subject, "description": description,
                   "happened_on": day_of(submitted) - self.days(0, 10), "status": status,
                   "submitted_at": submitted, "name": "王先生" if cid % 3 == 0 else None,
                   "contact": f"139{cid:08d}" if cid % 3 == 0 else None,
                   "source_ip": "198.51.100.7" if channel == "web" else None}
            event(cid, "submit", None, "submitted", submitted, None if channel == "web" else office,
                  row["unit_id"])
            step = submitted
            if status in ("rejected", "duplicate"):
                step = later(step, 0, 2, 10)
                if status == "rejected":
                    row["reject_reason"] = "不属于教育系统作风问题受理范围。"
                    event(cid, "reject", "submitted", "rejected", step, office, note=row["reject_reason"])
                else:
                    row["duplicate_of_id"] = rng.choice(originals[-100:])
                    event(cid, "duplicate", "submitted", "duplicate", step, office,
                          note=f"#{row['duplicate_of_id']}")
            else:
                originals.append(cid)
            if status not in ("submitted", "rejected", "duplicate"):
                step = later(step, 0, 1, 9)
                event(cid, "accept", "submitted", "accepted", step, office)
            if status in ("dispatched", "replied", "closed"):
                step = later(step, 0, 2, 10)
                target = unit or choose_unit()
                due = due_after(day_of(step))
                row.update(dispatched_unit_id=target.id, first_dispatched_at=step,
                           first_dispatched_on=day_of(step), first_reply_due_on=due, reply_due_on=due)
                event(cid, "dispatch", "accepted", "dispatched", step, office, target.id, due)
                if status in ("replied", "closed"):
                    step = later(step, 1, 9 if target.id not in unhappy else 14, 16)
                    row.update(first_replied_on=day_of(step), reply_text=REPLY, replied_at=step)
                    event(cid, "reply", "dispatched", "replied", step, heads.get(target.id), target.id,
                          note=REPLY)
                    notice_sources.append((cid, target.id, day_of(step)))
                if status == "closed":
                    step = later(step, 0, 5, 15)
                    row.update(closed_at=step, resolved=rng.random() < 0.85)
                    event(cid, "close", "replied", "closed", step, office)
                    if rng.random() < 0.7:
                        weights = (25, 25, 50) if target.id in unhappy else (62, 26, 12)
                        rating = rng.choices(("satisfied", "basically_satisfied", "dissatisfied"), weights)[0]
                        step = later(step, 0, 10, 20)
                        row.update(rating=rating, rated_at=step)
                        event(cid, "rate", "closed", "closed", step, note=rating)
                    if rng.random() < 0.1:
                        row["is_published"] = True
                        event(cid, "publish", "closed", "closed", later(step, 0, 3, 11), office)
            complaint_rows.append(row)
        columns = ("id", "tracking_code", "channel", "category", "unit_id", "subject", "description",
                   "happened_on", "name", "contact", "source_ip", "external_id", "status", "submitted_at",
                   "reject_reason", "duplicate_of_id", "dispatched_unit_id", "first_dispatched_at",
                   "first_dispatched_on", "first_reply_due_on", "reply_due_on", "first_replied_on",
                   "reply_text", "replied_at", "closed_at", "resolved", "rating", "rating_comment",
                   "rated_at", "reopened_at", "is_published")
        defaults = {"is_published": False}
        load.load("complaints", columns,
                  (tuple(row.get(c, defaults.get(c)) for c in columns) for row in complaint_rows))
        load.load("complaint_events", ("id", "complaint_id", "action", "from_status", "to_status", "at",
                                       "recorded_at", "user_id", "unit_id", "due_on", "text"), event_rows)
        self.notices(load, notice_sources)

    def notices(self, load: Loader, sources: list[tuple[int, int, date]]) -> None:
        """Rectification notices issued on some answered complaints, in every state."""
        rng, today = self.rng, self.today
        count = min(len(sources), max(5, self.scale.complaints // 100))
        chosen = sorted(rng.sample(sources, count), key=lambda s: (s[2], s[0]))
        numbers: dict[int, int] = {}
        notice_rows, event_rows = [], []
        heads = {u.id: u.head_id for u in self.units}
        for nid, (cid, unit_id, issued_on) in enumerate(chosen, start=1):
            year = issued_on.year
            numbers[year] = numbers.get(year, 0) + 1
            due = issued_on + self.days(10, 30)
            issued_at = self.at(issued_on, 15)
            steps = rng.choices(("", "a", "ar", "arv"), (15, 20, 15, 50))[0]
            at = {"a": None, "r": None, "v": None}
            day = issued_on
            for step in steps:
                day = min(today, day + self.days(1, 8))
                at[step] = self.at(day, {"a": 9, "r": 17, "v": 11}[step])
            status = {"": "issued", "a": "acknowledged", "ar": "reported", "arv": "verified"}[steps]
            notice_rows.append((nid, year, numbers[year], unit_id, "complaint", cid,
                                "投诉反映的作风问题经核实属实。",
                                "一、立即整改；二、建立整改台账；三、按期报送整改报告。",
                                issued_on, due, status, issued_at, self.office_user_id, at["a"], at["r"],
                                "已逐条整改到位。" if at["r"] else None, at["v"]))
            events = [("issue", None, "issued", issued_at, self.office_user_id)]
            if at["a"]:
                events.append(("acknowledge", "issued", "acknowledged", at["a"], heads.get(unit_id)))
            if at["r"]:
                events.append(("report", "acknowledged", "reported", at["r"], heads.get(unit_id)))
            if at["v"]:
                events.append(("verify", "reported", "verified", at["v"], self.office_user_id))
            for action, before, after, moment, user in events:
                event_rows.append((len(event_rows) + 1, nid, action, before, after, moment, user, None))
        load.load("notices", ("id", "number_year", "number", "unit_id", "source_type", "complaint_id",
                              "problems", "requirements", "issued_on", "due_on", "status", "issued_at",
                              "issued_by_id", "acknowledged_at", "reported_at", "report_text", "verified_at"),
                  notice_rows)
        load.load("notice_events", ("id", "notice_id", "action", "from_status", "to_status", "at",
                                    "user_id", "text"), event_rows)

    # rating rounds ------------------------------------------------------------------

    def rating_rounds(self, load: Loader) -> int:
        """An earlier round (to close through the service) and the open round of this half-year."""
        rng, today = self.rng, self.today
        year, half = today.year, 1 if today.month <= 6 else 2
        earlier = (year, 1) if half == 2 else (year - 1, 2)
        dimensions = ratings.default_dimensions()
        groups = ratings.default_groups()
        units = self.round_units
        unhappy = set(rng.sample(units, max(1, len(units) // 30)))
        round_rows, unit_rows, dimension_rows, group_rows = [], [], [], []
        plans = []
        for round_id, ((y, h), ballots) in enumerate(
                ((earlier, max(self.scale.ballots // 10, 4 * len(units))),
                 ((year, half), self.scale.ballots)), start=1):
            start = date(y, 1 if h == 1 else 7, 1)
            opened = start + timedelta(days=140) if round_id == 1 else max(start, today - timedelta(days=20))
            round_rows.append((round_id, f"{y}年{'上' if h == 1 else '下'}半年机关作风评议", f"{y}-H{h}",
                               "open", False, self.at(opened - timedelta(days=7)), self.office_user_id,
                               self.at(opened), None))
            unit_rows += [(round_id, unit_id) for unit_id in units]
            dimension_ids = []
            for position, item in enumerate(dimensions):
                dimension_rows.append((len(dimension_rows) + 1, round_id, item.key, item.name, position))
                dimension_ids.append(len(dimension_rows))
            group_ids = []
            for position, item in enumerate(groups):
                group_rows.append((len(group_rows) + 1, round_id, item.key, item.name, item.weight, position))
                group_ids.append(len(group_rows))
            plans.append((round_id, opened, ballots, dimension_ids, group_ids))
        load.load("rating_rounds", ("id", "title", "period", "status", "results_public", "created_at",
                                    "created_by_id", "opened_at", "closed_at"), round_rows)
        load.load("rating_round_units", ("round_id", "unit_id"), unit_rows)
        load.load("rating_dimensions", ("id", "round_id", "key", "name", "position"), dimension_rows)
        load.load("rater_groups", ("id", "round_id", "key", "name", "weight", "position"), group_rows)

        made: set[str] = set()

        def new_code() -> str:
            while True:
                code = "".join(rng.choices(codes.ALPHABET, k=ratings.CODE_LENGTH))
                if code not in made:
                    made.add(code)
                    return code

        invitation_rows, ballot_rows = [], []
        answer_plan = []  # (ballot id, round's dimension ids)
        choose_group = picker(rng, range(len(GROUP_WEIGHTS)), [w for _key, w in GROUP_WEIGHTS])
        for round_id, opened, ballots, dimension_ids, group_ids in plans:
            created = self.at(opened)
            for _n in range(ballots):
                group = choose_group()
                invitation_id = len(invitation_rows) + 1
                cast = min(self.at(today, 8), created + timedelta(minutes=rng.randint(60, 60 * 24 * 20)))
                invitation_rows.append((invitation_id, round_id, group_ids[group], new_code(), group + 1,
                                        created, cast))
                ballot_rows.append((len(ballot_rows) + 1, round_id, group_ids[group], invitation_id, cast))
                answer_plan.append((len(ballot_rows), dimension_ids))
            if round_id == len(plans):
                for n in range(self.scale.spare_codes):
                    group = n % len(group_ids)
                    invitation_rows.append((len(invitation_rows) + 1, round_id, group_ids[group], new_code(),
                                            len(group_ids) + group + 1, created, None))
        load.load("invitations", ("id", "round_id", "group_id", "code", "batch", "created_at", "used_at"),
                  invitation_rows)
        load.load("ballots", ("id", "round_id", "group_id", "invitation_id", "cast_at"), ballot_rows)
        per_ballot = min(self.scale.units_per_ballot, len(units))
        values = list(ratings.BALLOT_VALUES.values())  # 100, 80, 60, 0
        usual, sour = picker(rng, values, (50, 34, 13, 3)), picker(rng, values, (20, 25, 30, 25))

        def answers() -> Iterator[tuple]:
            ident = 0
            for ballot_id, dimension_ids in answer_plan:
                for unit_id in rng.sample(units, per_ballot):
                    value = sour if unit_id in unhappy else usual
                    for dimension_id in dimension_ids:
                        ident += 1
                        yield ident, ballot_id, unit_id, dimension_id, value()

        load.load("ballot_answers", ("id", "ballot_id", "unit_id", "dimension_id", "value"), answers())
        return 1  # the round to close


# Loading a scale -------------------------------------------------------------

# the tables of a million rows: loaded without their keys and indexes, which are rebuilt after
BULK_TABLES = ("tasks", "milestones", "ledger_entries", "verifications", "round_snapshots", "findings",
               "complaints", "complaint_events", "notices", "notice_events", "invitations", "ballots",
               "ballot_answers")


def reply_due(today: date) -> Callable[[date], date]:
    """The reply deadline of a complaint dispatched on a day, counted as the app counts it
    (``complaints.reply_working_days`` working days of China's calendar; the generated bureau has
    no holidays or working days of its own), one calendar for every day."""
    import holidays

    from tracker.services import settings

    calendar = holidays.China(years=range(today.year - 1, today.year + 2))
    days = int(settings.get("complaints.reply_working_days"))
    cache: dict[date, date] = {}

    def due(day: date) -> date:
        if day not in cache:
            found, left = day, days
            while left:
                found += timedelta(days=1)
                left -= calendar.is_working_day(found)
            cache[day] = found
        return cache[day]

    return due


def rebuild_task_states(today: date) -> int | None:
    """Recompute the kept task states, if this version keeps them (None when it does not)."""
    try:
        from tracker.services import task_states
    except ImportError:
        print("tracker.services.task_states is missing: no kept task states to rebuild "
              "(the pages compute every task's state from the records).", file=sys.stderr)
        return None
    return task_states.rebuild(today)


def load(scale: Scale, today: date, password_hash: str, seed: int = SEED,
         report: Callable[[str], None] = lambda line: None) -> dict[str, int]:
    """Fill the (empty, migrated) database of the current app with ``scale``; return row counts."""
    from tracker.services import accountability

    if db.session.scalar(select(func.count()).select_from(User)):
        raise SystemExit("The database holds data already: generate into a fresh one.")
    bureau = Bureau(scale, today, password_hash, seed)
    conn = db.session.connection()
    loader = Loader(conn)
    started = time.perf_counter()

    def step(name: str, action: Callable[[], object]) -> object:
        begun = time.perf_counter()
        result = action()
        report(f"  {name:<22} {time.perf_counter() - begun:7.1f} s")
        return result

    step("organisation", lambda: bureau.organisation(loader))
    plan_id, measures = step("plan", lambda: bureau.plan(loader))
    with loader.bulk(BULK_TABLES):
        step("tasks and ledger", lambda: bureau.tasks_and_ledger(loader, plan_id, measures))
        step("supervision rounds", lambda: bureau.supervision(loader))
        step("complaints, notices", lambda: bureau.complaints(loader, reply_due(today)))
        round_id = step("rating rounds", lambda: bureau.rating_rounds(loader))
        begun = time.perf_counter()
    report(f"  {'keys and indexes':<22} {time.perf_counter() - begun:7.1f} s")
    loader.reset_sequences()
    step("statistics", loader.analyze)
    db.session.commit()
    kept = step("kept task states", lambda: rebuild_task_states(today))
    db.session.commit()
    office = db.session.scalar(select(User).where(User.username == "office"))
    rnd = db.session.get(RatingRound, round_id)
    closed_on = min(today - timedelta(days=1), rnd.opened_at.date() + timedelta(days=30))
    actor = audit.Actor(office, "127.0.0.1", bureau.aware(closed_on, 17))
    step("close earlier round", lambda: (ratings.close(actor, rnd),
                                         ratings.publish_results(actor, rnd)))
    step("accountability rules", lambda: accountability.evaluate(
        replace(actor, now=bureau.aware(today, 7)), today))
    db.session.commit()
    counts = dict(loader.counts)
    if kept is not None:
        counts["task_states"] = kept
    report(f"  {'total':<22} {time.perf_counter() - started:7.1f} s")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="district")
    parser.add_argument("--database-url", required=True, help="a fresh database (SQLite or PostgreSQL)")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the day the data is generated around (default: today)")
    parser.add_argument("--seed", type=int, default=SEED)
    options = parser.parse_args(argv)

    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.services import auth

    app = create_app({"DATABASE_URL": options.database_url, "SECRET_KEY": "bench-generate"})
    with app.app_context():
        upgrade()
        today = options.today or clock.today()
        scale = SCALES[options.scale]
        print(f"Generating the {scale.name} scale around {today} into "
              f"{db.engine.url.render_as_string(hide_password=True)}", flush=True)
        counts = load(scale, today, auth.hash_password(PASSWORD), options.seed,
                      report=lambda line: print(line, flush=True))
        for table, count in counts.items():
            print(f"  {table:<22} {count:>10,}")
        db.session.remove()
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
