"""Declare API endpoints once: routing, auth, validation and the OpenAPI spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from typing import Annotated, Any

from flask import Blueprint, Response, g, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from tracker import clock
from tracker.error_responses import error_response
from tracker.services import auth, validation
from tracker.services.errors import InvalidInput
from tracker.services.pagination import CURSOR_PATTERN, Cursor, api_page


def _within_range(value: Any) -> Any:
    """Refuse numbers beyond the database's integer and days beyond the product's years."""
    if isinstance(value, list | tuple):
        for item in value:
            _within_range(item)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > validation.MAX_ID:
        raise PydanticCustomError("number_too_large", "number too large", {"le": validation.MAX_ID})
    elif isinstance(value, date) and not validation.in_range(value):
        raise PydanticCustomError("date_out_of_range", "date out of range")
    return value


class Input(BaseModel):
    """What a client sends: every number and day is checked against what can be stored."""

    @field_validator("*", mode="after")
    @classmethod
    def _in_range(cls, value: Any) -> Any:
        return _within_range(value)


class Body(Input):
    """A JSON request body: strict types, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class Query(Input):
    """Query-string parameters: text coerced to the declared types."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class PageQuery(Query):
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class CursorQuery(PageQuery):
    """A newest-first list: ``page``, or ``cursor`` (a previous answer's ``next_cursor``)."""

    cursor: Annotated[str, Field(max_length=40, pattern=CURSOR_PATTERN)] | None = None


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


@dataclass
class Endpoint:
    rule: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    body_optional: bool = False  # no body at all means the body model's defaults
    query: type[BaseModel] | None = None
    response: Any = None
    status: int | tuple[int, ...] = 200  # several: e.g. (201, 200) for "created, or the existing one"
    public: bool = False
    multipart: dict[str, str] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    blueprint: str = "api"

    @property
    def statuses(self) -> tuple[int, ...]:
        """The success statuses the endpoint answers, the usual one first."""
        return (self.status,) if isinstance(self.status, int) else tuple(self.status)


ENDPOINTS: list[Endpoint] = []


def _message(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "string_too_long":
        return _("At most %(n)d characters.", n=ctx.get("max_length", 0))
    if kind == "string_too_short":
        return _("This field is required.")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_type", "float_parsing"):
        return _("Enter a number.")
    if kind in ("bool_type", "bool_parsing"):
        return _("Enter true or false.")
    if kind in ("string_type",):
        return _("Enter text.")
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind in ("list_type",):
        return _("Enter a list.")
    if kind in ("literal_error", "enum"):
        return _("Choose one of: %(values)s.", values=ctx.get("expected", ""))
    if kind == "number_too_large":
        return _("At most %(n)s.", n=validation.MAX_ID)
    if kind == "date_out_of_range":
        return _("Enter a date between %(first)s and %(last)s.", first=validation.EARLIEST.isoformat(),
                 last=validation.LATEST.isoformat())
    if kind in ("greater_than_equal", "greater_than"):
        return _("At least %(n)s.", n=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("At most %(n)s.", n=ctx.get("le", ctx.get("lt")))
    return _("Invalid value.")


def validation_error(exc: ValidationError):
    fields = {}
    for error in exc.errors(include_url=False):
        name = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(name, _message(error))
    return error_response(400, _("Please correct the fields named."), fields, "invalid")


def authenticate_bearer() -> bool:
    """Set ``g.api_user`` from the Authorization header; return whether it worked."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    g.api_user = auth.resolve_token(token.strip(), clock.now())
    return g.api_user is not None


def endpoint(bp: Blueprint, rule: str, method: str, *, summary: str, tag: str, **options):
    """Register a view as an API endpoint and describe it in the spec.

    The view receives ``body`` and/or ``query`` (validated models) and the
    URL's arguments; it returns (payload, status) or a Response.
    """
    spec = Endpoint(rule=(bp.url_prefix or "") + rule, method=method, summary=summary, tag=tag,
                    blueprint=bp.name, **options)
    ENDPOINTS.append(spec)

    def decorate(view):
        @wraps(view)
        def wrapper(**kwargs):
            if not spec.public and not authenticate_bearer():
                return error_response(401, _("A valid bearer token is required."))
            try:
                if spec.body is not None and spec.body_optional and not request.get_data().strip():
                    kwargs["body"] = spec.body.model_validate({})
                elif spec.body is not None:
                    data = request.get_json(silent=True)
                    if not isinstance(data, dict):
                        return error_response(400, _("Send a JSON object."),
                                              {"body": _("Send a JSON object.")}, "invalid")
                    # JSON mode: strict types, yet dates may come as "YYYY-MM-DD"
                    kwargs["body"] = spec.body.model_validate_json(request.get_data())
                if spec.query is not None:
                    kwargs["query"] = spec.query.model_validate(request.args.to_dict())
            except ValidationError as exc:
                return validation_error(exc)
            result = view(**kwargs)
            if isinstance(result, tuple) and not isinstance(result[0], Response):
                payload, status = result
                return jsonify(payload), status
            return result

        bp.add_url_rule(rule, endpoint=f"{view.__name__}_{method.lower()}",
                        view_func=wrapper, methods=[method])
        return wrapper

    return decorate


def dump(model: type[Out], obj: Any) -> dict:
    """Serialise ``obj`` through a response model."""
    return model.model_validate(obj).model_dump(mode="json")


def paginated(model: type[Out], stmt, query: PageQuery) -> dict:
    """Return one page of ``stmt`` in the API's list shape."""
    from tracker.extensions import db

    page = db.paginate(stmt, page=query.page, per_page=query.per_page, error_out=False,
                       max_per_page=200)
    return {"items": [dump(model, row) for row in page.items], "page": query.page,
            "per_page": query.per_page, "total": page.total}


def keyset_paginated(serialise, stmt, time_column, id_column, query: CursorQuery) -> dict:
    """Return a page of a newest-first list in the API's list shape, plus ``next_cursor``.

    ``next_cursor`` (None on the last page) asks for the rows after this page
    without counting off the ones before it: deep pages cost what the first does.
    """
    if query.cursor is not None and query.page != 1:
        raise InvalidInput(_("Please correct the fields named."),
                           {"cursor": _("Send either page or cursor, not both.")})
    items, total, following = api_page(stmt, time_column, id_column, page=query.page,
                                       per_page=query.per_page, cursor=Cursor.parse(query.cursor))
    return {"items": [serialise(item) for item in items], "page": query.page,
            "per_page": query.per_page, "total": total,
            "next_cursor": str(following) if following else None}
