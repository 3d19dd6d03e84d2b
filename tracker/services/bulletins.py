"""Monthly bulletins 月通报, quarterly summaries and half-year assessments (docs/domain.md).

A bulletin's content is a list of sections, each computed by one function of
the period; later areas (complaints, notices, flags) add a section to
``SECTIONS`` without touching the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from tracker import clock
from tracker.extensions import db
from tracker.models import (
    Bulletin,
    BulletinKind,
    BulletinStatus,
    CriticismReason,
    Finding,
    SupervisionRound,
    Task,
    Unit,
)
from tracker.services import (
    accountability,
    audit,
    basis,
    chart_images,
    charts,
    complaint_stats,
    documents,
    forecast,
    liaison,
    notices,
    notifications,
    official_docx,
    permissions,
    progress,
    settings,
    task_states,
    validation,
    workflow,
)
from tracker.services.errors import InvalidInput
from tracker.services.periods import Period, current_period, parse_period

KIND_TITLES = {
    "monthly": "作风整顿工作月通报",
    "quarterly": "作风整顿工作季度小结",
    "half_year": "作风整顿工作半年考核通报",
}


# Sections ------------------------------------------------------------------------


def _rank(rows: list[dict], key: str) -> None:
    """Rank rows by ``key`` descending; equal values share a rank (1, 2, 2, 4); None: unranked."""
    ranked = sorted((r for r in rows if r[key] is not None), key=lambda r: -r[key])
    for position, row in enumerate(ranked, start=1):
        row["rank"] = (
            position
            if position == 1 or row[key] != ranked[position - 2][key]
            else ranked[position - 2]["rank"]
        )
    for row in rows:
        row.setdefault("rank", None)


def on_time_table(period: Period) -> list[dict]:
    """Units ranked by on-time rate: tasks due in the period done (100 % by the due date) and
    verified ÷ tasks due in the period. A unit with no task due is listed, not ranked."""
    first_full = progress.first_full_reports()
    on_time = progress.done_on_time(first_full)
    due_in_period = and_(Task.due_on >= period.starts_on, Task.due_on <= period.ends_on)
    rows = db.session.execute(
        select(
            Task.owner_unit_id,
            func.count().filter(due_in_period),
            func.count().filter(and_(due_in_period, on_time)),
        )
        .outerjoin(first_full, first_full.c.task_id == Task.id)
        .where(Task.in_force())
        .group_by(Task.owner_unit_id)
    ).all()
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    table = [
        {
            "unit_id": unit_id,
            "unit": names[unit_id],
            "due": due,
            "on_time": done,
            "on_time_rate": round(done / due, 4) if due else None,
        }
        for unit_id, due, done in rows
    ]
    _rank(table, "on_time_rate")
    return sorted(table, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit"]))


def criticism(period: Period) -> list[dict]:
    """Tasks with a lagging finding in two or more rounds of the period, or overdue at its end."""
    threshold = settings.get("rules.criticism_lagging_rounds")
    rounds_in_period = select(SupervisionRound.id).where(
        SupervisionRound.week_start.between(period.starts_on, period.ends_on)
    )
    lagging = db.session.execute(
        select(Finding.task_id, Finding.unit_id, func.count())
        .where(Finding.kind == "lagging", Finding.round_id.in_(rounds_in_period))
        .group_by(Finding.task_id, Finding.unit_id)
        .having(func.count() >= threshold)
    ).all()
    view = task_states.view(
        period.ends_on,
        progress.Thresholds.from_settings(),
        [Task.in_force()],
    )
    overdue = db.session.execute(
        select(Task.id, Task.owner_unit_id)
        .join(view, view.c.task_id == Task.id)
        .where(view.c.status == "overdue")
    ).all()
    result = {
        (task_id, "lagging_repeatedly"): {
            "unit_id": unit_id,
            "task_id": task_id,
            "reason": "lagging_repeatedly",
            "rounds": n,
        }
        for task_id, unit_id, n in lagging
    }
    for task_id, unit_id in overdue:
        result[(task_id, "overdue")] = {"unit_id": unit_id, "task_id": task_id, "reason": "overdue"}
    titles = dict(
        db.session.execute(
            select(Task.id, Task.title).where(Task.id.in_([key[0] for key in result]))
        ).all()
    )
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    for item in result.values():
        item["task"], item["unit"] = titles[item["task_id"]], names[item["unit_id"]]
    return sorted(result.values(), key=lambda r: (r["unit"], r["task_id"], r["reason"]))


def overview(period: Period) -> dict:
    """Headline figures: rounds, findings by kind, tasks due and done on time."""
    rounds = db.session.scalars(
        select(SupervisionRound.id).where(
            SupervisionRound.week_start.between(period.starts_on, period.ends_on)
        )
    ).all()
    findings = (
        dict(
            db.session.execute(
                select(Finding.kind, func.count())
                .where(Finding.round_id.in_(rounds))
                .group_by(Finding.kind)
            ).all()
        )
        if rounds
        else {}
    )
    return {
        "rounds": len(rounds),
        "findings": {k: findings.get(k, 0) for k in ("lagging", "overdue", "stale")},
    }


def lagging_trend(period: Period) -> list[dict]:
    """Lagging findings week by week over the period (for the chart)."""
    rows = db.session.execute(
        select(SupervisionRound.week_start, func.count(Finding.id))
        .outerjoin(
            Finding, and_(Finding.round_id == SupervisionRound.id, Finding.kind == "lagging")
        )
        .where(SupervisionRound.week_start.between(period.starts_on, period.ends_on))
        .group_by(SupervisionRound.week_start)
        .order_by(SupervisionRound.week_start)
    ).all()
    return [{"week_start": week.isoformat(), "lagging": n} for week, n in rows]


def months_of(period: Period) -> list[str]:
    return [
        f"{period.starts_on.year}-{month:02d}"
        for month in range(period.starts_on.month, period.ends_on.month + 1)
    ]


SECTIONS: dict[str, Callable[[Period], Any]] = {
    "overview": overview,
    "unit_table": on_time_table,
    "criticised": criticism,
    "lagging_trend": lagging_trend,
    "liaison_missing": lambda period: liaison.missing(months_of(period)),
    "complaints": complaint_stats.bulletin_section,
    "notices": notices.bulletin_section,
    "flags": accountability.bulletin_section,
    "risk": forecast.bulletin_section,
}


def compute(period: Period) -> dict:
    """Compute every section; commendations follow from the unit table."""
    content = {name: section(period) for name, section in SECTIONS.items()}
    content["commended"] = [
        {"unit_id": r["unit_id"], "unit": r["unit"]}
        for r in content["unit_table"]
        if r["due"] and r["on_time"] == r["due"]
    ]
    ranked = [r for r in content["unit_table"] if r["due"]]
    content["overview"].update(
        units_ranked=len(ranked),
        tasks_due=sum(r["due"] for r in ranked),
        tasks_on_time=sum(r["on_time"] for r in ranked),
    )
    # the records behind each unit's figures, as they are now (services/basis.py); not a section
    content["basis"] = basis.bulletin_snapshot(period)
    return content


# Lifecycle -------------------------------------------------------------------------


def generate(actor: audit.Actor, kind: Any, key: Any) -> tuple[Bulletin, bool]:
    """Return the bulletin of the period, creating its draft if there is none."""
    period = parse_period(kind, key)
    existing = db.session.scalar(
        select(Bulletin).where(Bulletin.kind == kind, Bulletin.period == key)
    )
    if existing is not None:
        return existing, False
    if period.ends_on >= clock.local(actor.now).date():  # a period is reported once it is over
        raise InvalidInput(_("Please correct the marked fields."), {"period": _(
            "This period has not ended yet: its bulletin can be drafted from %(day)s.",
            day=(period.ends_on + timedelta(days=1)).isoformat())})
    try:
        with db.session.begin_nested():
            bulletin = Bulletin(
                kind=kind,
                period=key,
                starts_on=period.starts_on,
                ends_on=period.ends_on,
                status="draft",
                narrative="",
                title=f"{key} {KIND_TITLES[kind]}",
                content=compute(period),
                created_at=actor.now,
            )
            db.session.add(bulletin)
            db.session.flush()
    except IntegrityError:
        return db.session.scalar(
            select(Bulletin).where(Bulletin.kind == kind, Bulletin.period == key)
        ), False
    audit.record(actor, "bulletin.create", bulletin, {"period": [None, key]})
    notifications.bulletin_awaits_approval(bulletin, actor.now)
    return bulletin, True


def preview(kind: Any, today: date, now: datetime) -> Bulletin:
    """The bulletin of the period holding ``today`` as it would read if judged today.

    Never stored, numbered, approved or published: a period is reported once it is over
    (:func:`generate`), and a preview says that it is one, as of which day."""
    if kind not in BulletinKind.codes():
        kinds = "、".join(str(label) for label in BulletinKind.labels().values())
        raise InvalidInput(_("Please correct the marked fields."),
                           {"kind": _("Choose one of: %(values)s.", values=kinds)})
    period = current_period(kind, today)
    content = compute(replace(period, ends_on=today))
    content.pop("basis", None)  # the records behind figures are traced for bulletins of record
    return Bulletin(kind=kind, period=period.key, starts_on=period.starts_on, ends_on=today,
                    status="draft", title=f"{period.key} {KIND_TITLES[kind]}", narrative="",
                    content=content, created_at=now)


# The bulletin workflow: which step may start from which state, and where it leads. A draft
# awaits a leader, who approves it or returns it to the office with a comment; the office
# edits a returned bulletin and submits it again; the office publishes an approved one.
WORKFLOW = workflow.Workflow(
    "bulletin", None, {
        "edit": workflow.Step(("draft", "returned"), None, _l("Only a draft can be edited.")),
        "regenerate": workflow.Step(("draft", "returned"), None,
                                    _l("Only a draft can be regenerated.")),
        "approve": workflow.Step(("draft",), "approved", _l("Only a draft can be approved.")),
        "return": workflow.Step(("draft",), "returned",
                                _l("Only a draft awaiting approval can be returned to the office.")),
        "resubmit": workflow.Step(("returned",), "draft",
                                  _l("Only a bulletin returned to the office can be submitted again.")),
        "publish": workflow.Step(
            ("approved",), "published",
            _l("A bulletin is published only after a leader has approved it.")),
    },
    _l("This is not possible in the bulletin's present state."))
RETURN_COMMENT_MAX = 2000


def regenerate(actor: audit.Actor, bulletin: Bulletin) -> Bulletin:
    """Recompute a draft's sections from the current records."""
    WORKFLOW.require(bulletin, "regenerate")
    bulletin.content = compute(parse_period(bulletin.kind, bulletin.period))
    audit.record(actor, "bulletin.regenerate", bulletin)
    return bulletin


