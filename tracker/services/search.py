"""One search box for staff: a few matches of each kind of record, each scoped as its list page is.

``search(user, q, limit)`` runs one query per kind (never per row): tasks as the
ledger lists them (``ledger_view``), complaints, notices, accountability flags
and weekly-round findings through their list queries, bulletins as /bulletins
lists them (drafts only for those who read drafts) and the units the user reads.
The match is a case-insensitive substring (LIKE, wildcards escaped) — enough
for Chinese titles and names, numbers and codes in a first version. A
complainant's name is searched only for those who see it (``complaint.personal``);
their contact never.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker import clock
from tracker.extensions import db
from tracker.models import Bulletin, Complaint, Finding, Flag, FlagRule, Notice, Task, Unit, User
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

# 〔2026〕3号, [2026]3, (2026)3号 …: a document number's year and number
_DOC_NUMBER = re.compile(r"^[〔\[［(（]\s*(\d{4})\s*[〕\]］)）]\s*(\d{1,6})\s*号?$")
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


def _doc_number(q: str) -> tuple[int | None, int | None]:
    """The (year, number) a query names as a document number: both, the number alone, or neither."""
    if match := _DOC_NUMBER.match(q):
        return int(match.group(1)), int(match.group(2))
    if match := _NUMBER.match(q):
        return None, int(match.group(1))
    return None, None


def _numbered(year_column, number_column, q: str):
    year, number = _doc_number(q)
    if number is None:
        return false()
    if year is None:
        return number_column == number
    return (year_column == year) & (number_column == number)


def task_query(user: User, q: str) -> Select:
    """Tasks whose title or standard holds ``q``, as the ledger lists them for ``user``."""
    conditions = ledger_view.LedgerFilter(q=q).task_conditions(user)
    return (select(Task).where(*conditions).options(selectinload(Task.owner_unit))
            .order_by(Task.due_on, Task.id))


def complaint_query(user: User, q: str) -> Select:
    """Complaints by number, tracking code, subject or description (and name, for those who see it)."""
    code = re.sub(r"[\s\-]", "", q).upper()
    matches = [Complaint.tracking_code.contains(code, autoescape=True),
               Complaint.subject.icontains(q, autoescape=True),
               Complaint.description.icontains(q, autoescape=True)]
    number = q.removeprefix("#").strip()  # the number the complaint pages show, "#12" or "12"
    if number.isascii() and number.isdigit() and len(number) < 10:
        matches.append(Complaint.id == int(number))
    if permissions.can(user, "complaint.personal"):
        matches.append(Complaint.name.icontains(q, autoescape=True))
    return complaints.list_query(user).where(or_(*matches))


def notice_query(user: User, q: str) -> Select:
    """Notices by 文号 (〔2026〕3号, or the number alone) or the words of their problems."""
    return notices.list_query(user, as_of=clock.today()).options(joinedload(Notice.unit)).where(
        or_(_numbered(Notice.number_year, Notice.number, q), Notice.problems.icontains(q, autoescape=True)))


def bulletin_query(user: User, q: str) -> Select:
    """Bulletins by title or number, drafts only for those who read drafts."""
    return bulletins.list_query(user).where(
        or_(Bulletin.title.icontains(q, autoescape=True),
            _numbered(Bulletin.number_year, Bulletin.number, q)))


def finding_query(user: User, q: str) -> Select:
    """Weekly-round findings by their task's title, scoped as the user's findings are."""
    return supervision.findings_query(user).join(Task, Task.id == Finding.task_id).where(
        Task.title.icontains(q, autoescape=True))


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
        rows = list(db.session.scalars(QUERIES[kind](user, q).limit(limit + 1)).unique())
        results.kinds[kind] = Found(rows=rows[:limit], more=len(rows) > limit)
    return results
