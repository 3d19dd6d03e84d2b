"""The three complaint rates per unit and period (docs/domain.md "Complaints and rectification notices").

Over the complaints **first dispatched** to a unit within the period (the
unit is the complaint's dispatched unit, its first dispatch date falls in the
period):

- response rate 响应率 = first reply on or before the first reply deadline ÷ dispatched;
- resolution rate 解决率 = closed as resolved ÷ closed;
- satisfaction rate 满意率 = (满意 + 基本满意) ÷ rated.

A rate with an empty denominator is null. The score is 100 × the weighted
mean of the rates (settings ``complaints.weight_*``), the weights of null
rates dropped and the rest renormalised; null when every rate is null.

Rounding: rates are fractions 0..1 rounded to 4 decimals; the score is
computed from the unrounded rates and rounded to 2 decimals; ranks compare
the rounded scores (what is shown ties, ties). A unit with fewer than
``complaints.min_dispatched_ranked`` dispatched complaints is listed, not
ranked; ranks are within the unit's peer group (``rankings.rank_lines``).
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from tracker.extensions import db
from tracker.models import Complaint, Unit, User
from tracker.services import official_docx, periods, permissions, rankings, settings
from tracker.services.errors import InvalidInput

YEAR = re.compile(r"^(\d{4})$")
FIELDS = ("unit_id", "dispatched", "replied_on_time", "closed", "resolved", "rated", "satisfied",
          "basically_satisfied", "dissatisfied", "response_rate", "resolution_rate",
          "satisfaction_rate", "score", "rank")
XLSX_HEADERS = ("排名", "单位", "同类组", "下派件数", "按时答复", "办结", "解决", "评价件数", "满意",
                "基本满意", "不满意", "响应率", "解决率", "满意率", "综合得分")


def parse_period(key: Any):
    """Return the Period of ``2026-10``, ``2026-Q4``, ``2026-H2`` or ``2026``; raise InvalidInput."""
    if isinstance(key, str):
        key = key.strip()
        match = YEAR.match(key)
        if match and 2000 <= int(match.group(1)) <= 2100:
            year = int(match.group(1))
            return periods.Period("yearly", key, date(year, 1, 1),
                                  date(year, 12, calendar.monthrange(year, 12)[1]))
        for kind, pattern in periods.PATTERNS.items():
            if pattern.match(key):
                try:
                    return periods.parse_period(kind, key)
                except InvalidInput:
                    break
    raise InvalidInput(_("Please correct the marked fields."),
                       {"period": _("Write the period like 2026-10, 2026-Q4, 2026-H2 or 2026.")})


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def weights() -> dict[str, float]:
    return {"response_rate": float(settings.get("complaints.weight_response")),
            "resolution_rate": float(settings.get("complaints.weight_resolution")),
            "satisfaction_rate": float(settings.get("complaints.weight_satisfaction"))}


def score(rates: dict[str, float | None], weight: dict[str, float]) -> float | None:
    """100 × the weighted mean of the non-null rates (their weights renormalised), or None."""
    used = {name: weight[name] for name, value in rates.items() if value is not None}
    total = sum(used.values())
    if not used or total <= 0:
        return None
    return 100 * sum(weight * rates[name] for name, weight in used.items()) / total


def stats(period, user: User | None = None, unit_id: int | None = None) -> list[dict]:
    """Return the rows of every unit with a complaint first dispatched to it in the period.

    Ranks are computed over all units; ``user`` (when given) then keeps the rows
    of the units they may read, and ``unit_id`` one unit.
    """
    in_period = and_(Complaint.dispatched_unit_id.is_not(None),
                     Complaint.first_dispatched_on >= period.starts_on,
                     Complaint.first_dispatched_on <= period.ends_on)
    closed = Complaint.status == "closed"
    rows = db.session.execute(
        select(
            Unit.id, Unit.name, Unit.peer_group,
            func.count(Complaint.id),
            func.count(Complaint.id).filter(and_(Complaint.first_replied_on.is_not(None),
                                                 Complaint.first_replied_on <= Complaint.first_reply_due_on)),
            func.count(Complaint.id).filter(closed),
            func.count(Complaint.id).filter(and_(closed, Complaint.resolved.is_(True))),
            func.count(Complaint.id).filter(Complaint.rating.is_not(None)),
            func.count(Complaint.id).filter(Complaint.rating == "satisfied"),
            func.count(Complaint.id).filter(Complaint.rating == "basically_satisfied"),
            func.count(Complaint.id).filter(Complaint.rating == "dissatisfied"),
        )
        .join(Unit, Unit.id == Complaint.dispatched_unit_id)
        .where(in_period)
        .group_by(Unit.id, Unit.name, Unit.peer_group)
    ).all()
    weight = weights()
    least = settings.get("complaints.min_dispatched_ranked")
    lines = []
    for (uid, name, peer_group, dispatched, on_time, n_closed, resolved, rated, satisfied, basic,
         dissatisfied) in rows:
        rates = {"response_rate": _rate(on_time, dispatched),
                 "resolution_rate": _rate(resolved, n_closed),
                 "satisfaction_rate": _rate(satisfied + basic, rated)}
        value = score(rates, weight)
        value = round(value, 2) if value is not None else None
        detail = {
            "unit_id": uid, "unit": name, "peer_group": peer_group, "dispatched": dispatched,
            "replied_on_time": on_time, "closed": n_closed, "resolved": resolved, "rated": rated,
            "satisfied": satisfied, "basically_satisfied": basic, "dissatisfied": dissatisfied,
            **{k: round(v, 4) if v is not None else None for k, v in rates.items()},
            "score": value,
        }
        lines.append(rankings.Line(uid, peer_group, value, eligible=dispatched >= least, detail=detail))
    result = []
    scope = permissions.visible_unit_ids(user) if user is not None else None
    for line in rankings.rank_lines(lines):
        if scope is not None and line.unit_id not in scope:
            continue
        if unit_id is not None and line.unit_id != unit_id:
            continue
        result.append({**line.detail, "rank": line.rank, "ranked_count": line.ranked_count})
    return result


# The page: a sorted, filtered table and charts of each peer group's ends -------------

# key → whether it sorts descending by default; "rank" is the order of ``stats``
SORTS = {"rank": False, "unit": False, "dispatched": True, "response_rate": True,
         "resolution_rate": True, "satisfaction_rate": True, "score": True}


def peer_groups(rows: list[dict]) -> list[str]:
    """The peer groups of the rows, in the order of the ranking."""
    return list(dict.fromkeys(row["peer_group"] for row in rows if row["peer_group"]))


def table(rows: list[dict], *, peer_group: str | None = None, sort: str = "rank",
          descending: bool | None = None) -> list[dict]:
    """Return ``rows`` of one peer group (or all), sorted by ``sort``; empty values last.

    The figures are those of ``stats``, untouched; ties keep the ranking's order.
    """
    if sort not in SORTS:
        sort = "rank"
    if descending is None:
        descending = SORTS[sort]
    chosen = [row for row in rows if peer_group is None or row["peer_group"] == peer_group]
    if sort == "rank":
        return chosen[::-1] if descending else chosen
    filled = [row for row in chosen if row[sort] is not None]
    empty = [row for row in chosen if row[sort] is None]
    return sorted(filled, key=lambda row: row[sort], reverse=descending) + empty


def ends(rows: list[dict], n: int = 10) -> list[dict]:
    """Per peer group, its ``n`` best and ``n`` worst ranked units (all of them, if that is fewer).

    ``rows`` in the ranking's order (``stats``); the units listed but not ranked are left out.
    """
    result = []
    for group in dict.fromkeys(row["peer_group"] for row in rows):
        ranked = [row for row in rows if row["peer_group"] == group and row["rank"] is not None]
        if not ranked:
            continue
        whole = len(ranked) <= 2 * n
        result.append({"peer_group": group, "ranked": len(ranked),
                       "top": ranked if whole else ranked[:n], "bottom": [] if whole else ranked[-n:]})
    return result


def api_rows(rows: list[dict]) -> list[dict]:
    """Keep exactly the fields of docs/api.md."""
    return [{k: row[k] for k in FIELDS} for row in rows]


def bulletin_section(period) -> list[dict]:
    """The bulletin's complaint figures per unit: plain JSON, no person."""
    return stats(period)


