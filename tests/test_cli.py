"""The ``tracker`` command."""

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Bulletin, LiaisonCheck, SupervisionRound, Unit, User


def test_create_user_with_password_from_the_environment(runner, make, monkeypatch):
    unit = make.unit()
    monkeypatch.setenv("TRACKER_PASSWORD", "long-enough-1")
    result = runner.invoke(args=["create-user", "zhang", "--role", "unit_head",
                                 "--unit-id", str(unit.id), "--display-name", "张老师"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "zhang"))
    assert user.display_name == "张老师" and user.unit_id == unit.id


def test_create_user_prompts_for_the_password(runner, monkeypatch):
    monkeypatch.delenv("TRACKER_PASSWORD", raising=False)
    result = runner.invoke(args=["create-user", "boss", "--role", "admin"],
                           input="long-enough-1\nlong-enough-1\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.username == "boss")).role == "admin"


def test_create_user_reports_bad_input(runner, monkeypatch):
    monkeypatch.setenv("TRACKER_PASSWORD", "short")
    result = runner.invoke(args=["create-user", "x", "--role", "unit_head"])
    assert result.exit_code == 1
    assert "password" in result.output and "unit_id" in result.output
    assert db.session.scalar(select(User).where(User.username == "x")) is None


def test_demo_twice_changes_nothing(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "loaded" in first.output
    units = db.session.scalars(select(Unit.id)).all()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert db.session.scalars(select(Unit.id)).all() == units
    statuses = sorted(db.session.scalars(select(Bulletin.status)))
    assert statuses == ["draft", "published"]
    rounds = db.session.scalars(select(SupervisionRound.status)).all()
    assert len(rounds) == 9 and rounds.count("open") == 1
    assert db.session.scalar(select(func.count()).select_from(LiaisonCheck)) > 0
    logins = runner.invoke(args=["demo-logins"]).output
    for role in ("admin", "office", "leader", "unit_head", "unit_member"):
        assert role in logins


def test_init_db_is_idempotent(runner):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0 and "up to date" in result.output
