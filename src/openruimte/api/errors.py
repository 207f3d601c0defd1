"""One JSON error shape for every endpoint::

    {"error": {"status": 422, "code": "invalid_record", "message": "...", "details": [...]}}

OGC API routes answer with the OGC exception document ``{"code", "description"}``, with the
same ``"error"`` member beside it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from openruimte.model import InputError, OpenRuimteError, RecordInvalid


class ApiError(OpenRuimteError):
    """An error with an HTTP status, a machine code and a user-safe message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}


def error_body(status: int, code: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "details": details or []}}


def _respond(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    if request.url.path.startswith("/ogc"):
        # the OGC API exception ({"code", "description"}) with the REST shape beside it, so one
        # client reads errors of both the same way
        body = {"code": code, "description": message, **error_body(status, code, message, details)}
        return JSONResponse(body, status_code=status, headers=headers)
    return JSONResponse(error_body(status, code, message, details), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Turn every error into the one shape."""

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return _respond(request, exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RecordInvalid)
    async def _record(request: Request, exc: RecordInvalid) -> JSONResponse:
        details = [{"field": e.field, "message": e.message, "value": _plain(e.value)} for e in exc.errors]
        text = "; ".join(f"field {d['field']}: {d['message']}" for d in details)
        return _respond(request, 422, "invalid_record", text, details)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        details = [e.as_dict() for e in exc.errors]
        return _respond(request, 422, exc.code, str(exc), details)

    @app.exception_handler(OpenRuimteError)
    async def _ours(request: Request, exc: OpenRuimteError) -> JSONResponse:
        return _respond(request, getattr(exc, "status", 400), exc.code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body", "path")),
                "message": e.get("msg"),
            }
            for e in exc.errors()
        ]
        text = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        return _respond(request, 422, "invalid_request", text, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            412: "precondition_failed",
            428: "precondition_required",
        }
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such resource: {request.url.path}"
        return _respond(request, exc.status_code, codes.get(exc.status_code, "http_error"), message)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:  # never a bare 500 page
        return _respond(request, 500, "internal_error", "an internal error occurred; it has been logged")


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
