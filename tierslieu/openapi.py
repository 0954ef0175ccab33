"""The OpenAPI 3.1 document, built from the API routes themselves.

Each JSON endpoint is declared with :func:`api`, which records its request and
response models (pydantic) next to the code that reads and writes them, so the
document cannot drift from what the server accepts and returns.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from tierslieu import parts
from tierslieu.convertors import IdConvertor

API_PREFIX = "/api/v1"


@dataclass
class Operation:
    summary: str
    access: str
    body: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | None] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    query: dict[str, str] = field(default_factory=dict)


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {"description": "The scheme to use: Bearer", "required": True, "schema": {"type": "string"}}
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}
"""Headers that come with some error statuses (see ``tierslieu.responses.error_response``)."""


def api(
    path: str,
    method: str,
    *,
    summary: str,
    access: str = "public",
    body: type[BaseModel] | None = None,
    responses: dict[int, type[BaseModel] | None] | None = None,
    errors: tuple[int, ...] = (),
    query: dict[str, str] | None = None,
    name: str | None = None,
) -> Callable[[Callable], Route]:
    """Declare a JSON endpoint: ``access`` is "public", "signed in" or a role."""

    def decorate(endpoint: Callable[[Request], Awaitable[Response]]) -> Route:
        # an id in the path past the largest row id matches no route: 404 (tierslieu/convertors.py)
        # the path is relative to the API's Mount (API_PREFIX), see tierslieu/app.py
        # named after its part and function: two parts may both have a create_series
        default = f"{endpoint.__module__.partition('.')[0]}:api:{endpoint.__name__}"
        route = Route(path, endpoint, methods=[method], name=name or default)
        route.operation = Operation(summary, access, body, responses or {200: None}, errors, query or {})  # type: ignore[attr-defined]
        return route

    return decorate


def _path_schema(convertor: object) -> dict[str, Any]:
    if isinstance(convertor, IdConvertor):
        return {"type": "integer", "minimum": convertor.low, "maximum": convertor.high}
    return {"type": "string"}


def _schema(model: type[BaseModel], components: dict[str, Any], mode: str) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)  # type: ignore[arg-type]
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault(model.__name__, schema)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def mounted_api_routes(routes: list[BaseRoute]) -> list[BaseRoute]:
    """The routes of the API's Mount (at ``API_PREFIX``) among an app's routes."""
    return next(route.routes for route in routes if isinstance(route, Mount) and route.path == API_PREFIX)


def build_document(routes: list[BaseRoute], base_url: str) -> dict[str, Any]:
    """The document of the API's routes (``mounted_api_routes(app.routes)``)."""
    components: dict[str, Any] = {}
    error_ref = _schema(ErrorBody, components, "serialization")
    paths: dict[str, Any] = {}
    for route in routes:
        operation: Operation | None = getattr(route, "operation", None)
        if operation is None or not isinstance(route, Route):
            continue
        method = next(iter(route.methods - {"HEAD"})).lower()  # type: ignore[union-attr]
        item: dict[str, Any] = {
            "summary": operation.summary,
            "operationId": route.name.replace(":", "_"),
            "description": f"Access: {operation.access}.",
            "responses": {},
        }
        if operation.access != "public":
            item["security"] = [{"bearer": []}, {"session": []}]
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": _path_schema(convertor)}
            for name, convertor in route.param_convertors.items()
        ]
        parameters += [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}, "description": text}
            for name, text in operation.query.items()
        ]
        if parameters:
            item["parameters"] = parameters
        if operation.body is not None:
            item["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema(operation.body, components, "validation")}},
            }
        for status, model in operation.responses.items():
            response: dict[str, Any] = {"description": "OK" if status < 300 else "Result"}
            if model is not None:
                response["content"] = {"application/json": {"schema": _schema(model, components, "serialization")}}
            item["responses"][str(status)] = response
        statuses = set(operation.errors) | {422}
        if operation.body is not None:
            statuses |= {400, 413}
        if operation.access != "public":
            statuses |= {401, 403}
        if route.param_convertors:
            statuses |= {404}  # an id that names nothing, or nothing visible to the caller
        for status in sorted(statuses):
            item["responses"][str(status)] = {
                "description": "Error",
                "content": {"application/json": {"schema": error_ref}},
                **({"headers": ERROR_HEADERS[status]} if status in ERROR_HEADERS else {}),
            }
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        paths.setdefault(path, {})[method] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tiers-lieu API",
            "version": "1",
            "description": "Error codes: "
            + "; ".join(f"`{code}`: {text}" for code, text in parts.installed().error_codes.items()),
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "tl_session"},
            },
        },
    }
