"""Units and users (docs/api.md "Organisation")."""

from tracker.blueprints import acting_user, actor, authorize, load
from tracker.blueprints.api import bp
from tracker.blueprints.api.framework import dump, endpoint, paginated
from tracker.blueprints.api.schemas import (
    UnitCreate,
    UnitOut,
    UnitPatch,
    UnitQuery,
    UserCreate,
    UserOut,
    UserPatch,
    UserQuery,
    page_of,
)
from tracker.models import Unit, User
from tracker.services import organisation


@endpoint(bp, "/units", "POST", summary="Create a unit", tag="Organisation",
          body=UnitCreate, response=UnitOut, status=201, errors=(400, 403))
def create_unit(body: UnitCreate):
    authorize("unit.manage")
    unit = organisation.create_unit(actor(), **body.model_dump())
    return dump(UnitOut, unit), 201


@endpoint(bp, "/units", "GET", summary="List units", tag="Organisation",
          query=UnitQuery, response=page_of(UnitOut))
def list_units(query: UnitQuery):
    authorize("unit.list")
    stmt = organisation.units_query(q=query.q, kind=query.kind, peer_group=query.peer_group,
                                    include_archived=query.include_archived)
    return paginated(UnitOut, stmt, query), 200


@endpoint(bp, "/units/<int:unit_id>", "GET", summary="Read a unit", tag="Organisation",
          response=UnitOut, errors=(404,))
def get_unit(unit_id: int):
    unit = load(Unit, unit_id)
    authorize("unit.view", unit)
    return dump(UnitOut, unit), 200


@endpoint(bp, "/units/<int:unit_id>", "PATCH", summary="Change a unit", tag="Organisation",
          body=UnitPatch, response=UnitOut, errors=(400, 403, 404))
def patch_unit(unit_id: int, body: UnitPatch):
    authorize("unit.manage")
    unit = load(Unit, unit_id)
    values = body.model_dump(exclude_unset=True)
    archived = values.pop("is_archived", None)
    session_actor = actor()
    organisation.update_unit(session_actor, unit, **values)
    if archived is not None:
        organisation.set_unit_archived(session_actor, unit, archived)
    return dump(UnitOut, unit), 200


@endpoint(bp, "/users", "POST", summary="Create a user", tag="Organisation",
          body=UserCreate, response=UserOut, status=201, errors=(400, 403))
def create_user(body: UserCreate):
    authorize("user.manage")
    user = organisation.create_user(actor(), **body.model_dump())
    return dump(UserOut, user), 201


@endpoint(bp, "/users", "GET", summary="List users", tag="Organisation",
          query=UserQuery, response=page_of(UserOut), errors=(403,))
def list_users(query: UserQuery):
    authorize("user.list")
    stmt = organisation.users_query(q=query.q, role=query.role, unit_id=query.unit_id)
    return paginated(UserOut, stmt, query), 200


@endpoint(bp, "/users/me", "GET", summary="Read the token's own user", tag="Organisation",
          response=UserOut)
def get_me():
    return dump(UserOut, acting_user()), 200


@endpoint(bp, "/users/<int:user_id>", "GET", summary="Read a user", tag="Organisation",
          response=UserOut, errors=(403, 404))
def get_user(user_id: int):
    user = load(User, user_id)
    authorize("user.view", user)
    return dump(UserOut, user), 200


@endpoint(bp, "/users/<int:user_id>", "PATCH", summary="Change a user", tag="Organisation",
          body=UserPatch, response=UserOut, errors=(400, 403, 404, 409))
def patch_user(user_id: int, body: UserPatch):
    authorize("user.manage")
    user = load(User, user_id)
    values = body.model_dump(exclude_unset=True)
    active, password = values.pop("is_active", None), values.pop("password", None)
    session_actor = actor()
    organisation.update_user(session_actor, user, **values)
    if active is not None:
        organisation.set_user_active(session_actor, user, active)
    if password is not None:
        organisation.set_password(session_actor, user, password)
    return dump(UserOut, user), 200
