"""One place that turns errors into HTTP answers: the core's error hierarchy and validation errors.

``NotFoundError`` → 404, ``ConflictError`` (and ``InvalidTransition``) → 409, ``InputError`` (and
``OutsideServiceAreaError``) and ``UnreachableError`` → 422, anything else from the core → 500; an
exhausted connection pool (overload) → 503 with ``Retry-After``. The
body is always ``{"detail": "<one readable sentence>", "code": ..., "params": {...}, ...}``: ``detail``
is English for machines and logs, ``code`` + ``params`` are what the console translates (docs/dispatch.md,
"Message codes"). Validation errors also list every problem under ``errors`` (``field``, ``message``,
``code`` = pydantic's error type, ``params``), and conflicts may carry ``details`` (who holds a unit).
The OpenAPI document declares these answers, with this body, on every operation that can give them
(:func:`document_error_answers`), so clients and the schemathesis fuzz test can rely on it.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from dispatch_geo.errors import ConflictError, InputError, NotFoundError, SiagaError, UnreachableError

log = logging.getLogger(__name__)

STATUS_OF: tuple[tuple[type[SiagaError], int], ...] = (
    (NotFoundError, status.HTTP_404_NOT_FOUND),
    (ConflictError, status.HTTP_409_CONFLICT),
    (InputError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (UnreachableError, status.HTTP_422_UNPROCESSABLE_CONTENT),
)
"""First match wins (subclasses are listed under their parents' codes)."""


def status_for(exc: SiagaError) -> int:
    """HTTP status of a core error."""
    for cls, code in STATUS_OF:
        if isinstance(exc, cls):
            return code
    return status.HTTP_500_INTERNAL_SERVER_ERROR


async def siaga_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SiagaError)
    code = status_for(exc)
    body: dict[str, Any] = {
        "detail": str(exc),
        "error": type(exc).__name__,
        "code": exc.code,
        "params": jsonable_encoder(getattr(exc, "params", {})),
    }
    details = getattr(exc, "details", None)
    if isinstance(details, dict):
        body["details"] = details
    if code >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
    return JSONResponse(body, status_code=code)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    return ".".join(parts) or "request"


def _message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    if error.get("type") in {"missing"}:
        return message
    value = error.get("input")
    if value is not None and not isinstance(value, dict | list):
        message += f" (got {value!r:.60})"
    return message


def _params(error: dict[str, Any], field: str) -> dict[str, Any]:
    """``field`` and pydantic's context (``max_length``, ``ge``, ``expected``...) as plain JSON values."""
    context = error.get("ctx") or {}
    params = {str(k): v if isinstance(v, int | float | str | bool) else str(v) for k, v in context.items()}
    return {"field": field, **params}


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for e in exc.errors():
        field = _field(tuple(e.get("loc", ())))
        errors.append(
            {
                "field": field,
                "message": _message(e),
                "code": str(e.get("type", "invalid")),
                "params": _params(e, field),
            }
        )
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return JSONResponse(
        {
            "detail": detail,
            "error": "ValidationError",
            "code": "validation_error",
            "params": {"fields": [e["field"] for e in errors]},
            "errors": errors,
        },
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "what was wrong, in one readable sentence"},
        "error": {"type": "string", "description": "kind of error, e.g. ValidationError, NotFoundError"},
        "code": {"type": "string", "description": "message code the console translates (docs/dispatch.md)"},
        "params": {"type": "object", "description": "the message's parameters"},
        "errors": {
            "type": "array",
            "description": "every problem of a request that failed validation",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                    "params": {"type": "object"},
                },
            },
        },
        "details": {"type": "object", "description": "facts about a conflict (who holds a unit...)"},
    },
}
"""The body of every error answer (``HTTPException`` bodies have only ``detail``)."""

ERROR_ANSWERS: dict[str, str] = {
    "400": "the body could not be read as JSON (e.g. not UTF-8)",
    "401": "no API token, or an unknown one",
    "403": "the token's role may not do this",
    "404": "no such object (the message names it)",
    "409": "conflicts with the current state (the message says why)",
    "413": "request body too large",
    "422": "the request cannot be used as given; `errors` lists every problem",
    "429": "too many failed authentications from this address: wait `Retry-After` seconds",
    "503": "the server is saturated (no database connection free): nothing was done; retry after "
    "`Retry-After` seconds",
}
_WRITES = {"post", "put", "patch", "delete"}


def _error_codes(method: str, operation: dict[str, Any]) -> list[str]:
    """The error answers an operation can give, from what it takes."""
    codes = []
    if operation.get("security"):
        codes += ["401", "403", "429"]
    params = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in params) or (method in _WRITES and "requestBody" in operation):
        codes.append("404")  # a path or a body naming an object that does not exist (a unit, a facility)
    if method in _WRITES:
        codes.append("409")
    if "requestBody" in operation:
        codes += ["400", "413"]
    if params or "requestBody" in operation or method in _WRITES:
        codes.append("422")
    if operation.get("security"):
        codes.append("503")
    return codes


def document_error_answers(openapi: dict[str, Any]) -> dict[str, Any]:
    """Declare, on every operation of ``openapi``, the error answers it can give, with their schema.

    FastAPI documents only 422, with its own body shape; the answers here are those of the handlers
    above (and of the auth dependencies), so a client or a fuzzer can rely on the document.
    """
    components = openapi.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in openapi.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for code in _error_codes(method, operation):
                answer = responses.setdefault(code, {"description": ERROR_ANSWERS[code]})
                answer["content"] = content
            for code, answer in responses.items():
                if code.startswith(("4", "5")) and "content" not in answer:
                    answer["content"] = content
    return openapi


HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "too_many_requests",
}
"""Message codes of the answers the framework and the auth dependencies make (``HTTPException``)."""


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """FastAPI's own answer, with ``code`` + ``params`` beside ``detail``."""
    assert isinstance(exc, StarletteHTTPException)
    response = await http_exception_handler(request, exc)
    if not isinstance(exc.detail, str) or response.status_code < 400:
        return response
    code = getattr(exc, "code", None) or HTTP_CODES.get(exc.status_code, "http_error")
    body = {"detail": exc.detail, "code": code, "params": jsonable_encoder(getattr(exc, "params", {}))}
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


RETRY_AFTER_S = 1
"""What a client is told to wait (``Retry-After``) when the server is saturated."""


async def overload_handler(request: Request, exc: Exception) -> JSONResponse:
    """No database connection became free in time (the pool is exhausted): 503 with ``Retry-After``,
    never a 500. The request's transaction never began, so nothing was stored or lost."""
    assert isinstance(exc, PoolTimeout)
    log.warning("%s %s: 503, no database connection free (%s)", request.method, request.url.path, exc)
    body = {
        "detail": f"the server is busy (no database connection became free); try again in {RETRY_AFTER_S} s",
        "error": "ServerBusy",
        "code": "server_busy",
        "params": {"retry_after_s": RETRY_AFTER_S},
    }
    return JSONResponse(
        body, status_code=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_S)}
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app`` and document their answers in its OpenAPI document."""
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(SiagaError, siaga_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(PoolTimeout, overload_handler)
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_error_answers(build_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
