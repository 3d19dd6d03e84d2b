"""Scheduled jobs: each runs a service inside an app context, once per period.

Every run is recorded (started, finished, outcome, detail) in its own
transaction; the work itself happens in a second transaction holding the job's
database lock, so a failure leaves nothing behind and the job can run again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tracker import clock
from tracker.extensions import db
from tracker.models import JobLock, JobRun
from tracker.services import (
    accountability,
    bulletins,
    complaints,
    housekeeping,
    notices,
    notifications,
    periods,
    supervision,
    task_states,
    work_chat,
)
from tracker.services.audit import Actor
from tracker.unit_of_work import unit_of_work

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    label: object
    cron: dict  # APScheduler CronTrigger fields, in the configured time zone
    period: Callable[[date], str]
    run: Callable[[Actor, date], str]


def _weekly_round(actor: Actor, today: date) -> str:
    rnd, created = supervision.start_round(actor, supervision.last_full_week(today))
    counts = supervision.round_counts([rnd.id])[rnd.id]
    state = "created" if created else "already there"
    return f"round {rnd.week_start} {state}: {counts['tasks']} tasks, {counts['findings']} findings"


def _bulletin(kind: str) -> Callable[[Actor, date], str]:
    def draft(actor: Actor, today: date) -> str:
        period = periods.previous_period(kind, today)
        bulletin, created = bulletins.generate(actor, kind, period.key)
        return f"{kind} {period.key}: draft {'created' if created else 'already there'} (#{bulletin.id})"

    return draft


def _reminders(actor: Actor, today: date) -> str:
    sent = notifications.sweep(today, actor.now)
    sent += notices.remind(today, actor.now)
    sent += complaints.remind(today, actor.now)
    sent += accountability.remind(today, actor.now)
    return f"{sent} notifications"


def _accountability(actor: Actor, today: date) -> str:
    raised = accountability.evaluate(actor, today)
    return f"{len(raised)} flags raised"


def _task_states(actor: Actor, today: date) -> str:
    return f"{task_states.refresh(today)} task states recomputed"


def _chat_deliveries(actor: Actor, today: date) -> str:
    # the messages are posted after this commit, outside any transaction (deliver_chat)
    return f"{len(work_chat.due(actor.now))} work-chat messages due"


def _housekeeping(actor: Actor, today: date) -> str:
    return housekeeping.sweep(actor.now, current_app.config["UPLOAD_FOLDER"]).summary()


JOBS: dict[str, Job] = {
    job.name: job for job in (
        # first thing each day: the states the calendar moved (pages read them)
        Job("task_states", _l("Daily task state refresh"), {"hour": 0, "minute": 1},
            lambda today: today.isoformat(), _task_states),
        Job("weekly_round", _l("Weekly supervision round"), {"day_of_week": "mon", "hour": 8},
            lambda today: supervision.last_full_week(today).isoformat(), _weekly_round),
        # each period's draft the morning after it ends
        Job("monthly_bulletin", _l("Monthly bulletin draft"), {"day": 1, "hour": 8},
            lambda today: periods.previous_period("monthly", today).key, _bulletin("monthly")),
        Job("quarterly_bulletin", _l("Quarterly summary draft"),
            {"month": "1,4,7,10", "day": 1, "hour": 8, "minute": 10},
            lambda today: periods.previous_period("quarterly", today).key, _bulletin("quarterly")),
        Job("reminders", _l("Daily reminders"), {"hour": 7, "minute": 30},
            lambda today: today.isoformat(), _reminders),
        Job("accountability", _l("Accountability rules"), {"hour": 7},
            lambda today: today.isoformat(), _accountability),
        Job("half_year_bulletin", _l("Half-year assessment draft"),
            {"month": "1,7", "day": 1, "hour": 8, "minute": 20},
            lambda today: periods.previous_period("half_year", today).key, _bulletin("half_year")),
        Job("housekeeping", _l("Nightly housekeeping"), {"hour": 3, "minute": 30},
            lambda today: today.isoformat(), _housekeeping),
        # every few minutes: the work-chat messages due (every job posts them after its commit)
        Job("chat_deliveries", _l("Work-chat messages"), {"minute": "*/5"},
            lambda today: today.isoformat(), _chat_deliveries),
    )
}


def _lock(name: str) -> None:
    """Hold the job's lock until the transaction ends (row lock, or SQLite's write lock)."""
    if db.session.get(JobLock, name) is None:
        try:
            with db.session.begin_nested():
                db.session.add(JobLock(name=name))
        except IntegrityError:
            pass
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(JobLock).where(JobLock.name == name).with_for_update())
    else:
        db.session.execute(update(JobLock).where(JobLock.name == name).values(name=name))


def execute(name: str, as_of: date | None = None) -> JobRun:
    """Run job ``name`` for the period holding ``as_of`` (default today); record the run.

    Three units of work: the run is recorded as started, the job's changes and
    its success commit together, or its failure is recorded on its own.
    """
    job = JOBS[name]
    today = as_of or clock.today()
    with unit_of_work():
        run = JobRun(name=name, period=job.period(today), started_at=clock.now(), outcome="running")
        db.session.add(run)
    run_id = run.id
    try:
        with unit_of_work():
            _lock(name)
            detail = job.run(Actor(None, "scheduler", clock.now()), today)
            run.outcome, run.detail, run.finished_at = "succeeded", detail, clock.now()
    except Exception as exc:
        log.exception("job %s failed", name)
        with unit_of_work():
            run = db.session.get(JobRun, run_id)
            run.outcome, run.detail, run.finished_at = "failed", f"{type(exc).__name__}: {exc}", clock.now()
        return run
    try:  # e-mail goes out after the commit; a mail failure does not undo the run
        with unit_of_work():
            notifications.send_email(current_app.config, clock.now())
    except OSError:
        log.exception("sending e-mail failed")
    try:  # so does the work chat: the reminders' messages go out at once
        deliver_chat(clock.now())
    except Exception:
        log.exception("posting work-chat messages failed")
    return run


def deliver_chat(now: datetime) -> dict[str, int]:
    """Post the work-chat messages due at ``now``; return how many were sent and not.

    Each message is claimed in a unit of work of its own, posted outside any
    transaction (a slow robot holds no lock) and its outcome recorded in another.
    """
    timeout = current_app.config.get("CHAT_TIMEOUT") or 10
    outcome = {"sent": 0, "not_sent": 0}
    with unit_of_work():
        ids = work_chat.due(now)
    for delivery_id in ids:
        with unit_of_work():
            delivery = work_chat.claim(delivery_id, now)
            try:
                request = work_chat.prepare(delivery, clock.now()) if delivery else None
                error = None
            except work_chat.Undeliverable as exc:
                request, error = None, str(exc)
        if delivery is None:
            continue
        if request is not None:
            error = work_chat.post(*request, timeout=timeout)
        with unit_of_work():
            work_chat.record(delivery_id, now, error)
        outcome["sent" if error is None else "not_sent"] += 1
    return outcome


def run_in_app(app: Flask, name: str) -> None:
    """Entry point for the scheduler: a fresh app context per run."""
    with app.app_context():
        try:
            execute(name)
        finally:
            db.session.remove()


def schedule(scheduler, app: Flask) -> None:
    """Add every job's cron trigger to an APScheduler 3 scheduler."""
    from apscheduler.triggers.cron import CronTrigger

    for job in JOBS.values():
        scheduler.add_job(run_in_app, CronTrigger(timezone=app.config["TIMEZONE"], **job.cron),
                          args=[app, job.name], id=job.name, replace_existing=True,
                          coalesce=True, max_instances=1, misfire_grace_time=3600)


def start_in_process(app: Flask) -> None:
    """Start a background scheduler in this process (TRACKER_SCHEDULER=true)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])
    schedule(scheduler, app)
    scheduler.start()
    app.extensions["tracker_scheduler"] = scheduler
