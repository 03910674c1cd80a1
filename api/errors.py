"""Uniform JSON errors: `{"status": 403, "error": "one sentence", "problems": [...]}`.

Domain exceptions map to statuses through one table; request validation errors are
rewritten in the config's words ("contracted_power_w = -5: must be > 0"); bodies
that are not JSON get 400. Passwords are never echoed.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from loguru import logger
from starlette.exceptions import HTTPException

from connext.actors.asking import AskFailed, AskTimedOut, Refused
from connext.core.config.schema import show

from .accounts import Conflict, Forbidden, InvalidCredentials, LockedOut, NotFound, Unauthenticated
from .accounts.errors import BadValue


class BodyTooLarge(Exception):
    """The request body is over the configured limit."""


STATUS: dict[type[Exception], int] = {
    Unauthenticated: 401,
    InvalidCredentials: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    BodyTooLarge: 413,
    BadValue: 422,
    LockedOut: 429,
    Refused: 409,  # the actor said no: the status follows its kind (REFUSED)
    AskTimedOut: 504,  # before AskFailed: the first match wins
    AskFailed: 503,
}
REFUSED = {"conflict": 409, "invalid": 422, "not_found": 404, "forbidden": 403}

# pydantic error types -> the config's wording
_TYPE_TEXT = {
    "missing": "is required",
    "extra_forbidden": "unknown key",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "dict_type": "must be a JSON object",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "list_type": "must be a JSON array",
}


def error_response(status: int, message: str, problems: list[str] | None = None, **headers: str) -> JSONResponse:
    body = {"status": status, "error": message, "problems": problems or []}
    return JSONResponse(body, status_code=status, headers=headers or None)


def describe(error: dict[str, Any]) -> str:
    """One pydantic error as "key = value: rule"."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] == "body":
        loc = loc[1:]
    key = ".".join(loc) or "body"
    kind = error.get("type", "")
    if kind == "literal_error":
        text = f"must be one of {error.get('ctx', {}).get('expected', '')}"
    else:
        text = _TYPE_TEXT.get(kind, error.get("msg", "is invalid"))
    if kind == "missing" or "password" in key or kind in ("dict_type", "model_attributes_type"):
        return f"{key}: {text}"
    return f"{key} = {show(error.get('input'))}: {text}"


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    status = next(code for cls, code in STATUS.items() if isinstance(exc, cls))
    headers: dict[str, str] = {}
    problems = str(exc).split("; ") if isinstance(exc, BadValue) else None
    if isinstance(exc, Refused):
        status, problems = REFUSED[exc.kind], list(exc.problems) or None
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, LockedOut):
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after_s)))
    return error_response(status, str(exc), problems, **headers)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    broken = [e for e in errors if e.get("type") == "json_invalid"]
    if broken:
        detail = broken[0].get("ctx", {}).get("error", "")
        return error_response(400, f"the body is not valid JSON: {detail}".rstrip(": "))
    problems = [describe(e) for e in errors]
    message = problems[0] if len(problems) == 1 else f"{len(problems)} problems: " + "; ".join(problems)
    return error_response(422, message, problems)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    if isinstance(exc.__cause__, BodyTooLarge):  # FastAPI wraps errors raised while it reads the body
        return await _domain_error(request, exc.__cause__)
    return error_response(exc.status_code, str(exc.detail), **(exc.headers or {}))


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    # the real boundary: a bug in a route answers 500 and is logged in full, the server goes on
    logger.opt(exception=exc).error("API {} {} failed", request.method, request.url.path)
    return error_response(500, f"internal error: {type(exc).__name__}")


def install(app: FastAPI) -> None:
    for cls in STATUS:
        app.add_exception_handler(cls, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _internal_error)
