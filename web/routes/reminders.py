"""Staff pages of reminders: the in-app notifications (the bell), the personal calendar feed,
and the organisation's reminder policy and webhook (its admins only).

- ``GET /notifications``, ``POST /notifications/read``: the person's notifications; mark all read.
- ``POST /notifications/digest``: the daily digest of their cases' deadlines, on or off.
- ``GET/POST /account/calendar``: make a new secret feed address (shown once) or revoke it.
- ``GET /calendar/{token}.ics``: the feed itself, for calendar apps, without signing in; an
  unknown or revoked token is 404.
- ``GET/POST /organisation/reminders``: the organisation's time zone (pending reminders move to
  the same local hour on the new clock), days before each kind of deadline, the local hour, and
  the webhook address (its secret shown once).
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from api import access
from api.cases.errors import AccessDenied
from api.deps import SessionDep, SettingsDep
from api.orgs.models import Organisation
from api.reminders import calendar_feed, notifications
from api.reminders.digest import set_daily_digest, wants_daily_digest
from api.reminders.models import OrgWebhook
from api.reminders.planning import DEADLINE_KINDS, PolicyInputError, change_timezone, policy_for, set_policy
from api.reminders.webhook import WebhookInputError, set_webhook
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.identity import Identity, StaffIdentity, now_utc
from web.rendering import render
from web.routes.setup import timezone_options

router = APIRouter(include_in_schema=False)

KIND_NAMES: Final = {
    "limit": "Time limits",
    "target": "Target dates",
    "period_end": "Ends of protected periods",
}


@router.get("/notifications")
def notifications_page(request: Request, session: SessionDep, identity: StaffIdentity) -> Response:
    """The person's latest notifications, newest first, and their daily digest choice."""
    return _notifications_page(request, session, identity)


def _notifications_page(
    request: Request, session: Session, identity: Identity, errors: FormErrors | None = None
) -> Response:
    context = {
        "items": notifications.latest(session, identity.actor.user_id),
        "digest": wants_daily_digest(session, identity.actor.user_id),
        "errors": errors or FormErrors(),
    }
    return render(request, "reminders/notifications.html", context, status_code=422 if errors else 200)


@router.post("/notifications/digest", dependencies=[CsrfProtected])
def set_digest(request: Request, session: SessionDep, identity: StaffIdentity, form: FormDep) -> Response:
    """Turn the daily digest on (``digest`` = ``on``) or off (``off``)."""
    choice = text_field(form, "digest", max_length=3)
    if choice not in {"on", "off"}:
        return _notifications_page(request, session, identity, FormErrors.of("digest", "Choose on or off."))
    set_daily_digest(session, identity.actor.user_id, choice == "on")
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/read", dependencies=[CsrfProtected])
def mark_read(session: SessionDep, identity: StaffIdentity) -> Response:
    """Mark every notification read (the bell's count goes to zero)."""
    notifications.mark_all_read(session, identity.actor.user_id, now=now_utc())
    return RedirectResponse("/notifications", status_code=303)


def _calendar_page(
    request: Request,
    session: Session,
    identity: Identity,
    *,
    url: str | None = None,
    errors: FormErrors | None = None,
) -> Response:
    feed = calendar_feed.active_feed(session, identity.actor.user_id)
    context = {"feed": feed, "new_url": url, "errors": errors or FormErrors()}
    return render(request, "reminders/calendar.html", context, status_code=422 if errors else 200)


@router.get("/account/calendar")
def calendar_page(request: Request, session: SessionDep, identity: StaffIdentity) -> Response:
    """Whether the person has a calendar feed, and the buttons to make or revoke one."""
    return _calendar_page(request, session, identity)


