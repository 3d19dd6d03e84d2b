"""Office-editable parameters: defaults from docs/domain.md, values in the database."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Setting
from tracker.services import audit
from tracker.services.errors import InvalidInput


@dataclass(frozen=True)
class Definition:
    key: str
    group: Any
    label: Any
    kind: str  # "int", "float", "dates", "text_list", "url", "text"
    default: Any
    minimum: float | None = None
    maximum: float | None = None


GROUPS = {
    "auth": _l("Sign-in security"),
    "ledger": _l("Task ledger"),
    "complaints": _l("Complaints"),
    "notices": _l("Rectification notices"),
    "ratings": _l("Rating rounds"),
    "rules": _l("Accountability rules"),
    "documents": _l("Official documents"),
    "chat": _l("Work chat"),
}

DEFINITIONS: tuple[Definition, ...] = (
    Definition("auth.max_failed_logins", "auth", _l("Failed log-ins from one address before the account is locked for that address"), "int", 5, 1, 50),
    Definition("auth.account_max_failed_logins", "auth", _l("Failed log-ins within an hour from all addresses before the account is locked everywhere"), "int", 50, 5, 100),
    Definition("auth.lockout_minutes", "auth", _l("Lockout duration (minutes)"), "int", 15, 1, 1440),
    Definition("ledger.reporting_period_days", "ledger", _l("Reporting period (days); a task is stale after it"), "int", 7, 1, 90),
    Definition("ledger.lagging_points", "ledger", _l("Lagging when planned minus actual reaches (points)"), "int", 15, 1, 100),
    Definition("ledger.due_soon_days", "ledger", _l("Yellow light when due within (days)"), "int", 3, 0, 60),
    Definition("forecast.window_days", "ledger", _l("Foresight: the pace of the last (days)"), "int", 28, 7, 120),
    Definition("forecast.margin_days", "ledger", _l("Foresight: warn when projected later than the due date by more than (days)"), "int", 0, 0, 30),
    Definition("ledger.upload_max_mb", "ledger", _l("Largest evidence file (MB)"), "int", 20, 1, 200),
    Definition("complaints.reply_working_days", "complaints", _l("Reply deadline (working days)"), "int", 5, 1, 60),
    Definition("complaints.rating_window_days", "complaints", _l("Satisfaction rating open for (days after closing)"), "int", 15, 1, 90),
    Definition("complaints.min_dispatched_ranked", "complaints", _l("Fewest dispatched complaints for a unit to be ranked"), "int", 5, 1, 1000),
    Definition("complaints.weight_response", "complaints", _l("Weight of the response rate"), "float", 0.30, 0, 1),
    Definition("complaints.weight_resolution", "complaints", _l("Weight of the resolution rate"), "float", 0.35, 0, 1),
    Definition("complaints.weight_satisfaction", "complaints", _l("Weight of the satisfaction rate"), "float", 0.35, 0, 1),
    Definition("complaints.extra_holidays", "complaints", _l("Extra holidays (one date per line)"), "dates", []),
    Definition("complaints.extra_workdays", "complaints", _l("Extra working days (one date per line)"), "dates", []),
    Definition("notices.orange_days", "notices", _l("Orange when the deadline is within (days)"), "int", 3, 0, 60),
    Definition("ratings.min_ballots", "ratings", _l("Fewest ballots for a unit to be ranked"), "int", 10, 1, 10000),
    Definition("ratings.dimensions", "ratings", _l("Default dimensions (one per line)"), "text_list", ["精神状态", "工作作风", "任务落实"]),
    Definition("ratings.weight_service_recipients", "ratings", _l("Weight of service recipients (teachers, students, parents)"), "float", 40, 0, 100),
    Definition("ratings.weight_grassroots_cadres", "ratings", _l("Weight of grassroots cadres"), "float", 30, 0, 100),
    Definition("ratings.weight_public", "ratings", _l("Weight of the general public"), "float", 30, 0, 100),
    Definition("rules.bottom_percent", "rules", _l("Persistently low: bottom share of the peer group (%)"), "int", 10, 1, 100),
    Definition("rules.dissent_percent", "rules", _l("Strong dissent: dissatisfaction rate at least (%)"), "float", 20, 0, 100),
    Definition("rules.lagging_rounds", "rules", _l("Poor delivery: consecutive rounds with a lagging finding"), "int", 3, 1, 52),
    Definition("rules.task_overdue_days", "rules", _l("Poor delivery: task overdue by more than (days)"), "int", 14, 0, 365),
    Definition("rules.notice_overdue_days", "rules", _l("Long overdue: notice overdue by more than (days)"), "int", 14, 0, 365),
    Definition("rules.satisfaction_percent", "rules", _l("Low satisfaction: complaint satisfaction below (%)"), "float", 85, 0, 100),
    Definition("rules.satisfaction_min_rated", "rules", _l("Low satisfaction: fewest rated complaints in the month"), "int", 10, 1, 10000),
    Definition("rules.criticism_lagging_rounds", "rules", _l("Bulletin criticism: lagging findings in a month at least"), "int", 2, 1, 6),
    # "text": one line; minimum 1 makes it required, maximum is the length
    Definition("documents.organ_name", "documents", _l("Issuing organ: the red masthead, the signature, and where units send their reports"), "text", "作风整顿工作领导小组办公室", 1, 60),
    Definition("documents.prefix.bulletin", "documents", _l("Document-number prefix of bulletins (机关代字)"), "text", "教作整通", 1, 20),
    Definition("documents.prefix.notice", "documents", _l("Document-number prefix of rectification notices (机关代字)"), "text", "教作整改", 1, 20),
    Definition("documents.copies_to", "documents", _l("Copies to (抄送), separated by 、; empty: none"), "text", "局领导班子成员", 0, 200),
    Definition("site.base_url", "chat", _l("Address of the site, for links in work-chat messages (e.g. https://zfzd.example.edu.cn)"), "url", ""),
    Definition("chat.max_attempts", "chat", _l("Attempts to deliver a work-chat message before it is marked failed"), "int", 5, 1, 20),
)  # fmt: skip
BY_KEY = {d.key: d for d in DEFINITIONS}
# the settings a task's status reads: changing one recomputes every kept task state
THRESHOLD_KEYS = {"ledger.lagging_points", "ledger.reporting_period_days", "ledger.due_soon_days"}
# what the modules that read settings do when ``update`` changes them (see ``on_change``)
_REACTIONS: list[tuple[frozenset[str], Callable[[audit.Actor], None]]] = []


def on_change(keys: Iterable[str]):
    """Register ``reaction(actor)``: ``update`` calls it, after a flush and in the same
    transaction, when it changed one of ``keys`` (task_states rebuilds the kept states
    when a threshold changes). Settings thus import none of the modules that read them.
    """
    def register(reaction: Callable[[audit.Actor], None]):
        _REACTIONS.append((frozenset(keys), reaction))
        return reaction

    return register


def values() -> dict[str, Any]:
    """Return every setting: the stored value, else the default."""
    stored = dict(db.session.execute(select(Setting.key, Setting.value)).all())
    return {d.key: stored.get(d.key, d.default) for d in DEFINITIONS}


def get(key: str) -> Any:
    """Return one setting's value."""
    stored = db.session.get(Setting, key)
    return stored.value if stored is not None else BY_KEY[key].default


