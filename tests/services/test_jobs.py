"""Scheduled jobs: the right local times and periods, one result, failures leave nothing."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from tracker import jobs
from tracker.extensions import db
from tracker.models import Finding, JobRun, SupervisionRound
from tracker.services import supervision

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_fire(app, name: str, after: datetime) -> datetime:
    scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])
    jobs.schedule(scheduler, app)
    job = scheduler.get_job(name)
    return job.trigger.get_next_fire_time(None, after)


def test_weekly_round_fires_on_monday_0800_shanghai(app):
    # Sunday 23:30 in Shanghai: the next run is the next morning at 08:00 local time
    fire = next_fire(app, "weekly_round", datetime(2026, 10, 18, 23, 30, tzinfo=SHANGHAI))
    assert fire == datetime(2026, 10, 19, 8, 0, tzinfo=SHANGHAI)
    # Monday 08:00 UTC is already 16:00 in Shanghai: the next run is a week later
    fire = next_fire(app, "weekly_round", datetime(2026, 10, 19, 8, 0, tzinfo=ZoneInfo("UTC")))
    assert fire == datetime(2026, 10, 26, 8, 0, tzinfo=SHANGHAI)


def test_weekly_round_judges_the_week_just_ended(make):
    make.task(starts_on="2026-10-01", due_on="2026-10-10")
    run = jobs.execute("weekly_round", as_of=date(2026, 10, 19))  # a Monday
    assert (run.outcome, run.period) == ("succeeded", "2026-10-12")
    rnd = db.session.scalars(select(SupervisionRound)).one()
    assert (rnd.week_start, rnd.as_of) == (date(2026, 10, 12), date(2026, 10, 18))
    again = jobs.execute("weekly_round", as_of=date(2026, 10, 21))
    assert again.outcome == "succeeded" and "already" in again.detail
    assert db.session.scalar(select(func.count()).select_from(SupervisionRound)) == 1
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 2


def test_a_failing_job_leaves_nothing_and_says_why(make, monkeypatch):
    make.task(starts_on="2026-10-01", due_on="2026-10-10")
    real = supervision.start_round

    def start_then_fail(actor, week_start):
        real(actor, week_start)  # the round and its findings are written …
        raise RuntimeError("disk full")  # … then the job dies halfway

    monkeypatch.setattr(supervision, "start_round", start_then_fail)
    run = jobs.execute("weekly_round", as_of=date(2026, 10, 19))
    assert run.outcome == "failed" and "disk full" in run.detail and run.finished_at
    assert db.session.scalar(select(func.count()).select_from(SupervisionRound)) == 0
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 0
    monkeypatch.undo()
    assert jobs.execute("weekly_round", as_of=date(2026, 10, 19)).outcome == "succeeded"
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 1


def test_run_job_command(runner, make):
    make.task(starts_on="2026-10-01", due_on="2026-10-10")
    result = runner.invoke(args=["run-job", "weekly_round", "--as-of", "2026-10-19"])
    assert result.exit_code == 0 and "succeeded" in result.output and "2026-10-12" in result.output
    result = runner.invoke(args=["run-job", "no_such_job"])
    assert result.exit_code != 0


def test_bulletin_drafts_fire_after_their_periods(app, make):
    after = datetime(2026, 9, 30, 23, 0, tzinfo=SHANGHAI)
    assert next_fire(app, "monthly_bulletin", after) == datetime(2026, 10, 1, 8, 0, tzinfo=SHANGHAI)
    assert next_fire(app, "quarterly_bulletin", after) == datetime(2026, 10, 1, 8, 10, tzinfo=SHANGHAI)
    assert next_fire(app, "half_year_bulletin", after) == datetime(2027, 1, 1, 8, 20, tzinfo=SHANGHAI)
    run = jobs.execute("monthly_bulletin", as_of=date(2026, 10, 1))
    assert (run.outcome, run.period) == ("succeeded", "2026-09")
    run = jobs.execute("quarterly_bulletin", as_of=date(2026, 10, 1))
    assert run.period == "2026-Q3"
    run = jobs.execute("half_year_bulletin", as_of=date(2026, 7, 1))
    assert run.period == "2026-H1"
    assert "already" in jobs.execute("monthly_bulletin", as_of=date(2026, 10, 1)).detail
