"""One search box for staff: a few matches of each kind of record, each scoped as its list page is.

``search(user, q, limit)`` runs one query per kind (never per row): tasks as the
ledger lists them (``ledger_view``), complaints, notices, accountability flags
and weekly-round findings through their list queries, bulletins as /bulletins
lists them (drafts only for those who read drafts) and the units the user reads.
The match is a case-insensitive substring (LIKE, wildcards escaped): Chinese
words of any length, numbers and codes. A complainant's name is searched only
for those who see it (``complaint.personal``); their contact never.

**The indexes (PostgreSQL).** A substring match cannot use a B-tree, and the
usual answer, ``pg_trgm``, looks up trigrams: a query of fewer than three
characters has none, and most Chinese searches are two characters (一中, 迟到,
补课). So each searched text has two GIN indexes (``gin_trgm_ops``;
``tracker/models/search.py``, migration 0019): one over the text *spaced* —
``x`` before and after every character (``spaced``: 一中 → x一x中x) — where two
characters are five, with the trigram 一x中 the index finds (in effect a
bigram index; longer queries give one such trigram per pair of characters);
and one over the plain text, asked when the query has three letters or
digits in a row (``_TRIGRAM``), whose proposed rows are checked without
computing their spaced text. Either is only a filter the index answers:
every record whose text holds ``q`` passes it, so nothing is lost, and the
plain substring test of each column still decides — the results are exactly
those of the substring match (``tests/services/test_search_index.py`` compares
them with the plain LIKE). pg_trgm keeps only letters and digits by the
database's LC_CTYPE; under ``C.UTF-8``, the clusters' locale, Chinese
characters count (the same tests ask ``show_trgm``). Indexed: tasks' titles
and standards, complaints (tracking code, subject, description and name,
joined by spaces) and notices' problems; findings are searched through the
tasks whose title matches, taken first. Units and bulletins (thousands of
rows at most) are scanned. The indexes are part of their tables: every write
keeps them in its own transaction, nothing is derived, nothing can drift.

Chosen by measurement at city scale (``bench --only search``: 100,000 tasks,
300,000 complaints): without an index each query scans, about a second for
the complaints alone; a plain trigram index serves no two-character query;
the spaced index serves all of them (``bench/README.md``, ``bench/results/``).
Its cost is the check of each row it proposes, which computes the row's
spaced text: a two-character word that thousands of records hold costs 100 ms
and more.

**SQLite** scans (LIKE): FTS5's trigram tokenizer has the same
three-character floor as pg_trgm. At district scale (5,000 tasks, 30,000
complaints) the scan is fast enough: 28–144 ms p50, at most 219 ms p95
(``bench/results/district-sqlite-search-*``); a city on SQLite would need an
index of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker import clock
from tracker.extensions import db
from tracker.models import Bulletin, Complaint, Finding, Flag, FlagRule, Notice, Task, Unit, User
from tracker.models.search import SPACER, complaint_text, notice_text, spaced_sql, task_standard, task_title
from tracker.services import (
    accountability,
    bulletins,
    complaints,
    ledger_view,
    notices,
    permissions,
    supervision,
    validation,
)

MIN_LENGTH = 2
MAX_LENGTH = 100
LIMIT = 10
KINDS = ("tasks", "complaints", "notices", "bulletins", "findings", "flags", "units")

# 〔2026〕3号, [2026]3, (2026)3号, 教作整〔2026〕3号 …: a document number's year and number (the
# organ's prefix, which the settings may change, is not kept with the number and is passed over)
_DOC_NUMBER = re.compile(r"^[^〔\[［(（\d]{0,20}[〔\[［(（]\s*(\d{4})\s*[〕\]］)）]\s*(\d{1,6})\s*号?$")
_NUMBER = re.compile(r"^(\d{1,6})\s*号?$")


def clean(q: str | None) -> str:
    """The query as searched: stripped, cut to ``MAX_LENGTH``."""
    return (q or "").strip()[:MAX_LENGTH]


def searchable(q: str) -> bool:
    """Whether ``q`` (cleaned) is long enough to search, and free of NUL (no stored text holds one)."""
    return len(q) >= MIN_LENGTH and not validation.holds_nul(q)


@dataclass
class Found:
    rows: list = field(default_factory=list)
    more: bool = False


@dataclass
class Results:
    q: str
    searched: bool
    kinds: dict[str, Found] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(found.rows) for found in self.kinds.values())


def doc_number(q: str) -> tuple[int | None, int | None]:
    """The (year, number) a query names as a document number: both, the number alone, or neither."""
    if match := _DOC_NUMBER.match(q):
        return int(match.group(1)), int(match.group(2))
    if match := _NUMBER.match(q):
        return None, int(match.group(1))
    return None, None


def _numbered(year_column, number_column, q: str):
    year, number = doc_number(q)
    if number is None:
        return false()
    if year is None:
        return number_column == number
    return (year_column == year) & (number_column == number)


def spaced(text: str) -> str:
    """``text`` with ``SPACER`` before and after every character: 一中 → x一x中x."""
    return SPACER + "".join(ch + SPACER for ch in text)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_TRIGRAM = re.compile(r"[^\W_]{3}")  # three letters or digits in a row: a trigram pg_trgm keeps


def indexed(needle: str, *searched: ColumnElement) -> list[ColumnElement]:
    """The condition the search indexes answer (PostgreSQL): one of the searched texts holds
    ``needle``, case-insensitively — asked of the plain trigram indexes when ``needle`` has a
    trigram of its own, else of the spaced ones (the spaced text holds the spaced ``needle``). It
    holds for every row where one of the texts holds ``needle``, so it only narrows; the exact test
    follows it. None on SQLite, which scans."""
    if db.session.get_bind().dialect.name != "postgresql":
        return []
    if _TRIGRAM.search(needle):
        pattern = _like_pattern(needle)
        return [or_(*(text.ilike(pattern) for text in searched))]
    pattern = _like_pattern(spaced(needle))
    return [or_(*(spaced_sql(text).ilike(pattern) for text in searched))]


def task_query(user: User, q: str) -> Select:
    """Tasks whose title or standard holds ``q``, as the ledger lists them for ``user``."""
    needle = q.strip()[:100]  # as the ledger's filter takes it
    narrowed = ledger_view.LedgerFilter(q=q, extra=indexed(needle, task_title(), task_standard()))
    conditions = narrowed.task_conditions(user)
    return (select(Task).where(*conditions).options(selectinload(Task.owner_unit))
            .order_by(Task.due_on, Task.id))


def complaint_query(user: User, q: str) -> Select:
    """Complaints by number, tracking code, subject or description (and name, for those who see it)."""
    code = re.sub(r"[\s\-]", "", q).upper()
    words = [Complaint.subject.icontains(q, autoescape=True),
             Complaint.description.icontains(q, autoescape=True)]
    if permissions.can(user, "complaint.personal"):
        words.append(Complaint.name.icontains(q, autoescape=True))
    matches = [and_(*indexed(code, complaint_text()),
                    Complaint.tracking_code.contains(code, autoescape=True)),
               and_(*indexed(q, complaint_text()), or_(*words))]
    number = q.removeprefix("#").strip()  # the number the complaint pages show, "#12" or "12"
    if number.isascii() and number.isdigit() and len(number) < 10:
        matches.append(Complaint.id == int(number))
    return complaints.list_query(user).where(or_(*matches))


def notice_query(user: User, q: str) -> Select:
    """Notices by 文号 (〔2026〕3号, or the number alone) or the words of their problems."""
    return notices.list_query(user, as_of=clock.today()).options(joinedload(Notice.unit)).where(
        or_(_numbered(Notice.number_year, Notice.number, q),
            and_(*indexed(q, notice_text()), Notice.problems.icontains(q, autoescape=True))))


def bulletin_query(user: User, q: str) -> Select:
    """Bulletins by title or number, drafts only for those who read drafts."""
    return bulletins.list_query(user).where(
        or_(Bulletin.title.icontains(q, autoescape=True),
            _numbered(Bulletin.number_year, Bulletin.number, q)))


def finding_query(user: User, q: str, limit: int | None = None) -> Select:
    """Weekly-round findings by their task's title, scoped as the user's findings are; with ``limit``,
    the first ``limit`` found before their task, unit and round are loaded (not every match's)."""
    tasks = select(Task.id).where(*indexed(q, task_title()), Task.title.icontains(q, autoescape=True))
    if db.session.get_bind().dialect.name == "postgresql":
        # the matching tasks first (from the index), then their findings: left to itself the planner
        # walks the latest rounds' findings and looks up each one's task, which for a common word
        # costs a lookup per finding
        matching = tasks.cte("matching_tasks").prefix_with("MATERIALIZED")
        tasks = select(matching.c.id)
    found = supervision.findings_query(user).where(Finding.task_id.in_(tasks))
    if limit is None:
        return found
    first = found.with_only_columns(Finding.id).limit(limit)
    return supervision.findings_query(user).where(Finding.id.in_(first))


def _rules(q: str) -> list[str]:
    """The flag rules whose label (in the current language or Chinese) holds ``q``."""
    needle = q.lower()
    return [rule.value for rule in FlagRule
            if needle in str(rule.label).lower() or needle in (rule.zh or "") or needle in rule.value]


def flag_query(user: User, q: str) -> Select:
    """Accountability flags by their unit's name or their rule."""
    matches = [Flag.unit_id.in_(select(Unit.id).where(Unit.name.icontains(q, autoescape=True)))]
    if rules := _rules(q):
        matches.append(Flag.rule.in_(rules))
    return accountability.flags_query(user).where(or_(*matches))


def unit_query(user: User, q: str) -> Select:
    """Active units by name, among those whose records the user reads."""
    return (select(Unit).where(Unit.is_archived.is_(False), permissions.unit_scope(user, Unit.id),
                               Unit.name.icontains(q, autoescape=True))
            .order_by(Unit.name, Unit.id))


QUERIES = {"tasks": task_query, "complaints": complaint_query, "notices": notice_query,
           "bulletins": bulletin_query, "findings": finding_query, "flags": flag_query,
           "units": unit_query}

# the kinds a role may not list at all are left out rather than searched empty
_ALLOWED = {"complaints": "complaint.list", "notices": "notice.view", "flags": "flag.view",
            "tasks": "ledger.view", "units": "unit.view"}


def search(user: User, q: str | None, limit: int = LIMIT) -> Results:
    """Up to ``limit`` matches of each kind ``user`` may list, and whether there are more."""
    q = clean(q)
    if validation.holds_nul(q):  # neither searched nor shown back
        q = ""
    if not searchable(q):
        return Results(q=q, searched=False)
    results = Results(q=q, searched=True)
    for kind in KINDS:
        action = _ALLOWED.get(kind)
        if action is not None and not permissions.can(user, action):
            continue
        stmt = finding_query(user, q, limit + 1) if kind == "findings" else QUERIES[kind](user, q)
        rows = list(db.session.scalars(stmt.limit(limit + 1)).unique())
        results.kinds[kind] = Found(rows=rows[:limit], more=len(rows) > limit)
    return results