def edit(actor: audit.Actor, bulletin: Bulletin, *, title: Any, narrative: Any) -> Bulletin:
    """Change the title and narrative of a draft."""
    errors: dict[str, str] = {}
    clean_title = validation.text(errors, "title", title, max_length=200)
    text = validation.text(
        errors, "narrative", narrative, max_length=20000, required=False, multiline=True
    )
    validation.raise_if(errors)
    WORKFLOW.require(bulletin, "edit")
    changes = audit.diff(bulletin, {"title": clean_title, "narrative": text or ""})
    bulletin.title, bulletin.narrative = clean_title, text or ""
    if changes:
        audit.record(actor, "bulletin.edit", bulletin, changes)
    return bulletin


def list_query(user, *, status: str | None = None) -> Select:
    """The bulletins ``user`` reads, latest period first, of one status if given.

    Drafts and approved bulletins only for those who read them (``bulletin.view``),
    the published ones for every account.
    """
    # a list shows titles, numbers and states: the content (sections and the records behind each
    # figure, services/basis.py) is read only when one bulletin is
    stmt = (select(Bulletin).options(defer(Bulletin.content))
            .order_by(Bulletin.ends_on.desc(), Bulletin.id.desc()))
    if not permissions.can(user, "bulletin.view", Bulletin(status="draft")):
        stmt = stmt.where(Bulletin.status == "published")
    if status in BulletinStatus.codes():
        stmt = stmt.where(Bulletin.status == status)
    return stmt


