"""The measured pages, as the scale tests open them: who asks, and the path (from a floors.Context)."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from bench import floors
from tests.conftest import PASSWORD
from tracker.extensions import db
from tracker.models import User

# (who, path): the office, the busiest unit's head, or the API with the office's token
PAGES = [
    ("office", "/ledger"),
    ("office", "/ledger?status=lagging"),
    ("office", "/ledger?unit_id={unit_id}"),
    ("office", "/ledger?as_of={past}"),
    ("office", "/"),
    ("office", "/overview"),
    ("office", "/complaints/"),
    ("office", "/complaints/stats?period={month}"),
    ("office", "/tasks/{task_id}"),
    ("office", "/accountability/"),
    ("office", "/notices/"),
    ("office", "/supervision/"),
    ("office", "/ratings/"),
    ("head", "/my-tasks"),
    ("head", "/"),
    ("api", "/api/v1/tasks"),
    ("api", "/api/v1/complaints"),
]


def context() -> floors.Context:
    """The floors' context of the database of the current app, as of today."""
    from tracker import clock

    with db.engine.connect() as conn:
        return floors.context(conn, clock.today())


def path_of(template: str, ctx: floors.Context) -> str:
    return template.format(unit_id=ctx.unit_id, task_id=ctx.task_id, month=ctx.month,
                           past=(ctx.today - timedelta(days=60)).isoformat())


def sign_in(client: FlaskClient, who: str, ctx: floors.Context) -> dict[str, str]:
    """Log ``client`` in as ``who``; return the headers its requests need (a bearer for the API)."""
    if who == "api":
        reply = client.post("/api/v1/auth/token", json={"username": "office", "password": PASSWORD})
        assert reply.status_code == 201, reply.json
        return {"Authorization": f"Bearer {reply.json['token']}"}
    username = "office"
    if who == "head":
        username = db.session.scalar(select(User.username).where(
            User.unit_id == ctx.unit_id, User.role == "unit_head").order_by(User.id).limit(1))
    reply = client.post("/login", data={"username": username, "password": PASSWORD})
    assert reply.status_code == 302, reply.get_data(as_text=True)[:300]
    return {}
