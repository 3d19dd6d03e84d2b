"""The search index: it narrows and never changes the results — exactly the plain substring match.

On PostgreSQL the staff search asks a trigram GIN index over the *spaced* text
(``search.spaced``) first; these tests compare every kind's results with the
plain LIKE of the same columns, on hand-picked and random data and queries
(wildcards, backslash, the spacer itself, mixed case, digits, full-width
characters, two-character Chinese words), with the index forced on PostgreSQL,
and check that PostgreSQL does use the indexes and extracts trigrams from
Chinese text under the cluster's locale.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import Text, literal, or_, select, text

from tests.factories import complaint_input, notice_input
from tracker import clock
from tracker.extensions import db
from tracker.models import Complaint, Finding, Notice, Task
from tracker.models.search import spaced_sql
from tracker.services import complaints, notices, search, supervision

ALPHABET = "一中迟到乱收费城南小学学生家长食堂补课号年级班xXaAbBcCzZ0123456789%_\\ 　-〔〕（）３４ＡＢｃｘ#\n"
HAND_PICKED = (
    "一中",
    "迟到",
    "乱收费",
    "城南一中",
    "x",
    "X",
    "xx",
    "x一",
    "一x",
    "%",
    "%_",
    "_",
    "\\",
    "\\\\",
    "%一",
    "a_b",
    "A%B",
    "abc",
    "ABC",
    "aBc",
    "12",
    "2026",
    "〔2026〕3号",
    "３４",
    "ＡＢ",
    "ａｂ",
    "ｃ",
    "ｘ",
    "Ｘ",
    "  ",
    "一 中",
    "-",
    "#",
    "\n",
    "学生\n家长",
    "收费x",
    "zZ",
    "中一",
)

TEXTS = (
    "城南一中学生迟到",
    "乱收费问题",
    "ABC-2026 xyz",
    "abc_def 100%",
    "路径 C:\\temp\\一中",
    "ＡＢｃ３４全角",
    "x一x中x",
    "Xx一中xX",
    "〔2026〕3号 文件",
    "学生\n家长",
    "一 中 之间",
    "中一中",
)


def _random_text(rng: random.Random, low: int = 3, high: int = 24) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high))).strip() or "空"


def _line(value: str) -> str:
    """A one-line field's value: newlines are the multi-line fields' only."""
    return value.replace("\n", " ").strip() or "空"


def _queries(rng: random.Random, texts: list[str]) -> list[str]:
    queries = list(HAND_PICKED)
    for _ in range(60):
        source = rng.choice(texts)
        start = rng.randrange(len(source))
        piece = source[start : start + rng.randint(2, 5)]
        queries.append(piece.swapcase() if rng.random() < 0.3 else piece)
    queries += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(2, 3))) for _ in range(30)]
    return [q for q in queries if len(q) >= 1]


@pytest.fixture
def records(make):
    rng = random.Random(20261128)
    school = make.unit(name="城南一中")
    other = make.unit(name="城北x中学", peer_group="middle_schools")
    office = make.user("office")
    measure = make.measure(make.plan(status="active"))
    texts = list(TEXTS)
    tasks = []
    for number in range(36):
        title = _line(TEXTS[number] if number < len(TEXTS) else _random_text(rng))
        standard = _random_text(rng, 0, 30) or "按期完成"
        texts += [title, standard]
        tasks.append(make.task(measure, unit=school if number % 3 else other, title=title, standard=standard))
    for number in range(48):
        subject = _line(_random_text(rng, 0, 12) if number >= len(TEXTS) else TEXTS[-number - 1])
        description = _random_text(rng, 6, 40).ljust(5, "。")
        name = _line(_random_text(rng, 2, 5)) if number % 2 else None
        texts += [subject, description] + ([name] if name else [])
        complaint = complaints.submit(
            make.actor(),
            complaint_input(
                category="other",
                subject=subject,
                description=description,
                name=name,
                contact="13900001111" if name else None,
                unit_id=school.id,
            ),
        )
        if number % 4:
            complaints.accept(make.actor(office), complaint)
            complaints.dispatch(make.actor(office), complaint, school.id if number % 3 else other.id)
        texts.append(complaint.tracking_code)
    for number in range(10):
        problems = TEXTS[number] if number < 5 else _random_text(rng, 2, 30)
        texts.append(problems)
        notices.issue(
            make.actor(office),
            notice_input(
                unit_id=(school if number % 2 else other).id,
                source_type="inspection",
                problems=problems,
                requirements="整改",
                due_on=clock.today() + timedelta(days=7),
            ),
        )
    supervision.start_round(make.actor(), supervision.last_full_week(clock.today()))
    db.session.commit()
    return {
        "office": office,
        "head": make.user("unit_head", unit=school),
        "leader": make.user("leader"),
        "texts": texts,
        "rng": rng,
        "tasks": tasks,
    }


@contextmanager
def index_forced():
    """On PostgreSQL, no sequential scans: what the index's condition selects is what is found."""
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql:
        db.session.execute(text("SET enable_seqscan = off"))
    try:
        yield
    finally:
        if postgresql:
            db.session.execute(text("RESET enable_seqscan"))


