"""Request and response models of the API (they also make the OpenAPI spec)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from tracker.blueprints.api.framework import Body, Out, PageQuery

UnitKind = Literal["office", "department", "working_group", "school", "kindergarten"]
Role = Literal["admin", "office", "leader", "unit_head", "unit_member"]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Id = Annotated[int, Field(ge=1)]


class Error(Out):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorEnvelope(Out):
    error: Error


class TokenRequest(Body):
    username: Annotated[str, Field(min_length=1, max_length=50)]
    password: Annotated[str, Field(min_length=1, max_length=128)]


class TokenOut(Out):
    token: str
    expires_at: datetime


class UnitCreate(Body):
    name: Name
    kind: UnitKind
    peer_group: Annotated[str, Field(max_length=50)] | None = None
    liaison_unit_id: Id | None = None
    head_user_id: Id | None = None
    leader_user_id: Id | None = None


class UnitPatch(Body):
    name: Name | None = None
    kind: UnitKind | None = None
    peer_group: Annotated[str, Field(max_length=50)] | None = None
    liaison_unit_id: Id | None = None
    head_user_id: Id | None = None
    leader_user_id: Id | None = None
    is_archived: bool | None = None


class UnitOut(Out):
    id: int
    name: str
    kind: UnitKind
    peer_group: str | None
    liaison_unit_id: int | None
    head_user_id: int | None
    leader_user_id: int | None
    is_archived: bool


class UnitQuery(PageQuery):
    kind: UnitKind | None = None
    peer_group: Annotated[str, Field(max_length=50)] | None = None
    q: Annotated[str, Field(max_length=100)] | None = None
    include_archived: bool = False


class UserCreate(Body):
    username: Annotated[str, Field(min_length=1, max_length=50)]
    password: Annotated[str, Field(min_length=1, max_length=128)]
    display_name: Name
    role: Role
    unit_id: Id | None = None


class UserPatch(Body):
    display_name: Name | None = None
    role: Role | None = None
    unit_id: Id | None = None
    is_active: bool | None = None
    password: Annotated[str, Field(min_length=1, max_length=128)] | None = None


class UserOut(Out):
    id: int
    username: str
    display_name: str
    role: Role
    unit_id: int | None
    is_active: bool
    last_login_at: datetime | None


class UserQuery(PageQuery):
    role: Role | None = None
    unit_id: Id | None = None
    q: Annotated[str, Field(max_length=100)] | None = None


class AuditOut(Out):
    at: datetime
    user_id: int | None
    action: str
    object_type: str
    object_id: int | None
    changes: dict[str, Any]
    ip: str | None


class AuditQuery(PageQuery):
    object_type: Annotated[str, Field(max_length=50)] | None = None
    object_id: Id | None = None
    user_id: Id | None = None


class PublicUnitOut(Out):
    id: int
    name: str
    kind: UnitKind


def page_of(item: type[Out]) -> dict:
    """Describe a list answer ``{items, page, per_page, total}`` for the spec."""
    return {"page_of": item}
