"""Email through SMTP: the settings checked once, and a sender that reuses its connection.

``REDRESS_SMTP_*`` are plain text in the settings so a typo never stops Redress from starting.
:func:`mail_config` turns them into a :class:`MailConfig` or explains what is wrong;
:func:`warn_if_misconfigured` logs that explanation at start (web app and worker), and email
reminders are then not planned, while in-app reminders, the calendar feed and webhooks carry on.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from types import TracebackType
from typing import Final

from api.settings import Settings

SMTP_TIMEOUT_SECONDS: Final = 30.0
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off", ""})
logger = logging.getLogger("redress.reminders.mail")


@dataclass(frozen=True)
class MailConfig:
    """Valid SMTP settings."""

    host: str
    port: int
    username: str
    password: str
    from_address: str
    starttls: bool


class MailSettingsError(ValueError):
    """The ``REDRESS_SMTP_*`` settings are unusable; the message says which and how to fix it."""


def mail_config(settings: Settings) -> MailConfig | None:
    """The SMTP settings, or None when email is not configured (``REDRESS_SMTP_HOST`` empty).

    Raises :class:`MailSettingsError` naming every wrong setting.
    """
    host = settings.smtp_host.strip()
    if not host:
        return None
    problems = []
    port_text = settings.smtp_port.strip()
    port = int(port_text) if port_text.isdigit() else -1
    if not 1 <= port <= 65535:
        problems.append(f"REDRESS_SMTP_PORT must be a port number from 1 to 65535, got {port_text!r}")
    _, address = parseaddr(settings.smtp_from)
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        problems.append(
            "REDRESS_SMTP_FROM must be the sender's address, e.g. 'Redress <reminders@example.org>'"
        )
    starttls = settings.smtp_starttls.strip().lower()
    if starttls not in _TRUE | _FALSE:
        problems.append(f"REDRESS_SMTP_STARTTLS must be true or false, got {settings.smtp_starttls!r}")
    if problems:
        raise MailSettingsError("; ".join(problems))
    return MailConfig(
        host=host,
        port=port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value(),
        from_address=settings.smtp_from.strip(),
        starttls=starttls in _TRUE,
    )


def usable_mail_config(settings: Settings) -> MailConfig | None:
    """The SMTP settings if email is configured and valid, else None (never raises)."""
    try:
        return mail_config(settings)
    except MailSettingsError:
        return None


def warn_if_misconfigured(settings: Settings) -> str | None:
    """Log a clear warning if the SMTP settings are wrong; return it (None if all is well)."""
    try:
        mail_config(settings)
    except MailSettingsError as exc:
        message = (
            f"Email reminders are off because the SMTP settings are wrong: {exc}. "
            "In-app reminders, calendar feeds and webhooks still work."
        )
        logger.warning(message)
        return message
    return None


class MailSender:
    """Sends messages over one SMTP connection, opened on first use and reopened after an error."""

    def __init__(self, config: MailConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> MailSender:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        """Send ``message``; raises ``smtplib.SMTPException`` or ``OSError`` on failure."""
        if message["From"] is None:
            message["From"] = self.config.from_address
        try:
            self._connection().send_message(message)
        except (smtplib.SMTPException, OSError):
            self.close()  # the next message starts with a fresh connection
            raise

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(self.config.host, self.config.port, timeout=SMTP_TIMEOUT_SECONDS)
            if self.config.starttls:
                smtp.starttls()
            if self.config.username:
                smtp.login(self.config.username, self.config.password)
            self._smtp = smtp
        return self._smtp

    def close(self) -> None:
        """Close the connection (quietly: it may already be broken)."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None