@router.post("/account/calendar", dependencies=[CsrfProtected])
def calendar_action(
    request: Request, session: SessionDep, settings: SettingsDep, identity: StaffIdentity, form: FormDep
) -> Response:
    """``action`` = ``create`` (a new address, shown once; the old one stops) or ``revoke``."""
    action = text_field(form, "action", max_length=20)
    if action == "create":
        token = calendar_feed.create_feed(session, identity.actor.user_id, now=now_utc())
        base = settings.public_base_url.rstrip("/") or str(request.base_url).rstrip("/")
        return _calendar_page(request, session, identity, url=f"{base}/calendar/{token}.ics")
    if action == "revoke":
        calendar_feed.revoke_feeds(session, identity.actor.user_id, now=now_utc())
        return RedirectResponse("/account/calendar", status_code=303)
    return _calendar_page(request, session, identity, errors=FormErrors.of("action", "Choose what to do."))


@router.get("/calendar/{token}.ics")
def calendar_feed_file(token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """The feed for calendar apps; 404 for a token that is unknown or revoked."""
    user_id = calendar_feed.feed_owner(session, token)
    if user_id is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    body = calendar_feed.render_feed(session, user_id, now=now_utc(), base_url=settings.public_base_url)
    return Response(body, media_type="text/calendar; charset=utf-8")


def _admin_organisation(identity: Identity) -> int:
    for organisation_id in identity.actor.memberships:
        if access.may_manage_organisation(identity.actor, organisation_id):
            return organisation_id
    raise AccessDenied("Only an organisation's administrators can set its reminders.")


def _organisation_page(
    request: Request,
    session: Session,
    organisation_id: int,
    *,
    errors: FormErrors | None = None,
    secret: str | None = None,
    done: bool = False,
    timezone: str | None = None,
) -> Response:
    organisation = session.get(Organisation, organisation_id)
    policies = {kind: policy_for(session, organisation_id, kind) for kind in DEADLINE_KINDS}
    hook = session.exec(select(OrgWebhook).where(OrgWebhook.organisation_id == organisation_id)).first()
    context = {
        "organisation": organisation,
        "timezones": timezone_options(),
        "timezone": timezone or (organisation.timezone if organisation else ""),
        "policies": policies,
        "kind_names": KIND_NAMES,
        "webhook": hook,
        "secret": secret,
        "errors": errors or FormErrors(),
        "done": done,
    }
    return render(request, "reminders/organisation.html", context, status_code=422 if errors else 200)


@router.get("/organisation/reminders")
def organisation_reminders(
    request: Request, session: SessionDep, identity: StaffIdentity, done: str | None = None
) -> Response:
    """The organisation's reminder policy and webhook (admins)."""
    return _organisation_page(request, session, _admin_organisation(identity), done=done == "1")


@router.post("/organisation/reminders", dependencies=[CsrfProtected])
def save_organisation_reminders(
    request: Request, session: SessionDep, settings: SettingsDep, identity: StaffIdentity, form: FormDep
) -> Response:
    """Save the policy of every kind and, if given, a new webhook address (its secret shown once)."""
    organisation_id = _admin_organisation(identity)
    errors = FormErrors()
    for kind in DEADLINE_KINDS:
        days = text_field(form, f"days_{kind}", max_length=200)
        hour = text_field(form, f"hour_{kind}", max_length=2)
        if not hour.isdigit():
            errors.add(f"hour_{kind}", "Enter the hour as a number from 0 to 23.")
            continue
        try:
            set_policy(session, organisation_id, kind, days, int(hour))
        except PolicyInputError as exc:
            errors.add(f"days_{kind}", str(exc))
    timezone = text_field(form, "timezone", max_length=64)
    if timezone:
        try:
            change_timezone(session, organisation_id, timezone)
        except PolicyInputError as exc:
            errors.add("timezone", str(exc))
    url = text_field(form, "webhook_url", max_length=600)
    secret = None
    if url and not errors:
        try:
            secret = set_webhook(session, settings, organisation_id, url, now=now_utc())
        except WebhookInputError as exc:
            errors.add("webhook_url", str(exc))
    if errors:
        session.rollback()
        return _organisation_page(request, session, organisation_id, errors=errors, timezone=timezone)
    session.commit()
    if secret is not None:
        return _organisation_page(request, session, organisation_id, secret=secret, done=True)
    return RedirectResponse("/organisation/reminders?done=1", status_code=303)