def approve(actor: audit.Actor, bulletin: Bulletin) -> Bulletin:
    """A leader approves a draft for publication."""
    WORKFLOW.require(bulletin, "approve")
    workflow.claim(bulletin, "draft", "approved")
    bulletin.approved_at = actor.now
    bulletin.approved_by_id = actor.user.id if actor.user else None
    audit.record(actor, "bulletin.approve", bulletin, {"status": ["draft", "approved"]})
    return bulletin


def return_to_office(actor: audit.Actor, bulletin: Bulletin, comment: Any) -> Bulletin:
    """A leader returns a draft to the office with a comment: draft → returned."""
    errors: dict[str, str] = {}
    text = validation.text(errors, "comment", comment, max_length=RETURN_COMMENT_MAX, multiline=True)
    validation.raise_if(errors)
    WORKFLOW.require(bulletin, "return")
    workflow.claim(bulletin, "draft", "returned")  # of a return and an approval at once, one wins
    bulletin.return_comment, bulletin.returned_at = text, actor.now
    bulletin.returned_by_id = actor.user.id if actor.user else None
    audit.record(actor, "bulletin.return", bulletin,
                 {"status": ["draft", "returned"], "return_comment": [None, text]})
    notifications.bulletin_returned(bulletin, actor.now)
    return bulletin


