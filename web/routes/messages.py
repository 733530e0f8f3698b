"""Messages between a survivor and their case's advocates.

- ``GET /survivor/messages`` + ``POST``: the survivor's conversation (reading it marks the
  advocates' messages read) and a box to write a new one.
- ``POST /cases/{case_id}/messages``: an advocate writes to the survivor from the case page,
  whose "Messages with the survivor" section shows the conversation (:func:`messages_context`).
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.cases import service as cases_service
from api.cases.errors import AccessDenied
from api.cases.models import LegalCase
from api.cases.survivor_access import own_case_public_id
from api.deps import SessionDep, SettingsDep
from api.messages import service as messages_service
from api.settings import Settings
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.i18n import N_
from web.identity import Identity, StaffIdentity, SurvivorIdentity, now_utc
from web.rendering import render

router = APIRouter(include_in_schema=False)

SURVIVOR_MESSAGES: Final = "/survivor/messages"
FIELD_MAX_LENGTH: Final = messages_service.BODY_MAX_LENGTH + 1000  # beyond it, the form is cut
NO_CASE: Final = N_("There is no one to write to yet. Ask your advocate about it.")


def _own_case(session: Session, identity: Identity) -> LegalCase | None:
    public_id = own_case_public_id(session, identity.actor)
    if public_id is None:
        return None
    return cases_service.get_case(session, identity.actor, public_id, now=now_utc())


def _survivor_page(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    *,
    errors: FormErrors | None = None,
    body: str = "",
    sent: bool = False,
    status_code: int = 200,
) -> Response:
    case = _own_case(session, identity)
    conversation = (
        messages_service.read_conversation(session, settings, identity.actor, case, now=now_utc())
        if case
        else []
    )
    context = {
        "has_case": case is not None,
        "conversation": conversation,
        "errors": errors or FormErrors(),
        "values": {"body": body},
        "sent": sent,
    }
    return render(request, "survivor/messages.html", context, status_code=status_code)


@router.get(SURVIVOR_MESSAGES)
def survivor_messages(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    identity: SurvivorIdentity,
    sent: bool = False,
) -> Response:
    """The survivor's conversation with their advocates."""
    return _survivor_page(request, session, settings, identity, sent=sent)


@router.post(SURVIVOR_MESSAGES, dependencies=[CsrfProtected])
def survivor_send(
    request: Request, session: SessionDep, settings: SettingsDep, identity: SurvivorIdentity, form: FormDep
) -> Response:
    """Send the survivor's message; the form again with a clear message if it was refused."""
    body = text_field(form, "body", max_length=FIELD_MAX_LENGTH, strip=False)
    errors = FormErrors()
    case = _own_case(session, identity)
    if case is None:
        errors.add("body", NO_CASE)
    else:
        try:
            messages_service.send(session, settings, identity.actor, case, body, now=now_utc())
        except messages_service.MessageError as exc:
            errors.add("body", exc.message)
    if errors:
        return _survivor_page(request, session, settings, identity, errors=errors, body=body, status_code=422)
    return RedirectResponse(SURVIVOR_MESSAGES + "?sent=1", status_code=303)


@router.post("/cases/{case_id}/messages", dependencies=[CsrfProtected])
def staff_send(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """An advocate writes to the survivor; back to the case page's messages."""
    case = cases_service.get_case(session, identity.actor, case_id, now=now_utc())
    messages_service.unread_count(session, identity.actor, case)  # AccessDenied (403) for a lawyer
    body = text_field(form, "body", max_length=FIELD_MAX_LENGTH, strip=False)
    try:
        messages_service.send(session, settings, identity.actor, case, body, now=now_utc())
    except messages_service.MessageError as exc:
        # Imported here: the case page module imports this one for its messages section.
        from web.routes.cases import render_case_page

        errors = FormErrors()
        errors.add("message-body", exc.message)
        return render_case_page(
            request,
            session,
            settings,
            identity,
            case_id,
            errors=errors,
            extra={"message_body": body},
            status_code=422,
        )
    return RedirectResponse(f"/cases/{case_id}#messages", status_code=303)


def messages_context(
    session: Session, settings: Settings, identity: Identity, case: LegalCase
) -> dict[str, object]:
    """The case page's conversation with the survivor (None for a lawyer, who takes no part)."""
    try:
        unread = messages_service.unread_count(session, identity.actor, case)
        conversation = messages_service.read_conversation(
            session, settings, identity.actor, case, now=now_utc()
        )
    except AccessDenied:
        return {"messages": None}
    return {"messages": conversation, "messages_unread": unread}
