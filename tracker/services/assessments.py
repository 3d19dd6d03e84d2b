"""Special assessments 专项考核 (docs/domain.md "Ratings, rankings and accountability").

Half-yearly, per theme: the office enters (or imports) a score per unit, with
一票否决 marks. The ranking is published when the scores are entered: a
frozen ``Ranking`` of kind ``assessment`` is stored at once, and a second entry
for the same theme and half-year is refused (409) — published rankings are
never rewritten.

``enter`` takes typed lines (``ScoreInput``): the page's form and the API's
model build them, the .xlsx import reads them off its rows; the service
checks the domain's rules only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import (
    ASSESSED_KINDS,
    ASSESSMENT_THEMES,
    Assessment,
    AssessmentScore,
    AssessmentTheme,
    Ranking,
    RankingRow,
    Unit,
)
from tracker.services import audit, rankings, spreadsheets, validation, xlsx
from tracker.services.errors import Conflict, InvalidInput, RowErrors
from tracker.services.org_import import _row_message

PERIOD = re.compile(r"^(\d{4})-H([12])$")
NOTE_MAX = 500

SHEET = "专项考核"
HEADERS = ("单位", "得分", "一票否决", "备注")
COLUMNS = {"unit_id": "单位", "score": "得分", "veto": "一票否决", "note": "备注"}
VETO_YES = {"是", "否决", "一票否决", "y", "yes", "true", "1", "√", "✓", "x"}
VETO_NO = {"否", "n", "no", "false", "0"}
EXPLANATIONS = (
    ("单位", "已有单位的名称，与系统中完全一致（必填）；每个单位只写一行"),
    ("得分", "0 到 100 的分数，至多两位小数（必填）"),
    ("一票否决", "填“是”表示一票否决（该单位本专项考核结果为不合格，排在最后）；空白或“否”表示不否决"),
    ("备注", "可空，至多500字；一票否决时请写明事由"),
    ("注意", "整张表全部正确才会导入；有任何错误时一行也不导入，并按行、列列出全部问题"),
)


@dataclass(frozen=True)
class ScoreInput:
    """A unit's line of an assessment: its score (None if not given), veto 一票否决 and note."""

    unit_id: int
    score: Decimal | float | None
    veto: bool = False
    note: str | None = None


def assessed_units() -> list[Unit]:
    """The active units an assessment scores, in the order its form lists them."""
    return list(db.session.scalars(select(Unit).where(
        Unit.is_archived.is_(False), Unit.kind.in_(ASSESSED_KINDS))
        .order_by(Unit.peer_group, Unit.kind, Unit.name)))


def period_label(period: str) -> str:
    match = PERIOD.match(period or "")
    if not match:
        return period
    return _("%(year)s first half", year=match[1]) if match[2] == "1" else _(
        "%(year)s second half", year=match[1])


def check_period(errors: dict[str, str], field: str, value: str) -> str | None:
    match = PERIOD.match(value)
    if match is None or not 2000 <= int(match[1]) <= 2100:
        errors[field] = _("Write the half-year like %(example)s.", example="2026-H1")
        return None
    return value


def check_score(errors: dict[str, str], field: str, value: Decimal | float | None) -> float | None:
    """Return a score from 0 to 100 with at most 2 decimals, or record why not (NaN is no number)."""
    if value is None:
        errors[field] = _("This field is required.")
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        errors[field] = _("Enter a number.")
    elif not Decimal(0) <= number <= Decimal(100):
        errors[field] = _("Enter a score from 0 to 100.")
    elif number != number.quantize(Decimal("0.01")):
        errors[field] = _("At most 2 decimals.")
    else:
        return float(number)
    return None


def _label(theme: str) -> str:
    return AssessmentTheme.zh_of(theme)


