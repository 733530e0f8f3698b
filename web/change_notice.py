"""Carry "what changed" from a changed answer to the "check your answers" page that follows it.

Changing an answer re-evaluates every application of the case, and the person must see what that
did: outcomes that now apply or no longer do, deadlines that moved (old date → new date), evidence
that joined or left the checklist, answers that are now unused (kept, never deleted). The
:class:`~api.cases.schemas.ChangeReport` that says so exists only while the POST runs, but the page
that shows it is the GET that follows (Post/Redirect/Get, so refresh and back never re-send the
answer). How the report crosses that redirect:

- **Not in the URL.** Deadlines derived from sensitive answers would land in the browser's
  history and in server logs. The URL carries only a random *nonce*:
  ``…/check-answers?changed=<nonce>``.
- **Not recomputed from the fact history.** Rebuilding "before" from the superseded rows would
  need a fact-history reader the services do not offer (yet), and would cost another decryption
  of the case and two engine runs per application on every view of the page.
- **A short-lived, encrypted cookie.** The POST seals a compact summary (ids and dates only; the
  wording is looked up again in the definition and the fact dictionary) with AES-GCM under a key
  derived from the app's secret key, bound (as associated data) to the case, the application and
  the person, and sets it for :data:`LIFETIME` on the application's path only. The GET opens it
  if the nonce matches. So it works across several web processes (nothing is kept in memory),
  survives a refresh and back/forward for a few minutes, cannot be read or moved to another case
  or person, and afterwards the page is simply shown without the panel. A newer change replaces
  the cookie, so an older ``changed=`` URL then shows no panel rather than the wrong one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from api.cases.schemas import ChangeReport, DeadlineChange
from api.security.crypto import CryptoError, decrypt_field, encrypt_field
from api.settings import Settings
from workflows.catalogue import default_catalogue
from workflows.facts import default_fact_dictionary
from workflows.model import Workflow
from workflows.schema import Level

COOKIE_NAME: Final = "redress_changes"
LIFETIME: Final = timedelta(minutes=10)
_FORMAT: Final = 1
_KEY_PURPOSE: Final = b"redress:change-notice:v1"


@dataclass(frozen=True, slots=True)
class OutcomeNote:
    """An outcome that now applies, or no longer applies."""

    level: Level
    message: str


@dataclass(frozen=True, slots=True)
class DeadlineNote:
    """A deadline that appeared (``old_due`` None), went (``new_due`` None) or moved."""

    label: str
    old_due: date | None
    new_due: date | None


@dataclass(frozen=True, slots=True)
class ApplicationNote:
    """What one change did to one application."""

    title: str
    outcomes_added: tuple[OutcomeNote, ...]
    outcomes_removed: tuple[OutcomeNote, ...]
    deadlines_added: tuple[DeadlineNote, ...]
    deadlines_removed: tuple[DeadlineNote, ...]
    deadlines_moved: tuple[DeadlineNote, ...]
    checklist_added: tuple[str, ...]
    checklist_removed: tuple[str, ...]
    now_unused: tuple[str, ...]  # labels of answers kept but no longer used


@dataclass(frozen=True, slots=True)
class ChangeNotice:
    """The "What changed" panel: the answers changed and, per application, what followed."""

    changed: tuple[str, ...]  # labels of the answers that changed
    applications: tuple[ApplicationNote, ...]  # only those where something changed


def notice_from_report(report: ChangeReport) -> ChangeNotice:
    """The panel for ``report``, as shown straight after the change."""
    return _notice(_compact(report))


def seal(settings: Settings, report: ChangeReport, *, binding: str, now: datetime) -> tuple[str, str]:
    """``(nonce, cookie value)`` carrying ``report`` for :data:`LIFETIME`.

    ``binding`` names the case, application and person (the cookie opens for them only).
    """
    nonce = secrets.token_hex(8)
    payload = {"n": nonce, "exp": int((now + LIFETIME).timestamp()), **_compact(report)}
    plaintext = json.dumps(payload, separators=(",", ":")).encode()
    sealed = encrypt_field(_key(settings), plaintext, aad=_aad(binding))
    return nonce, base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def open_sealed(
    settings: Settings, cookie: str | None, *, binding: str, nonce: str | None, now: datetime
) -> ChangeNotice | None:
    """The panel sealed in ``cookie`` for this ``binding`` and ``nonce``, or None.

    None (never an error) for no cookie, another nonce, an expired or damaged cookie, or one
    sealed for another case, application or person: the page then shows no panel.
    """
    if not cookie or not nonce:
        return None
    try:
        sealed = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
        payload = json.loads(decrypt_field(_key(settings), sealed, aad=_aad(binding)))
    except (binascii.Error, ValueError, CryptoError):
        return None
    if not isinstance(payload, dict) or payload.get("v") != _FORMAT or payload.get("n") != nonce:
        return None
    if not isinstance(payload.get("exp"), int) or payload["exp"] < now.timestamp():
        return None
    try:
        return _notice(payload)
    except (KeyError, TypeError, ValueError):  # sealed by another version of this module
        return None


def cookie_path(case_public_id: str, application_public_id: str) -> str:
    """Where the cookie is sent: this application's pages only."""
    return f"/cases/{case_public_id}/applications/{application_public_id}"


