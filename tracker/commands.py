"""The tracker's own commands (init-db, rebuild-state, check, seal, backup, restore, create-user, demo,
run-job, scheduler …), registered on the app's CLI; ``tracker.cli`` binds that CLI to the
``tracker`` command."""

from __future__ import annotations

import functools
import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from tracker import clock, demo, jobs
from tracker.extensions import db
from tracker.models import ROLES
from tracker.services import backup as backups
from tracker.services import chain, integrity, organisation, task_states
from tracker.services.audit import Actor
from tracker.services.errors import InvalidInput
from tracker.unit_of_work import unit_of_work


def _cli_actor() -> Actor:
    return Actor(None, "cli", clock.now())


def in_unit_of_work(command):
    """Run a command as one unit of work: commit at the end, nothing if it fails."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with unit_of_work():
            return command(*args, **kwargs)

    return wrapper


@click.command("init-db")
@with_appcontext
@in_unit_of_work
def init_db() -> None:
    """Bring the database schema up to date (Alembic upgrade)."""
    upgrade()
    filled = task_states.fill_missing(clock.today())
    click.echo("Database is up to date." + (f" Kept the state of {filled} tasks." if filled else ""))


@click.command("rebuild-state")
@click.option("--check", is_flag=True, help="Report every kept row that differs; change nothing.")
@with_appcontext
@in_unit_of_work
def rebuild_state(check: bool) -> None:
    """Recompute every task's kept state from the source records (or check it)."""
    today = clock.today()
    if check:
        wrong = task_states.check(today)
        for task_id, kept, expected in wrong[:50]:
            click.echo(f"task {task_id}: kept {kept}, expected {expected}", err=True)
        if wrong:
            click.echo(f"{len(wrong)} kept task states differ from the records.", err=True)
            raise SystemExit(1)
        click.echo("Every kept task state matches the records.")
        return
    count = task_states.rebuild(today)
    click.echo(f"Recomputed the state of {count} tasks as of {today.isoformat()}.")


def _report_check() -> None:
    """Run every check of ``tracker check`` in one snapshot; print it; exit 1 on any problem."""
    with unit_of_work():
        integrity.snapshot()
        report = integrity.check(current_app.config["UPLOAD_FOLDER"], clock.today())
    for problem in report.problems:
        click.echo(problem, err=True)
    if not report.ok:
        click.echo(f"{len(report.problems)} problems found.", err=True)
        raise SystemExit(1)
    click.echo(report.summary())


@click.command("check")
@with_appcontext
def check() -> None:
    """Verify the invariants: hash chains, workflow histories, stored files, kept task states."""
    _report_check()


@click.command("seal")
@with_appcontext
@in_unit_of_work
def seal() -> None:
    """Chain the audit and ledger rows bulk-loaded by SQL after the last chained row."""
    try:
        sealed = chain.seal_loaded(db.session.connection())
    except chain.Unsealable as refused:
        raise click.ClickException(str(refused)) from None
    click.echo("Chained " + ", ".join(f"{count} rows of {table}" for table, count in sealed.items()) + ".")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup(path: str) -> None:
    """Write the database, the uploaded files and a manifest into one .tar.gz archive."""
    try:
        manifest = backups.create(path, current_app.config["UPLOAD_FOLDER"], clock.now())
    except backups.BackupError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    rows = sum(manifest["counts"].values())
    click.echo(f"Backed up {rows} rows in {len(manifest['counts'])} tables (revision "
               f"{manifest['alembic_revision']}) and {len(manifest['files']) - 1} files to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace the database and the upload folder without asking.")
@with_appcontext
def restore(path: str, yes: bool) -> None:
    """Replace the database and the upload folder by a backup's, then run ``tracker check``."""
    folder = current_app.config["UPLOAD_FOLDER"]
    if not yes:
        click.confirm(f"This replaces the configured database and the upload folder {folder}. "
                      "Continue?", abort=True)
    try:
        restored = backups.restore(path, folder, clock.now())
    except backups.BackupError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    manifest = restored.manifest
    click.echo(f"Restored the backup of {manifest['created_at']} (revision {manifest['alembic_revision']}).")
    if restored.kept_uploads:
        click.echo(f"The files that were in the upload folder are in {restored.kept_uploads}.")
    with unit_of_work():
        if restored.upgraded_from:
            upgrade()
            click.echo(f"Upgraded the schema from revision {restored.upgraded_from}.")
        task_states.fill_missing(clock.today())
        task_states.refresh(clock.today())
    _report_check()


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--unit-id", type=int, default=None)
@click.option("--display-name", default=None)
@with_appcontext
@in_unit_of_work
def create_user(username: str, role: str, unit_id: int | None, display_name: str | None) -> None:
    """Create an account; the password comes from TRACKER_PASSWORD or a prompt."""
    password = os.environ.get("TRACKER_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        user = organisation.create_user(
            _cli_actor(), username=username, password=password, role=role, unit_id=unit_id,
            display_name=display_name or username)
    except InvalidInput as error:
        for field, message in error.fields.items():
            click.echo(f"{field}: {message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Created user {user.username} (id {user.id}, role {user.role}).")


@click.command("demo")
@with_appcontext
@in_unit_of_work
def load_demo() -> None:
    """Load the demo bureau; running it again changes nothing."""
    actor = _cli_actor()
    today = clock.today()
    created = demo.load_all(actor, today)
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")


@click.command("demo-logins")
@with_appcontext
def demo_logins() -> None:
    """Print one demo login per role."""
    click.echo(f"Demo logins (password for all: {demo.PASSWORD}):")
    for username, role, unit in demo.logins():
        click.echo(f"  {role:<12} {username:<14} {unit or ''}")


@click.command("run-job")
@click.argument("name", type=click.Choice(sorted(jobs.JOBS)))
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this date (YYYY-MM-DD).")
@with_appcontext
def run_job(name: str, as_of) -> None:
    """Run a scheduled job now, for the period holding today or --as-of."""
    run = jobs.execute(name, as_of.date() if as_of else None)
    click.echo(f"{name} [{run.period}]: {run.outcome} — {run.detail}")
    if run.outcome == "failed":
        raise SystemExit(1)


@click.command("scheduler")
@with_appcontext
def run_scheduler() -> None:
    """Run the scheduled jobs in this process until stopped."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from flask import current_app

    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])
    jobs.schedule(scheduler, app)
    for job in scheduler.get_jobs():
        click.echo(f"{job.id}: next run {job.trigger.get_next_fire_time(None, clock.now())}")
    scheduler.start()


def init_app(app: Flask) -> None:
    for command in (init_db, rebuild_state, create_user, load_demo, demo_logins, run_job,
                    run_scheduler, check, seal, backup, restore):
        app.cli.add_command(command)