def to_text(definition: Definition, value: Any) -> str:
    """Render a value the way the settings form shows it."""
    if definition.kind in ("dates", "text_list"):
        return "\n".join(value)
    return str(value)


def parse(definition: Definition, raw: str | None) -> Any:
    """Turn the text of a form field into a value, or raise ValueError with a message."""
    text = (raw or "").strip()
    if definition.kind in ("int", "float"):
        if not text:
            raise ValueError(_("This field is required."))
        try:
            value = int(text) if definition.kind == "int" else float(text)
            if not math.isfinite(value):  # "nan" and "inf" parse as floats
                raise ValueError
        except ValueError:
            raise ValueError(
                _("Enter a whole number.") if definition.kind == "int" else _("Enter a number.")
            ) from None
        if definition.minimum is not None and value < definition.minimum:
            raise ValueError(_("At least %(n)s.", n=definition.minimum))
        if definition.maximum is not None and value > definition.maximum:
            raise ValueError(_("At most %(n)s.", n=definition.maximum))
        return value
    if definition.kind == "url":
        if text and (not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", text) or len(text) > 200):
            raise ValueError(_("Enter the address as http(s)://host, without a query."))
        return text.rstrip("/")
    if definition.kind == "text":
        if not text and definition.minimum:
            raise ValueError(_("This field is required."))
        if len(text) > (definition.maximum or 100) or not text.isprintable():
            raise ValueError(_("One line of at most %(n)s printable characters.", n=int(definition.maximum or 100)))
        return text
    items = [item.strip() for item in re.split(r"[\n,，]+", text) if item.strip()]
    if definition.kind == "dates":
        for item in items:
            try:
                date.fromisoformat(item)
            except ValueError:
                raise ValueError(_("%(value)s is not a date (YYYY-MM-DD).", value=item[:20])) from None
        return sorted(set(items))
    if not items:
        raise ValueError(_("This field is required."))
    for item in items:
        if len(item) > 50 or not item.isprintable():
            raise ValueError(_("Each line holds at most 50 printable characters."))
    return items


def update(actor: audit.Actor, raw: dict[str, str]) -> dict[str, list[Any]]:
    """Validate and store the given settings; all of them or none."""
    errors, parsed = {}, {}
    for key, text in raw.items():
        definition = BY_KEY.get(key)
        if definition is None:
            errors[key] = _("Unknown setting.")
            continue
        try:
            parsed[key] = parse(definition, text)
        except ValueError as exc:
            errors[key] = str(exc)
    if errors:
        raise InvalidInput(_("Some settings are not valid."), errors)
    changes, changed_row = {}, None
    for key, value in parsed.items():
        row = db.session.get(Setting, key)
        old = row.value if row is not None else BY_KEY[key].default
        if old == value:
            continue
        if row is None:
            row = Setting(key=key, value=value, updated_at=actor.now)
            db.session.add(row)
        row.value, row.updated_at = value, actor.now
        row.updated_by_id = actor.user.id if actor.user else None
        changes[key] = [old, value]
        changed_row = row
    if changes:
        audit.record(actor, "settings.update", changed_row, changes)
    for keys, reaction in _REACTIONS:
        if changes.keys() & keys:
            db.session.flush()
            reaction(actor)
    return changes
