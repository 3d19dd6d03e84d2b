"""The fuzz tests' world: one seeded bureau per module, shared by its tests.

Fuzzing sends hundreds of requests per route; building a bureau for each
test would cost far more than the requests. So each module gets one app on
its own copy of the access matrices' world, built once a run (tests/worlds.py,
tests/access.py: a user of every role, a plan under way, a weekly
round, bulletins in every state, complaints, notices and inspections, rating
rounds, assessments, innovations, flags), and every test of the module acts
on it in turn. What one test changes the next one sees: the fuzzers check
that no request fails, whatever state the earlier ones left.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests import access, worlds
from tests.conftest import PASSWORD, app_in
from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.services import auth
from tracker.services.audit import Actor

FUZZ_DATABASE = f"tracker_fuzz_{os.getpid()}"


@dataclass
class FuzzWorld:
    """The seeded app, and the world as plain values: no app context is held between requests.

    (A context held open would give every request the same ``g``: the user a
    request logged in, or the token's user, would act in the next one too.)
    """

    app: object
    usernames: dict[str, str]  # role → username
    user_ids: dict[str, int]  # role → id
    tokens: dict[str, str]  # role → bearer token
    ids: dict[str, list]  # a path parameter's name → real values for it
    values: dict[str, list]  # a body or query field's name → real values for it
    password: str = PASSWORD

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def fresh_token(self, role: str) -> dict[str, str]:
        """A token of its own (for a call that revokes the token it is sent with)."""
        with self.app.app_context():
            user = db.session.get(User, self.user_ids[role])
            token, _row = auth.issue_token(Actor(user, "127.0.0.1", clock.now()), user, 1)
            db.session.commit()
        return {"Authorization": f"Bearer {token}"}


def real_ids(world: access.World) -> dict[str, list]:
    """The rows the world has, by the name routes give their id: path parameters take them."""
    extra = world.extra
    ids: dict[str, list] = {
        "unit_id": [world.unit.id, world.department.id],
        "user_id": [world.target.id, world.users["unit_head"].id],
        "plan_id": [world.plan.id, world.draft_plan.id],
        "bulletin_id": [world.ids["bulletin_id"], extra["approved_id"], extra["published_id"]],
        "complaint_id": sorted(extra["complaints"].values()),
        "tracking_code": sorted(extra["complaint_codes"].values()),
        "notice_id": [world.ids["notice_id"], extra["notice_acknowledged"], extra["notice_reported"]],
        "rating_round_id": [extra["rating_draft_id"], extra["rating_open_id"], extra["rating_closed_id"]],
        "flag_id": [extra["flag_raised_id"], extra["flag_review_id"]],
    }
    for name in ("task_id", "round_id", "finding_id", "inspection_id", "assessment_id", "innovation_id"):
        ids[name] = [world.ids[name]]
    return ids


def real_values(world: access.World, ids: dict[str, list]) -> dict[str, list]:
    """Values a body or query may name, by field: the world's rows, periods and days that exist.

    Drawn instead of a random value now and then, they take requests past the
    "no such unit" answers into the services' rules.
    """
    today = clock.today()
    year = today.year
    monday = today - timedelta(days=today.weekday())
    units, users = ids["unit_id"], [*ids["user_id"], world.users["leader"].id, world.users["office"].id]
    return {
        **{name: units for name in ("unit_id", "owner_unit_id", "liaison_unit_id", "co_unit_ids",
                                    "unit_ids")},
        **{name: users for name in ("owner_user_id", "leader_user_id", "head_user_id", "user_id")},
        "measure_id": [world.ids["measure_id"]], "plan_id": ids["plan_id"], "task_id": ids["task_id"],
        "round_id": ids["round_id"], "of_id": ids["complaint_id"],
        "source_id": [*ids["complaint_id"], *ids["finding_id"], *ids["inspection_id"]],
        "object_id": [*units, *ids["task_id"]],
        "period": [f"{year}-{today.month:02d}", f"{year - 1}-12", f"{year}-Q1", f"{year - 1}-Q4",
                   f"{year}-H1", f"{year - 1}-H2", str(year - 1)],
        "week_start": [monday - timedelta(weeks=n) for n in (0, 1, 2, 5)],
        "year": [year, year - 1],
        "code": list(world.extra["rating_codes"]),
        "group": ["public", "service_recipients", "nobody"],
    }


@pytest.fixture(scope="module")
def fuzz_world(world_templates, tmp_path_factory):
    """An app on its own copy of the access world (tests/worlds.py), and a token per role."""
    folder = tmp_path_factory.mktemp("fuzz")
    template = world_templates.get("access_world")
    url = worlds.new_database(template.url, folder, FUZZ_DATABASE)
    app = app_in(folder, url)
    template.copy_uploads(app.config["UPLOAD_FOLDER"])
    with app.app_context():
        world = access.load_world(copy.deepcopy(template.handles))
        tokens = {role: auth.issue_token(Actor(user, "127.0.0.1", clock.now()), user, 12)[0]
                  for role, user in world.users.items()}
        ids = real_ids(world)
        made = FuzzWorld(app=app, usernames={role: user.username for role, user in world.users.items()},
                         user_ids={role: user.id for role, user in world.users.items()}, tokens=tokens,
                         ids=ids, values=real_values(world, ids))
        db.session.commit()
        db.session.remove()
    yield made
    with app.app_context():
        db.engine.dispose()
    worlds.drop_database(url)