def enter(actor: audit.Actor, *, theme: str, period: str, scores: Sequence[ScoreInput]) -> Assessment:
    """Store an assessment's scores and publish its frozen ranking at once.

    ``scores`` has a line per unit. Raise
    InvalidInput naming ``scores.<i>.<field>`` for a bad line; Conflict when
    the theme and half-year already have an assessment (its ranking is frozen).
    """
    errors: dict[str, str] = {}
    if theme not in ASSESSMENT_THEMES:
        errors["theme"] = _("Choose one of: %(values)s.", values=", ".join(ASSESSMENT_THEMES))
    check_period(errors, "period", period)
    if not scores:
        errors["scores"] = _("Enter at least one unit's score.")
    wanted_ids = list({item.unit_id for item in scores})
    units = {unit.id: unit for unit in db.session.scalars(
        select(Unit).where(Unit.id.in_(wanted_ids)))} if wanted_ids else {}
    clean: list[dict] = []
    seen: set[int] = set()
    for index, item in enumerate(scores):
        prefix = f"scores.{index}"
        unit = units.get(item.unit_id)
        if unit is None:
            errors[f"{prefix}.unit_id"] = _("No such unit.")
        elif unit.is_archived:
            errors[f"{prefix}.unit_id"] = _("This unit is archived.")
        elif unit.id in seen:
            errors[f"{prefix}.unit_id"] = _("This unit is listed twice.")
        else:
            seen.add(unit.id)
        score = check_score(errors, f"{prefix}.score", item.score)
        note = validation.text(errors, f"{prefix}.note", item.note, max_length=NOTE_MAX,
                               required=False, multiline=True)
        clean.append({"unit": unit, "score": score, "veto": item.veto, "note": note})
    validation.raise_if(errors)
    if db.session.scalar(select(Assessment.id).where(Assessment.theme == theme,
                                                     Assessment.period == period)) is not None:
        raise Conflict(_("The %(theme)s assessment of %(period)s is already published; "
                         "a published ranking cannot be changed.", theme=_label(theme), period=period))
    try:
        with db.session.begin_nested():
            assessment = Assessment(theme=theme, period=period, created_at=actor.now,
                                    created_by_id=actor.user.id if actor.user else None)
            db.session.add(assessment)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("The %(theme)s assessment of %(period)s is already published; "
                         "a published ranking cannot be changed.", theme=_label(theme),
                         period=period)) from None
    for line in clean:
        db.session.add(AssessmentScore(assessment_id=assessment.id, unit_id=line["unit"].id,
                                       score=line["score"], veto=line["veto"], note=line["note"]))
    audit.record(actor, "assessment.enter", assessment, {
        "theme": [None, theme], "period": [None, period], "units": [None, len(clean)],
        "vetoed": [None, [line["unit"].id for line in clean if line["veto"]]]})
    _publish(actor, assessment, clean)
    from tracker.services import accountability  # the rules read this ranking

    accountability.on_ranking_published(actor)
    return assessment


def _publish(actor: audit.Actor, assessment: Assessment, clean: list[dict]) -> Ranking:
    lines = rankings.rank_lines(
        rankings.Line(unit_id=line["unit"].id, peer_group=line["unit"].peer_group,
                      score=line["score"], veto=line["veto"],
                      detail={"result": "fail" if line["veto"] else "pass", "note": line["note"]})
        for line in clean)
    names = {line["unit"].id: line["unit"].name for line in clean}
    ranking = Ranking(kind="assessment", subject_key=f"assessment:{assessment.id}",
                      assessment_id=assessment.id, period=assessment.period,
                      title=f"{assessment.period} {_label(assessment.theme)}专项考核",
                      status="published", published_at=actor.now, created_at=actor.now)
    db.session.add(ranking)
    db.session.flush()
    for position, line in enumerate(lines):
        db.session.add(RankingRow(ranking_id=ranking.id, unit_id=line.unit_id,
                                  unit_name=names[line.unit_id], peer_group=line.peer_group,
                                  position=position, score=line.score, rank=line.rank,
                                  ranked_count=line.ranked_count, veto=line.veto,
                                  detail=line.detail))
    audit.record(actor, "ranking.publish", ranking, {"subject_key": [None, ranking.subject_key]})
    return ranking


def ranking_of(assessment: Assessment) -> Ranking | None:
    return db.session.scalar(select(Ranking).where(Ranking.kind == "assessment",
                                                   Ranking.assessment_id == assessment.id))


def ranking_rows(ranking: Ranking | None) -> list[RankingRow]:
    if ranking is None:
        return []
    return list(db.session.scalars(select(RankingRow).where(RankingRow.ranking_id == ranking.id)
                                   .order_by(RankingRow.position)))


def row_json(row: RankingRow) -> dict:
    return {"unit_id": row.unit_id, "unit": row.unit_name, "peer_group": row.peer_group,
            "score": row.score, "rank": row.rank, "ranked_count": row.ranked_count,
            "veto": row.veto, "result": (row.detail or {}).get("result",
                                                                "fail" if row.veto else "pass")}


def listing(theme: str | None = None, period: str | None = None) -> list[Assessment]:
    stmt = select(Assessment).order_by(Assessment.period.desc(), Assessment.theme)
    if validation.holds_nul(theme, period):
        return []
    if theme:
        stmt = stmt.where(Assessment.theme == theme)
    if period:
        stmt = stmt.where(Assessment.period == period)
    return list(db.session.scalars(stmt.limit(500)))


def periods() -> list[str]:
    return list(db.session.scalars(select(Assessment.period).distinct()
                                   .order_by(Assessment.period.desc())))


# Import and export -------------------------------------------------------------


