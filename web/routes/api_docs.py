"""The API documentation page, served with the site's own copy of Swagger UI."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.app import API_PREFIX
from web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get(f"{API_PREFIX}/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI over ``/api/v1/openapi.json``."""
    return templates.TemplateResponse(request, "api_docs.html", {"openapi_url": f"{API_PREFIX}/openapi.json"})
