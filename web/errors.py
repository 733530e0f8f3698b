"""Error responses that never leak internals: no tracebacks, messages or paths.

API paths (``/api/…`` and ``/health``) get JSON; pages get an HTML error page. The server still
logs the full traceback of a 500: Starlette re-raises the exception after this response is sent.
"""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.app import API_PREFIX
from web.templating import templates

JSON_PATHS = (API_PREFIX + "/", "/health")


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path == API_PREFIX or path.startswith(JSON_PATHS)


def _error_page(request: Request, status_code: int) -> Response:
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status_code": status_code, "title": HTTPStatus(status_code).phrase},
        status_code=status_code,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, StarletteHTTPException):  # registered for HTTPException only
        return await _server_error(request, exc)
    headers = getattr(exc, "headers", None)
    if _wants_json(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
    response = _error_page(request, exc.status_code)
    if headers:
        response.headers.update(headers)
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": "Internal Server Error"}, status_code=500)
    return _error_page(request, 500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the HTTP-error and unexpected-exception handlers on ``app``."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)