def _percent(value: float | None) -> str:
    return f"{value * 100:.1f}%" if value is not None else "—"


def xlsx_rows(rows: list[dict]) -> list[list]:
    from tracker.services.organisation import peer_group_label

    return [[row["rank"] if row["rank"] is not None else "—", row["unit"],
             str(peer_group_label(row["peer_group"])) if row["peer_group"] else "", row["dispatched"],
             row["replied_on_time"], row["closed"], row["resolved"], row["rated"], row["satisfied"],
             row["basically_satisfied"], row["dissatisfied"], row["response_rate"],
             row["resolution_rate"], row["satisfaction_rate"], row["score"]] for row in rows]


def to_xlsx(rows: list[dict], period_key: str, *, as_of: str | None = None,
            filters: str = "全部单位") -> bytes:
    """The rows as .xlsx with Chinese headers (services/xlsx.py): units and figures only, never a
    complainant; the rates as percentages (0.0%), the score to two decimals."""
    from tracker.services import xlsx

    kinds = ("int", "text", "text", "int", "int", "int", "int", "int", "int", "int", "int",
             "percent", "percent", "percent", "decimal")
    columns = [xlsx.Column(header, kind) for header, kind in zip(XLSX_HEADERS, kinds, strict=True)]
    return xlsx.to_bytes(
        sheet_name=f"投诉三率 {period_key}", title=f"投诉办理三率统计（{period_key}）",
        notes=[f"统计期间：{period_key}；范围：{filters}", f"导出时间：{as_of}" if as_of else "导出时间：—"],
        columns=columns, rows=((row, None) for row in xlsx_rows(rows)))


def docx_section(rows: list[dict], heading: str) -> list[official_docx.Block]:
    """The complaint figures, as blocks of a bulletin's .docx."""
    if not rows:
        return [official_docx.Heading(heading), official_docx.Paragraph("本期无下派投诉件。")]
    return [official_docx.Heading(heading), official_docx.Table(
        ("排名", "单位", "下派件数", "响应率", "解决率", "满意率", "综合得分"),
        [(str(row["rank"] or "—"), row["unit"], str(row["dispatched"]), _percent(row["response_rate"]),
          _percent(row["resolution_rate"]), _percent(row["satisfaction_rate"]),
          f"{row['score']:.2f}" if row["score"] is not None else "—") for row in rows])]
