"""The OpenAPI 3.1 document, generated from the declared endpoints."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from tracker.blueprints.api import bp, public_bp
from tracker.blueprints.api.framework import ENDPOINTS, Endpoint, endpoint
from tracker.blueprints.api.schemas import ErrorEnvelope

REF = "#/components/schemas/{model}"
STATUS_TEXT = {200: "OK", 201: "Created", 204: "No content", 400: "Bad input", 401: "Not logged in",
               403: "Forbidden", 404: "Not found", 409: "Conflict", 413: "Too large",
               429: "Too many requests", 503: "Database unavailable: retry after Retry-After seconds"}


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def convert(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        kind = "integer" if converter == "int" else "string"
        params.append({"name": name, "in": "path", "required": True, "schema": {"type": kind}})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", convert, rule), params


def _schema(response: Any, refs: dict) -> dict | None:
    if response is None or isinstance(response, str):  # a media type: a file, not JSON
        return None
    if isinstance(response, dict) and "page_of" in response:
        item = refs[response["page_of"]]
        schema = {"type": "object", "required": ["items", "page", "per_page", "total"],
                  "properties": {"items": {"type": "array", "items": item},
                                 "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                 "total": {"type": "integer"}}}
        if response.get("cursor"):
            schema["required"].append("next_cursor")
            schema["properties"]["next_cursor"] = {
                "type": ["string", "null"],
                "description": "Send as `cursor` for the next page; null on the last page."}
        return schema
    if isinstance(response, type) and issubclass(response, BaseModel):
        return refs[response]
    schema = TypeAdapter(response).json_schema(ref_template=REF, mode="serialization")
    schema.pop("$defs", None)  # the models are in components already
    return schema


def _models(endpoints: list[Endpoint]) -> list[tuple[type[BaseModel], str]]:
    found = {(ErrorEnvelope, "serialization")}
    for spec in endpoints:
        if spec.body is not None:
            found.add((spec.body, "validation"))
        response = spec.response
        if isinstance(response, dict):
            response = response.get("page_of")
        if isinstance(response, type) and issubclass(response, BaseModel):
            found.add((response, "serialization"))
        elif response is not None:
            args = getattr(response, "__args__", ())
            found.update((a, "serialization") for a in args
                         if isinstance(a, type) and issubclass(a, BaseModel))
    return sorted(found, key=lambda pair: pair[0].__name__)


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required, "schema": prop}
            for name, prop in schema.get("properties", {}).items()]


@cache
def build() -> dict:
    """Return the OpenAPI document for every registered endpoint."""
    refs_by_mode, top = models_json_schema(_models(ENDPOINTS), ref_template=REF)
    refs = {model: ref for (model, _mode), ref in refs_by_mode.items()}
    error = {"description": "Error", "content": {"application/json": {"schema": refs[ErrorEnvelope]}}}
    paths: dict[str, dict] = {}
    for spec in ENDPOINTS:
        path, params = _path(spec.rule)
        operation: dict[str, Any] = {
            "summary": spec.summary,
            "tags": [spec.tag],
            "operationId": spec.method.lower() + "_" + re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_"),
            "responses": {},
        }
        if spec.query is not None:
            params = params + _query_parameters(spec.query)
        if params:
            operation["parameters"] = params
        if spec.body is not None:
            operation["requestBody"] = {"required": not spec.body_optional, "content": {
                "application/json": {"schema": refs[spec.body]}}}
        if spec.multipart:
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {
                "schema": {"type": "object", "required": list(spec.multipart),
                           "properties": {name: {"type": "string", "format": "binary",
                                                 "description": text}
                                          for name, text in spec.multipart.items()}}}}}
        content = None
        schema = _schema(spec.response, refs)
        if isinstance(spec.response, str):
            content = {spec.response: {"schema": {"type": "string", "format": "binary"}}}
        elif schema is not None:
            content = {"application/json": {"schema": schema}}
        for status in spec.statuses:
            success: dict[str, Any] = {"description": STATUS_TEXT.get(status, "OK")}
            if content is not None and status != 204:
                success["content"] = content
            operation["responses"][str(status)] = success
        codes = set(spec.errors) | {400} if (spec.body or spec.query) else set(spec.errors)
        if spec.body or spec.multipart:  # a body above the request limit
            codes.add(413)
        if spec.method != "GET":  # a commit that loses a race (tracker/unit_of_work.py)
            codes.add(409)
        if spec.blueprint == public_bp.name:  # rate-limited per address, the whole blueprint
            codes.add(429)
        codes.add(503)  # the database cannot be reached
        if not spec.public:
            codes.add(401)
            operation["security"] = [{"bearer": []}]
        for code in sorted(codes):
            operation["responses"][str(code)] = {**error, "description": STATUS_TEXT[code]}
        paths.setdefault(path, {})[spec.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Conduct-rectification tracker API", "version": "1"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@endpoint(bp, "/openapi.json", "GET", summary="This document", tag="Meta", public=True,
          response=dict)
def openapi():
    return build(), 200
