"""One place that turns errors into HTTP answers: the core's error hierarchy and validation errors.

``NotFoundError`` → 404, ``ConflictError`` (and ``InvalidTransition``) → 409, ``InputError`` (and
``OutsideServiceAreaError``) and ``UnreachableError`` → 422, anything else from the core → 500. The
body is always ``{"detail": "<one readable sentence>", "code": ..., "params": {...}, ...}``: ``detail``
is English for machines and logs, ``code`` + ``params`` are what the console translates (docs/dispatch.md,
"Message codes"). Validation errors also list every problem under ``errors`` (``field``, ``message``,
``code`` = pydantic's error type, ``params``), and conflicts may carry ``details`` (who holds a unit).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
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
    body = {"detail": exc.detail, "code": HTTP_CODES.get(exc.status_code, "http_error"), "params": {}}
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(SiagaError, siaga_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