def _reference(kind: str, user, q: str):
    """The plain substring match of each kind, without the index's condition (as before the index)."""
    if kind == "tasks":
        return select_ids(search.ledger_view.LedgerFilter(q=q).task_conditions(user), Task)
    if kind == "complaints":
        code = search.re.sub(r"[\s\-]", "", q).upper()
        matches = [
            Complaint.tracking_code.contains(code, autoescape=True),
            Complaint.subject.icontains(q, autoescape=True),
            Complaint.description.icontains(q, autoescape=True),
        ]
        number = q.removeprefix("#").strip()
        if number.isascii() and number.isdigit() and len(number) < 10:
            matches.append(Complaint.id == int(number))
        if search.permissions.can(user, "complaint.personal"):
            matches.append(Complaint.name.icontains(q, autoescape=True))
        return ids(complaints.list_query(user).where(or_(*matches)))
    if kind == "notices":
        return ids(
            notices.list_query(user, as_of=clock.today()).where(
                or_(
                    search._numbered(Notice.number_year, Notice.number, q),
                    Notice.problems.icontains(q, autoescape=True),
                )
            )
        )
    if kind == "findings":
        return ids(
            supervision.findings_query(user)
            .join(Task, Task.id == Finding.task_id)
            .where(Task.title.icontains(q, autoescape=True))
        )
    raise AssertionError(kind)


def select_ids(conditions, model):
    return ids(select(model).where(*conditions).order_by(model.id))


def ids(stmt) -> list[int]:
    return [row.id for row in db.session.scalars(stmt).unique()]


def _found(kind: str, user, q: str) -> list[int]:
    return sorted(row.id for row in db.session.scalars(search.QUERIES[kind](user, q)).unique())


@pytest.mark.parametrize("role", ["office", "head"])
def test_every_kind_finds_exactly_what_the_substring_match_finds(records, role):
    user = records[role]
    queries = _queries(records["rng"], records["texts"])
    checked = {"tasks": 0, "complaints": 0, "notices": 0, "findings": 0}
    for q in queries:
        for kind in checked:
            in_order = _reference(kind, user, q)
            expected = sorted(in_order)
            with index_forced():
                found = _found(kind, user, q)
                if kind == "findings":  # as the page asks: the first few, loaded afterwards
                    first = [row.id for row in db.session.scalars(search.finding_query(user, q, 3)).unique()]
                    assert first == in_order[:3], q
            assert found == expected, (kind, q)
            checked[kind] += bool(expected)
    # the data is such that every kind has many non-empty answers to compare
    assert all(count >= 10 for count in checked.values()), checked


def test_the_spaced_text_is_the_same_in_python_and_in_the_database(app):
    assert search.spaced("一中") == "x一x中x"
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps no spaced text
    for sample in TEXTS + HAND_PICKED:
        in_sql = db.session.scalar(select(spaced_sql(literal(sample, Text))))
        assert in_sql == search.spaced(sample), sample


def _postgresql_only():
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("the search index is PostgreSQL's; SQLite scans")


def test_pg_trgm_extracts_trigrams_from_chinese_under_the_clusters_locale(app):
    _postgresql_only()
    trigrams = db.session.scalar(text("SELECT show_trgm(:q)"), {"q": search.spaced("一中")})
    assert len(trigrams) >= 3  # x一x, 一x中, x中x (and the padded ends): none of them dropped
    plain = db.session.scalar(text("SELECT show_trgm('城南一中')"))
    assert len(plain) >= 4


@pytest.mark.parametrize(
    "kind,table",
    [("tasks", "tasks"), ("complaints", "complaints"), ("notices", "notices"), ("findings", "tasks")],
)
@pytest.mark.parametrize("q,index", [("一中", "search"), ("乱收费", "trigrams"), ("〔2026〕3号", "trigrams")])
def test_postgresql_answers_from_the_search_index(make, kind, table, q, index):
    """With neither sequential nor plain index scans (the test data is too small for the planner to
    want the index), PostgreSQL still finds an index for the query: the spaced one for two
    characters, the plain one for three letters or digits in a row — their expressions are the
    ones the query writes."""
    index = f"ix_{table}_{index}"
    _postgresql_only()
    compiled = search.QUERIES[kind](make.user("office"), q).compile(
        dialect=db.session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    db.session.execute(text("SET enable_indexscan = off"))
    try:
        with index_forced():
            plan = "\n".join(db.session.execute(text(f"EXPLAIN {compiled}".replace(":", "\\:"))).scalars())
    finally:
        db.session.execute(text("RESET enable_indexscan"))
    assert f"Bitmap Index Scan on {index}" in plan, plan
