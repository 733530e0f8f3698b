"""Error responses that never leak internals: no tracebacks, messages or paths.

API paths (``/api/…`` and ``/health``) get JSON; pages get an HTML error page. The server still
logs the full traceback of a 500: Starlette re-raises the exception after this response is sent.

Domain errors that any page or endpoint may let escape get their own answers: a case or
application that does not exist *for this person* (another organisation's included) is 404,
never 500 and never a hint that it exists; an action the person may not take on a case they
can see is 403; a page that needs someone signed in redirects to the right sign-in page.
"""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import inspect
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.app import API_PREFIX
from api.cases.errors import AccessDenied, ApplicationNotFound, CaseNotFound
from web.i18n import is_survivor_request
from web.identity import SignInRequired, identify, sign_in_redirect
from web.rendering import render

JSON_PATHS = (API_PREFIX + "/", "/health")


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path == API_PREFIX or path.startswith(JSON_PATHS)


def _readable_identity(request: Request) -> None:
    """Make the signed-in person readable again for the error page, or forget them.

    A route that committed before failing (a service records ``case.viewed``, then refuses the
    action) leaves the identity's rows expired, and by the time the handler runs the request's
    database session is closed: reading them would fail. They are read again in a short session
    of their own; if even that fails (the database is the problem), the page shows no one.
    """
    identity = getattr(request.state, "identity", None)
    if identity is None:
        return
    if not (inspect(identity.user).expired_attributes or inspect(identity.user_session).expired_attributes):
        return
    del request.state.identity
    try:
        with Session(request.app.state.db_engine) as session:
            identify(request, session, request.app.state.settings)
    except Exception:  # an error page must render, whatever else is broken
        request.state.identity = None


def _error_page(request: Request, status_code: int, message: str | None = None) -> Response:
    _readable_identity(request)
    # Through render(), so a signed-in person keeps the header, navigation and sign-out button.
    # A survivor's error page keeps "Exit this page" and their language (issue 6).
    return render(
        request,
        "survivor/error.html" if is_survivor_request(request) else "error.html",
        {"status_code": status_code, "title": HTTPStatus(status_code).phrase, "message": message},
        status_code=status_code,
    )


def _domain_error(request: Request, status_code: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    return _error_page(request, status_code, message)


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


async def _invalid_request(request: Request, exc: Exception) -> Response:
    # The API keeps FastAPI's 422 listing each invalid field; a page (a mangled address, say)
    # gets a plain error page instead of JSON.
    if _wants_json(request) and isinstance(exc, RequestValidationError):
        return await request_validation_exception_handler(request, exc)
    return _error_page(request, 400)


async def _not_found(request: Request, exc: Exception) -> Response:
    # The same answer for "no such case" and "not yours": nothing confirms that an id exists.
    return _domain_error(request, 404, "Not Found")


async def _access_denied(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, AccessDenied) else "You may not do this."
    return _domain_error(request, 403, message)


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, SignInRequired):  # registered for SignInRequired only
        return await _server_error(request, exc)
    return sign_in_redirect(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    """Register the HTTP-error, domain-error and unexpected-exception handlers on ``app``."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(CaseNotFound, _not_found)
    app.add_exception_handler(ApplicationNotFound, _not_found)
    app.add_exception_handler(AccessDenied, _access_denied)
    app.add_exception_handler(Exception, _server_error)