# --- internals ------------------------------------------------------------------------------------


def _key(settings: Settings) -> bytes:
    # A key of its own, derived from the secret key: the cookie key is never the CSRF or session key.
    return hmac.new(settings.secret_key.get_secret_value().encode(), _KEY_PURPOSE, hashlib.sha256).digest()


def _aad(binding: str) -> bytes:
    return f"change-notice:{binding}".encode()


def _dates(changes: tuple[DeadlineChange, ...]) -> list[list[str | None]]:
    def iso(day: date | None) -> str | None:
        return day.isoformat() if day is not None else None

    return [[change.id, iso(change.old_due), iso(change.new_due)] for change in changes]


def _compact(report: ChangeReport) -> dict[str, object]:
    """Ids and dates only: small enough for a cookie, and nothing a definition can re-word."""
    return {
        "v": _FORMAT,
        "k": list(report.changed_keys),
        "a": [
            {
                "w": app.workflow_id,
                "ver": app.evaluation.workflow.version,
                "oa": [o.id for o in app.outcomes_added],
                "or": [o.id for o in app.outcomes_removed],
                "da": _dates(app.deadlines_added),
                "dr": _dates(app.deadlines_removed),
                "dm": _dates(app.deadlines_moved),
                "ca": [c.id for c in app.checklist_added],
                "cr": [c.id for c in app.checklist_removed],
                "u": list(app.became_unused),
            }
            for app in report.applications
            if app.changed
        ],
    }


def _workflow(workflow_id: str, version: str) -> Workflow | None:
    for workflow in default_catalogue():
        if workflow.id == workflow_id and workflow.version == version:
            return workflow
    return None


def _notice(payload: dict[str, object]) -> ChangeNotice:
    """The panel for a compact summary; KeyError/TypeError/ValueError if it is malformed."""
    dictionary = default_fact_dictionary()

    def fact_label(key: str) -> str:
        return dictionary.get(key).label if key in dictionary else key

    notes = []
    for app in _list(payload["a"]):
        if not isinstance(app, dict):
            raise TypeError("an application's summary must be an object")
        workflow = _workflow(str(app["w"]), str(app["ver"]))
        if workflow is None:  # a definition version no longer shipped: nothing to word it with
            continue
        notes.append(_application_note(workflow, app, fact_label))
    changed = tuple(fact_label(key) for key in _strings(payload["k"]))
    return ChangeNotice(changed=changed, applications=tuple(notes))


def _application_note(
    workflow: Workflow, app: dict[str, object], fact_label: Callable[[str], str]
) -> ApplicationNote:
    outcomes = {outcome.id: outcome for outcome in workflow.outcomes}
    deadlines = {rule.id: rule.label for rule in workflow.deadlines}
    evidence = {rule.id: rule.label for rule in workflow.evidence}

    def outcome_notes(field: str) -> tuple[OutcomeNote, ...]:
        ids = _strings(app[field])
        return tuple(OutcomeNote(outcomes[i].level, outcomes[i].message) for i in ids if i in outcomes)

    def deadline_notes(field: str) -> tuple[DeadlineNote, ...]:
        notes = []
        for row in _list(app[field]):
            rule_id, old, new = _list(row)
            notes.append(DeadlineNote(deadlines.get(str(rule_id), str(rule_id)), _day(old), _day(new)))
        return tuple(notes)

    return ApplicationNote(
        title=workflow.title,
        outcomes_added=outcome_notes("oa"),
        outcomes_removed=outcome_notes("or"),
        deadlines_added=deadline_notes("da"),
        deadlines_removed=deadline_notes("dr"),
        deadlines_moved=deadline_notes("dm"),
        checklist_added=tuple(evidence.get(i, i) for i in _strings(app["ca"])),
        checklist_removed=tuple(evidence.get(i, i) for i in _strings(app["cr"])),
        now_unused=tuple(fact_label(key) for key in _strings(app["u"])),
    )


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def _strings(value: object) -> list[str]:
    return [str(item) for item in _list(value)]


def _day(value: object) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("expected an ISO date")
    return date.fromisoformat(value)
