"""The JSON API under ``/api/v1``, as a router for the composition root to include."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter

from api.cases.comments_router import router as comments_router
from api.cases.router import router as cases_router
from api.deadlines.router import router as deadlines_router
from api.heartbeat.router import router as heartbeat_router

API_PREFIX: Final = "/api/v1"


def create_api_router() -> APIRouter:
    """Return every ``/api/v1`` endpoint on one router."""
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(heartbeat_router)
    router.include_router(cases_router)
    router.include_router(comments_router)
    router.include_router(deadlines_router)
    return router
