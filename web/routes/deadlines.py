"""Staff pages of a case's deadlines: confirm, override from a letter, acknowledge; the reminders
sent, failed or held back (and why); the survivor's contact preferences as the advocate sees them.

- ``GET /cases/{case_id}/deadlines``: every live deadline with its rule, legal basis, confidence,
  trigger and its date, the explanation and the holidays skipped; a moved one shows old → new.
- ``POST /cases/{case_id}/deadlines/{deadline_id}``: ``action`` = ``confirm``, ``acknowledge`` or
  ``override`` (with ``due`` and ``reason``). The form is checked before the deadline is looked
  up, so a refused form never reveals whether an id exists.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from api import access
from api.cases import service as cases_service
from api.cases.checks import saved_id
from api.cases.errors import AccessDenied
from api.contact_preferences.safe_times import describe
from api.contact_preferences.service import preferences_for, why_not_reachable
from api.deadlines import service as deadlines_service
from api.deadlines.errors import DeadlineInputError, DeadlineNotFound
from api.deps import SessionDep, SettingsDep
from api.reminders.models import Reminder, ReminderState
from api.settings import Settings
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.identity import Identity, StaffIdentity, now_utc
from web.rendering import render
from web.routes.cases import timezone_of, today_for, workflow_titles

router = APIRouter(include_in_schema=False)

ACTIONS: Final = ("confirm", "acknowledge", "override")
REMINDERS_SHOWN: Final = 200
# States the advocate must see: what did not (or may not) reach someone.
ATTENTION: Final = (ReminderState.FAILED.value, ReminderState.UNKNOWN.value, ReminderState.SUPPRESSED.value)


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    case_id: str,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    views = deadlines_service.list_deadlines(session, settings, identity.actor, case)
    may_manage = access.can_manage_case(session, identity.actor, case)
    applications = {saved_id(a): a for a in cases_service.list_applications(session, identity.actor, case)}
    reminders = session.exec(
        select(Reminder)
        .where(Reminder.case_id == saved_id(case))
        .order_by(col(Reminder.due_at))
        .limit(REMINDERS_SHOWN)
    ).all()
    visible_ids = {v.row.id for v in views}
    reminders = [r for r in reminders if r.deadline_id in visible_ids]
    reach: dict[str, str | None] = {}
    safe_times_text: str | None = None
    if may_manage:
        preferences = preferences_for(session, settings, identity.actor, case, now=now)
        reach = {channel: why_not_reachable(preferences, channel) for channel in ("email", "in_app")}
        safe_times_text = describe(preferences.safe_times, timezone_of(session, case.organisation_id))
    context = {
        "case": case,
        "views": views,
        "today": today_for(session, case.organisation_id, now),
        "timezone": timezone_of(session, case.organisation_id),
        "titles": workflow_titles(),
        "applications": applications,
        "reminders": reminders,
        "attention": [r for r in reminders if r.state in ATTENTION],
        "deadline_rules": {v.row.id: v.row.rule_id for v in views},
        "may_manage": may_manage,
        "reach": reach,
        "safe_times_text": safe_times_text,
        "has_survivor": case.survivor_user_id is not None,
        "errors": errors or FormErrors(),
        "values": values or {},
        "done": done,
    }
    return render(request, "deadlines/page.html", context, status_code=status_code)


@router.get("/cases/{case_id}/deadlines")
def deadlines_page(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    done: str | None = None,
) -> Response:
    """The case's deadlines and their reminders."""
    return _page(request, session, settings, identity, case_id, done=done if done in ACTIONS else None)


@router.post("/cases/{case_id}/deadlines/{deadline_id}", dependencies=[CsrfProtected])
def deadline_action(
    request: Request,
    case_id: str,
    deadline_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """Confirm, acknowledge or override one deadline; back to the page (or the form's errors)."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    if not access.can_manage_case(session, identity.actor, case):
        raise AccessDenied("Only the case's advocates and administrators can confirm or change deadlines.")
    action = text_field(form, "action", max_length=20)
    values = {
        "deadline": deadline_id,
        "due": text_field(form, "due", max_length=20),
        "reason": text_field(form, "reason", max_length=1000),
    }
    errors = FormErrors()
    due: date | None = None
    if action not in ACTIONS:
        errors.add("action", "Choose what to do with the deadline.")
    elif action == "override":
        try:
            due = date.fromisoformat(values["due"])
        except ValueError:
            errors.add("due", "Enter the date from the letter as YYYY-MM-DD, for example 2027-03-10.")
        if not values["reason"].strip():
            errors.add("reason", "Say where the date comes from, for example the letter and its date.")
    if not errors:
        try:
            if action == "confirm":
                deadlines_service.confirm_deadline(
                    session, settings, identity.actor, case, deadline_id, now=now
                )
            elif action == "acknowledge":
                deadlines_service.acknowledge_deadline(session, identity.actor, case, deadline_id, now=now)
            else:
                assert due is not None
                deadlines_service.override_deadline(
                    session,
                    settings,
                    identity.actor,
                    case,
                    deadline_id,
                    due=due,
                    reason=values["reason"],
                    now=now,
                )
        except DeadlineInputError as exc:
            errors.add(exc.field if exc.field in values else "action", exc.message)
        except DeadlineNotFound:
            errors.add("action", "This deadline is not on the case any more. Reload the page.")
        else:
            return RedirectResponse(
                f"/cases/{case_id}/deadlines?done={action}#deadline-{deadline_id}", status_code=303
            )
    return _page(request, session, settings, identity, case_id, errors=errors, values=values, status_code=422)