def resubmit(actor: audit.Actor, bulletin: Bulletin) -> Bulletin:
    """The office submits a returned bulletin again for a leader's approval: returned → draft."""
    WORKFLOW.require(bulletin, "resubmit")
    workflow.claim(bulletin, "returned", "draft")
    audit.record(actor, "bulletin.resubmit", bulletin, {"status": ["returned", "draft"]})
    notifications.bulletin_awaits_approval(bulletin, actor.now)
    return bulletin


def next_number(year: int) -> int:
    """The number the next bulletin published in ``year`` takes (shown before publishing)."""
    last = db.session.scalar(select(func.max(Bulletin.number)).where(Bulletin.number_year == year))
    return (last or 0) + 1


def doc_number(year: int, number: int) -> str:
    return f"〔{year}〕{number}号"


def named_units(bulletin: Bulletin) -> dict[str, list[str]]:
    """The units a bulletin names: criticised and commended, each once, in the content's order."""
    content = bulletin.content or {}
    return {
        "criticised": list(dict.fromkeys(row["unit"] for row in content.get("criticised") or [])),
        "commended": list(dict.fromkeys(row["unit"] for row in content.get("commended") or [])),
    }


def publish(actor: audit.Actor, bulletin: Bulletin, year: int) -> Bulletin:
    """Publish an approved bulletin: number it for the year and freeze it."""
    WORKFLOW.require(bulletin, "publish")
    workflow.claim(bulletin, "approved", "published")
    bulletin.number_year, bulletin.number = year, next_number(year)
    bulletin.published_at = actor.now
    bulletin.published_by_id = actor.user.id if actor.user else None
    audit.record(
        actor,
        "bulletin.publish",
        bulletin,
        {"status": ["approved", "published"], "number": [None, bulletin.doc_number]},
    )
    return bulletin


def charts_of(content: dict) -> dict:
    """The bulletin's charts: on-time rate by unit (bars) and lagging findings by week (columns)."""
    ranked = [row for row in content.get("unit_table") or [] if row.get("on_time_rate") is not None]
    return {
        "on_time": charts.bar_chart((row["unit"], row["on_time_rate"] * 100,
                                     f"{row['on_time_rate'] * 100:.1f}%", "") for row in ranked),
        "trend": charts.column_chart([(point["week_start"][5:], point["lagging"])
                                      for point in content.get("lagging_trend") or []]),
    }


def public_version(bulletin: Bulletin) -> dict:
    """Return what the public sees: units, tasks and figures, never a person."""
    content = bulletin.content
    return {
        "id": bulletin.id,
        "kind": bulletin.kind,
        "period": bulletin.period,
        "number": documents.number("bulletin", bulletin.doc_number),
        "title": bulletin.title,
        "published_at": bulletin.published_at.isoformat() if bulletin.published_at else None,
        "narrative": bulletin.narrative,
        "unit_table": [
            {k: r[k] for k in ("unit_id", "unit", "due", "on_time", "on_time_rate", "rank")}
            for r in content["unit_table"]
        ],
        "criticised": [
            {k: r[k] for k in ("unit_id", "unit", "task_id", "task", "reason")}
            for r in content["criticised"]
        ],
        "commended": content["commended"],
    }


# The document: one outline for the page and the .docx --------------------------------------

# The bulletin's sections in order, each with the content key it needs: a section shows when its key
# is in the content (an older bulletin, or the public version, lacks some). The page
# (templates/bulletins/bulletin.html) and the .docx (to_docx) both walk :func:`outline`.
OUTLINE = (
    ("on_time", "unit_table", _l("Completion of tasks on time, by unit")),
    ("criticised", "criticised", _l("Named criticism")),
    ("commended", "commended", _l("Named commendation")),
    ("trend", "lagging_trend", _l("Lagging findings in the weekly rounds")),
    ("risk", "risk", _l("Early warning: tasks projected to finish late")),
    ("complaints", "complaints", _l("Handling of complaints (response, resolution and satisfaction rates)")),
    ("notices", "notices", _l("Handling of rectification notices")),
    ("flags", "flags", _l("Accountability flags raised")),
    ("liaison", "liaison_missing", _l("Monthly liaison checks not recorded")),
)
CHINESE_NUMERALS = "一二三四五六七八九十"


