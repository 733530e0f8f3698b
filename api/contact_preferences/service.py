"""Read and set a survivor's contact preferences, and decide whether a channel may reach them.

Only the survivor sets their preferences (from their own pages); the case's advocates and admins
read them, to see whether reminders will reach the person and, if not, why. Reads and changes
are recorded as case events (never the values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlmodel import Session, select

from api import access
from api.access import Actor
from api.audit.service import record_event
from api.cases import facts_store
from api.cases.checks import require_aware, saved_id
from api.cases.errors import AccessDenied
from api.cases.models import LegalCase
from api.cases.permissions import authorise
from api.contact_preferences.models import ContactPreference
from api.contact_preferences.safe_times import SafeTimes, SafeTimesError, checked
from api.deadlines.models import CaseDeadline, DeadlineState
from api.reminders import planning
from api.security.crypto import decrypt_field, encrypt_field
from api.settings import Settings

NAME_MAX_LENGTH: Final = 60
EMAIL_MAX_LENGTH: Final = 320
LANGUAGES: Final = ("en", "es", "sq", "vi", "ro", "ar")
_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The survivor reads these on their own page, translated: web/survivor_texts.py lists them for the
# catalogues and tests/web/test_translations.py checks the wording still matches.
BAD_EMAIL: Final = "Enter an email address like name@example.com, or leave it empty."
SAFE_EMAIL_MISSING: Final = (
    "Enter the email address that nobody else reads, or untick “Nobody else reads this email”."
)
NAME_TOO_LONG: Final = f"Use at most {NAME_MAX_LENGTH} characters."
UNKNOWN_LANGUAGE: Final = "Choose a language from the list."


class ContactInputError(ValueError):
    """A preference value is wrong; ``field`` names it and the message says how to fix it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ContactPreferences:
    """A survivor's preferences, decrypted. The defaults send nothing."""

    reminders_opt_in: bool = False
    email: str = ""
    email_safe: bool = False
    in_app_safe: bool = False
    name: str = ""
    org_name_allowed: bool = False
    language: str = "en"
    safe_times: SafeTimes = SafeTimes()


def _aad(case: LegalCase, field: str) -> bytes:
    return f"case:{case.public_id}:contact:{field}".encode()


def read_preferences(session: Session, settings: Settings, case: LegalCase) -> ContactPreferences:
    """The case's preferences (the defaults if none were set). The caller has checked access."""
    row = session.exec(select(ContactPreference).where(ContactPreference.case_id == saved_id(case))).first()
    if row is None:
        return ContactPreferences()
    data_key = facts_store.data_key_of(settings, case)

    def clear(blob: bytes | None, field: str) -> str:
        return "" if blob is None else decrypt_field(data_key, blob, aad=_aad(case, field)).decode()

    return ContactPreferences(
        reminders_opt_in=row.reminders_opt_in,
        email=clear(row.email_encrypted, "email"),
        email_safe=row.email_safe,
        in_app_safe=row.in_app_safe,
        name=clear(row.name_encrypted, "name"),
        org_name_allowed=row.org_name_allowed,
        language=row.language,
        safe_times=SafeTimes(row.safe_from_hour, row.safe_until_hour, row.weekdays_only),
    )


def preferences_for(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, *, now: datetime
) -> ContactPreferences:
    """The preferences as the survivor themself or the case's caseworkers see them."""
    facts = authorise(session, actor, case)
    if not (access.is_caseworker(actor, case.organisation_id) or case.survivor_user_id == actor.user_id):
        raise AccessDenied("Only the person and their advocates see how they want to be contacted.")
    del facts
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action="contact_preferences.viewed",
        at=now,
    )
    session.commit()
    return read_preferences(session, settings, case)


def save_preferences(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    preferences: ContactPreferences,
    *,
    now: datetime,
) -> ContactPreferences:
    """Save the survivor's own choices (only they may). :class:`ContactInputError` names a bad field."""
    require_aware(now)
    authorise(session, actor, case)
    if case.survivor_user_id != actor.user_id or not actor.is_survivor:
        raise AccessDenied("Only the person themself can change how they are contacted.")
    email = preferences.email.strip()
    if email and (len(email) > EMAIL_MAX_LENGTH or not _EMAIL_RE.fullmatch(email)):
        raise ContactInputError("email", BAD_EMAIL)
    if preferences.email_safe and not email:
        raise ContactInputError("email", SAFE_EMAIL_MISSING)
    name = " ".join(preferences.name.split())
    if len(name) > NAME_MAX_LENGTH:
        raise ContactInputError("name", NAME_TOO_LONG)
    if preferences.language not in LANGUAGES:
        raise ContactInputError("language", UNKNOWN_LANGUAGE)
    try:
        times = checked(preferences.safe_times)
    except SafeTimesError as exc:
        raise ContactInputError("safe_from", str(exc)) from exc
    data_key = facts_store.data_key_of(settings, case)
    row = session.exec(select(ContactPreference).where(ContactPreference.case_id == saved_id(case))).first()
    if row is None:
        row = ContactPreference(case_id=saved_id(case), updated_at=now)
    row.reminders_opt_in = preferences.reminders_opt_in
    row.email_encrypted = encrypt_field(data_key, email.encode(), aad=_aad(case, "email")) if email else None
    row.email_safe = preferences.email_safe and bool(email)
    row.in_app_safe = preferences.in_app_safe
    row.name_encrypted = encrypt_field(data_key, name.encode(), aad=_aad(case, "name")) if name else None
    row.org_name_allowed = preferences.org_name_allowed
    row.language = preferences.language
    row.safe_from_hour = times.from_hour
    row.safe_until_hour = times.until_hour
    row.weekdays_only = times.weekdays_only
    row.updated_at = now
    session.add(row)
    session.flush()
    # Deadlines confirmed before the person had preferences get their reminders planned now; the
    # sweep decides at sending time whether each channel may be used.
    confirmed = session.exec(
        select(CaseDeadline).where(
            CaseDeadline.case_id == saved_id(case), CaseDeadline.state == DeadlineState.CONFIRMED.value
        )
    ).all()
    for deadline in confirmed:
        planning.plan_for_deadline(session, settings, case, deadline, now=now)
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action="contact_preferences.changed",
        at=now,
    )
    session.commit()
    return read_preferences(session, settings, case)


def why_not_reachable(preferences: ContactPreferences, channel: str) -> str | None:
    """Why a reminder through ``channel`` must not go to the survivor, or None if it may."""
    if not preferences.reminders_opt_in:
        return "The person has not asked for reminders."
    if channel == "email":
        if not preferences.email:
            return "The person gave no email address."
        if not preferences.email_safe:
            return "The person has not marked their email as safe to use."
        return None
    if channel == "in_app":
        return None if preferences.in_app_safe else "The person has not marked messages in Redress as safe."
    return "This channel is never used for the person."
