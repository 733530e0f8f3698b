"""FastAPI dependencies, as ``Annotated`` aliases for endpoint signatures.

They read what the composition root (``web.app.create_app``) puts on ``app.state``:
``settings`` (a :class:`~api.settings.Settings`) and, while the app runs, ``db_engine``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from api.db.session import get_session
from api.settings import Settings


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with (``async``: a plain ``def`` dependency would be
    run in a worker thread, a hand-over that costs far more than reading an attribute)."""
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