def outline(content: dict) -> list[tuple[str, str]]:
    """(key, numbered heading) of the sections ``content`` holds, in order: "一、…" in Chinese,
    "1. …" in English."""
    present = [(key, str(title)) for key, needed, title in OUTLINE if needed in content]
    chinese = str(get_locale() or "zh").startswith("zh")
    return [(key, f"{CHINESE_NUMERALS[index]}、{title}" if chinese else f"{index + 1}. {title}")
            for index, (key, title) in enumerate(present)]


def _percent(rate: float | None) -> str:
    return f"{rate * 100:.1f}%" if rate is not None else "—"


def _docx_section(key: str, heading: str, content: dict) -> list[official_docx.Block]:
    Heading, Paragraph, Table, Figure = (official_docx.Heading, official_docx.Paragraph,
                                         official_docx.Table, official_docx.Figure)
    if key == "on_time":
        ranked = [row for row in content["unit_table"] if row["on_time_rate"] is not None]
        png = chart_images.bars([(row["unit"], row["on_time_rate"] * 100, _percent(row["on_time_rate"]))
                                 for row in ranked])
        return [Heading(heading), *([Figure(png, "各单位按期完成率")] if png else []), Table(
            ("排名", "单位", "到期任务", "按期完成", "按期完成率"),
            [(str(row["rank"] or "—"), row["unit"], str(row["due"]), str(row["on_time"]),
              _percent(row["on_time_rate"])) for row in content["unit_table"]])]
    if key == "criticised":
        if not content["criticised"]:
            return [Heading(heading), Paragraph("无。")]
        return [Heading(heading), Table(("单位", "任务", "原因"), [
            (row["unit"], row["task"], CriticismReason.zh_of(row["reason"]))
            for row in content["criticised"]])]
    if key == "commended":
        return [Heading(heading), Paragraph("、".join(r["unit"] for r in content["commended"]) or "无。")]
    if key == "trend":
        points = content["lagging_trend"]
        if not points:
            return [Heading(heading), Paragraph("本期无督查轮次。")]
        png = chart_images.columns([(point["week_start"][5:], point["lagging"]) for point in points])
        return [Heading(heading), *([Figure(png, "逐周进度滞后发现数")] if png else []),
                Table(("督查周（起）", "进度滞后发现数"),
                      [(point["week_start"], str(point["lagging"])) for point in points])]
    if key == "risk":
        if not content["risk"]:
            return [Heading(heading), Paragraph("无。")]
        return [Heading(heading), Table(("单位", "任务", "完成时限", "按近期进度预计完成"), [
            (row["unit"], row["task"], row["due_on"], row["projected_on"] or "近期无进展")
            for row in content["risk"]])]
    if key == "complaints":
        return complaint_stats.docx_section(content["complaints"], heading)
    if key == "notices":
        return notices.docx_section(content["notices"], heading)
    if key == "flags":
        return accountability.docx_section(content["flags"], heading)
    rows = content["liaison_missing"]  # "liaison"
    if not rows:
        return [Heading(heading), Paragraph("无。")]
    return [Heading(heading), Table(("月份", "联络股室", "学校"),
                                    [(row["month"], row["liaison"], row["unit"]) for row in rows])]


def to_docx(bulletin: Bulletin) -> bytes:
    """Return the bulletin as an official document (services/official_docx.py): the sections of
    its page, in the page's order and numbering (:func:`outline`), charts included."""
    content = bulletin.content
    body: list[official_docx.Block] = [*official_docx.lines(bulletin.narrative)]
    with force_locale("zh_CN"):  # a document of record is in Chinese whatever the reader's language
        for key, heading in outline(content):
            body += _docx_section(key, heading, content)
    organ = documents.organ()
    return official_docx.render(official_docx.OfficialDocument(
        title=bulletin.title, number=documents.number("bulletin", bulletin.doc_number) or "（草稿）",
        addressee="各股室、各学校、幼儿园", issuer=organ, organ=organ, copies_to=documents.copies_to(),
        dated=(bulletin.published_at or bulletin.created_at).date(), body=body))