def template() -> bytes:
    """The import template: every active unit that can be assessed, scores left blank."""
    units = db.session.scalars(select(Unit.name).where(
        Unit.is_archived.is_(False), Unit.kind.in_(("department", "school", "kindergarten")))
        .order_by(Unit.kind, Unit.peer_group, Unit.name)).all()
    rows = [(name, None, None, None) for name in units] or [("某某学校", 92.5, None, None)]
    return spreadsheets.write_workbook([
        (SHEET, HEADERS, rows),
        ("说明", ("列", "填写说明"), EXPLANATIONS),
    ])


def _score_cell(value: object) -> Decimal | float | None:
    """A score as a cell holds it: blank is None, text a decimal (NaN when it is none)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return Decimal("NaN")
    try:
        return Decimal(str(value).strip().replace("，", ""))
    except InvalidOperation:
        return Decimal("NaN")


def _veto_cell(value: object, errors: dict[str, str]) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = spreadsheets.as_text(value).strip().lower()
    if text in VETO_YES:
        return True
    if text in VETO_NO:
        return False
    errors["veto"] = _("Write “是” for a veto, or leave it blank.")
    return False


def import_scores(actor: audit.Actor, *, theme: str, period: str, stream: IO[bytes]) -> Assessment:
    """Enter an assessment from the .xlsx template: every row checked, all or nothing.

    Raise InvalidInput for the theme, the half-year or a file that is not the
    template; RowErrors listing each bad cell by row and column; Conflict as
    ``enter`` does.
    """
    errors: dict[str, str] = {}
    if theme not in ASSESSMENT_THEMES:
        errors["theme"] = _("Choose one of: %(values)s.", values=", ".join(ASSESSMENT_THEMES))
    check_period(errors, "period", period)
    validation.raise_if(errors)
    rows = spreadsheets.read_sheet(stream, SHEET, HEADERS)
    if not rows:
        message = _("The workbook has no rows to import.")
        raise InvalidInput(message, {"file": message})
    names = {spreadsheets.as_text(cells["单位"]).strip() for _n, cells in rows if cells["单位"] is not None}
    units = {unit.name: unit for unit in db.session.scalars(select(Unit).where(Unit.name.in_(names)))}
    problems: list[dict] = []
    scores: list[dict] = []
    seen: dict[int, int] = {}
    for number, cells in rows:
        row_errors: dict[str, str] = {}
        unit = None
        if cells["单位"] is None:
            row_errors["unit_id"] = _("This field is required.")
        else:
            name = spreadsheets.as_text(cells["单位"]).strip()
            unit = units.get(name)
            if unit is None:
                row_errors["unit_id"] = _("No unit named “%(name)s”.", name=name[:100])
            elif unit.is_archived:
                row_errors["unit_id"] = _("This unit is archived.")
            elif unit.id in seen:
                row_errors["unit_id"] = _("This unit is already on row %(row)d.", row=seen[unit.id])
            else:
                seen[unit.id] = number
        score = check_score(row_errors, "score", _score_cell(cells["得分"]))
        veto = _veto_cell(cells["一票否决"], row_errors)
        note = validation.text(row_errors, "note", spreadsheets.as_text(cells["备注"]),
                               max_length=NOTE_MAX, required=False, multiline=True)
        if row_errors:
            problems += _row_message(number, InvalidInput("", row_errors), COLUMNS, SHEET)
        else:
            scores.append(ScoreInput(unit_id=unit.id, score=score, veto=veto, note=note))
    if problems:
        raise RowErrors(_("Nothing was imported: %(n)d problems found.", n=len(problems)), problems)
    return enter(actor, theme=theme, period=period, scores=scores)


def export(assessment: Assessment) -> bytes:
    """The published ranking as .xlsx."""
    from tracker.services.organisation import peer_group_label

    rows = [(row.rank if row.rank is not None else None, row.unit_name, peer_group_label(row.peer_group),
             row.score, row.ranked_count, "是" if row.veto else "", "不合格" if row.veto else "合格",
             (row.detail or {}).get("note") or "")
            for row in ranking_rows(ranking_of(assessment))]
    name = f"{_label(assessment.theme)}{assessment.period}"
    columns = [xlsx.Column("名次", "int", 8), xlsx.Column("单位", "wrap"), xlsx.Column("同类组"),
               xlsx.Column("得分", "decimal"), xlsx.Column("参与排名单位数", "int"),
               xlsx.Column("一票否决", width=10), xlsx.Column("结果", width=10), xlsx.Column("备注", "wrap")]
    return xlsx.to_bytes(sheet_name=name, title=f"{name}考核排名", notes=[f"考核：{name}；范围：全部单位"],
                         columns=columns, rows=((row, {6: "red"} if row[5] else None) for row in rows))
