"""Shared steps of the reminder tests: a confirmed CICA deadline, a survivor, a loopback SMTP sink."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from sqlmodel import Session

from api.cases import service
from api.cases.models import LegalCase
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.contact_preferences.service import ContactPreferences, save_preferences
from api.deadlines import service as deadlines
from api.deadlines.models import CaseDeadline
from api.orgs.models import User
from api.settings import Settings
from tests.api.cases.builders import CICA_FACTS, NOW, PASSPHRASE, TODAY, World, actor, new_case, start


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Sink:
    """Messages received by the loopback SMTP server."""

    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay_seconds: float = 0.0  # a slow server, so that a test can kill a worker mid-sweep

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(message)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        """The messages sent to ``address``."""
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_sink(delay_seconds: float = 0.0) -> Iterator[tuple[Sink, int]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, and what it receives."""
    sink = Sink(delay_seconds=delay_seconds)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def with_mail(settings: Settings, port: int) -> Settings:
    """``settings`` sending email to the loopback server on ``port``."""
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": str(port),
            "smtp_from": "Redress <reminders@redress.example>",
            "reminder_retry_base_seconds": 1.0,
        }
    )


def cica_case(
    session: Session, settings: Settings, world: World, reference: str = "Case Kestrel"
) -> LegalCase:
    """A CICA case with every answer, its one deadline (UK-CICA-D1, 2027-03-10) unconfirmed."""
    case = new_case(session, settings, world, reference)
    start(session, settings, world, case, "uk.cica")
    service.change_facts(
        session,
        settings,
        actor(session, world.advocate),
        case,
        CICA_FACTS,
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    return case


def confirm_all(session: Session, settings: Settings, world: World, case: LegalCase) -> list[CaseDeadline]:
    """Confirm every deadline of the case as its advocate."""
    advocate = actor(session, world.advocate)
    return [
        deadlines.confirm_deadline(session, settings, advocate, case, view.row.public_id, now=NOW)
        for view in deadlines.list_deadlines(session, settings, advocate, case)
    ]


def add_survivor(session: Session, settings: Settings, world: World, case: LegalCase) -> User:
    """Give the case's survivor an account (through a real access code)."""
    code = issue_access_code(session, settings, actor(session, world.advocate), case, now=NOW)
    user = redeem_access_code(
        session, settings, code=code, passphrase=PASSPHRASE, display_name="Kes", now=NOW
    )
    session.refresh(case)
    return user


def set_preferences(
    session: Session, settings: Settings, survivor: User, case: LegalCase, preferences: ContactPreferences
) -> None:
    """Save the survivor's contact preferences as the survivor."""
    save_preferences(session, settings, actor(session, survivor), case, preferences, now=NOW)
