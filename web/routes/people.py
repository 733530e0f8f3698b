"""The organisation's people and partners (its admins only), and ``/welcome`` where a person
chooses their passphrase with a set-up code.

- ``GET /organisation/people``: the staff (role, status, authenticator), the partner
  organisations and their lawyers, and whether staff must use an authenticator app.
- ``POST /organisation/people``: add a person (name, email, role); their set-up code is shown once.
- ``POST /organisation/people/{user_id}``: ``action`` = ``role`` (with ``role``), ``setup-code``
  (a forgotten passphrase: a new code, shown once), ``deactivate``, ``reactivate`` or ``remove``.
- ``POST /organisation/partners``: ``action`` = ``add`` (``partner_name``), ``lawyer``
  (``partner``, ``lawyer_name``, ``lawyer_email``: a code shown once) or ``unlink`` (``partner``).
- ``POST /organisation/security``: ``staff_totp`` = ``on`` or ``off``.
- ``GET/POST /welcome`` (anyone): email, set-up code and a new passphrase twice; then sign in.

A code appears only in the response to the form that made it; every page is ``no-store``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.auth import service as auth_service
from api.auth.setup_codes import IssuedCode, redeem_setup_code
from api.deps import SessionDep, SettingsDep
from api.orgs import people
from api.orgs.models import Organisation, Role, User
from api.orgs.service import OrgError
from api.settings import Settings
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.identity import Identity, StaffIdentity, now_utc
from web.rendering import render
from web.routes.sign_in import EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH

router = APIRouter(include_in_schema=False)

ROLE_CHOICES: Final = (
    (Role.ADVOCATE.value, "Advocate: works on every case of the organisation"),
    (Role.LAWYER.value, "Lawyer: reviews only the cases shared with them"),
    (Role.ADMIN.value, "Administrator: everything an advocate does, and manages people"),
)
ROLE_NAMES: Final = {Role.ADMIN: "Administrator", Role.ADVOCATE: "Advocate", Role.LAWYER: "Lawyer"}
DONE: Final = {
    "role": "The role was changed.",
    "deactivate": "The account was deactivated: they are signed out and cannot sign in.",
    "reactivate": "The account was reactivated: they can sign in again.",
    "remove": "The person was removed from your organisation.",
    "add-partner": "The partner organisation was added. Add its lawyers below.",
    "unlink": (
        "The partner was unlinked. Cases already shared with its lawyers stay shared until you "
        "revoke each share."
    ),
    "staff-totp-on": "Staff now need an authenticator app: each sets one up at their next sign-in.",
    "staff-totp-off": "Staff no longer need an authenticator app (those who set one up keep using it).",
}
NAME_MAX_LENGTH: Final = 300
CODE_MAX_LENGTH: Final = 100


def _site(request: Request, settings: Settings) -> str:
    return settings.public_base_url.rstrip("/") or str(request.base_url).rstrip("/")


def _people_page(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    organisation_id: int,
    *,
    errors: FormErrors | None = None,
    values: Mapping[str, str] | None = None,
    issued: tuple[User, IssuedCode, str] | None = None,
    joined: tuple[User, str] | None = None,
    done: str | None = None,
) -> Response:
    now = now_utc()
    organisation = session.get_one(Organisation, organisation_id)
    context = {
        "organisation": organisation,
        "people": people.people_of(session, identity.actor, organisation_id, now=now),
        "partners": people.partners_of(session, identity.actor, organisation_id, now=now),
        "role_choices": ROLE_CHOICES,
        "role_names": ROLE_NAMES,
        "short_roles": [(role.value, name) for role, name in ROLE_NAMES.items()],
        "errors": errors or FormErrors(),
        "values": values or {},
        "issued": issued,
        "joined": joined,
        "site": _site(request, settings),
        "notice": DONE.get(done or ""),
        "me": identity.actor.user_id,
    }
    return render(request, "staff/people.html", context, status_code=422 if errors else 200)


@router.get("/organisation/people")
def people_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    done: str | None = None,
) -> Response:
    """The organisation's people and partners (admins)."""
    organisation_id = people.managed_organisation(identity.actor)
    return _people_page(request, session, settings, identity, organisation_id, done=done)


@router.post("/organisation/people", dependencies=[CsrfProtected])
def add_person(
    request: Request, session: SessionDep, settings: SettingsDep, identity: StaffIdentity, form: FormDep
) -> Response:
    """Add a person: a new account with a set-up code (shown once), or an existing one joins."""
    organisation_id = people.managed_organisation(identity.actor)
    values = {
        "name": text_field(form, "name", max_length=NAME_MAX_LENGTH),
        "email": text_field(form, "email", max_length=EMAIL_MAX_LENGTH),
        "role": text_field(form, "role", max_length=20),
    }
    errors = FormErrors()
    if not values["name"]:
        errors.add("name", "Enter the person's name.")
    if not values["email"]:
        errors.add("email", "Enter the person's email address. They sign in with it.")
    if values["role"] not in {value for value, _ in ROLE_CHOICES}:
        errors.add("role", "Choose a role: advocate, lawyer or administrator.")
    if not errors:
        try:
            invitation = people.add_person(
                session,
                settings,
                identity.actor,
                organisation_id,
                name=values["name"],
                email=values["email"],
                role=values["role"],
                now=now_utc(),
            )
        except OrgError as exc:
            errors.add(exc.field if exc.field in values else "email", exc.message)
    if errors:
        return _people_page(
            request, session, settings, identity, organisation_id, errors=errors, values=values
        )
    what = ROLE_NAMES[invitation.role].lower()
    if invitation.code is None:
        return _people_page(
            request, session, settings, identity, organisation_id, joined=(invitation.user, what)
        )
    return _people_page(
        request, session, settings, identity, organisation_id, issued=(invitation.user, invitation.code, what)
    )


@router.post("/organisation/people/{user_id}", dependencies=[CsrfProtected])
def person_action(
    request: Request,
    user_id: int,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """Change a member's role, give them a new set-up code, deactivate, reactivate or remove them."""
    organisation_id = people.managed_organisation(identity.actor)
    action = text_field(form, "action", max_length=20)
    actor, now = identity.actor, now_utc()
    field = f"role-{user_id}" if action == "role" else f"person-{user_id}"
    try:
        if action == "role":
            role = text_field(form, f"role-{user_id}", max_length=20)
            people.change_role(session, actor, organisation_id, user_id, role, now=now)
        elif action == "setup-code":
            user, issued = people.new_setup_code(session, settings, actor, organisation_id, user_id, now=now)
            return _people_page(
                request, session, settings, identity, organisation_id, issued=(user, issued, "")
            )
        elif action == "deactivate":
            people.deactivate(session, actor, organisation_id, user_id, now=now)
        elif action == "reactivate":
            people.reactivate(session, actor, organisation_id, user_id, now=now)
        elif action == "remove":
            people.remove(session, actor, organisation_id, user_id, now=now)
        else:
            raise OrgError("Choose what to do.")
    except OrgError as exc:
        return _people_page(
            request, session, settings, identity, organisation_id, errors=FormErrors.of(field, exc.message)
        )
    return RedirectResponse(f"/organisation/people?done={action}", status_code=303)


@router.post("/organisation/partners", dependencies=[CsrfProtected])
def partner_action(
    request: Request, session: SessionDep, settings: SettingsDep, identity: StaffIdentity, form: FormDep
) -> Response:
    """Add a partner organisation, add a lawyer to one (a set-up code, shown once), or unlink one."""
    organisation_id = people.managed_organisation(identity.actor)
    action = text_field(form, "action", max_length=20)
    partner = text_field(form, "partner", max_length=20)
    values = {
        "partner_name": text_field(form, "partner_name", max_length=NAME_MAX_LENGTH),
        "lawyer_name": text_field(form, "lawyer_name", max_length=NAME_MAX_LENGTH),
        "lawyer_email": text_field(form, "lawyer_email", max_length=EMAIL_MAX_LENGTH),
        "partner": partner,
    }
    actor, now = identity.actor, now_utc()
    errors = FormErrors()
    try:
        if action == "add":
            if not values["partner_name"]:
                errors.add("partner_name", "Enter the partner organisation's name, for example a law firm.")
            else:
                people.add_partner(session, actor, organisation_id, name=values["partner_name"], now=now)
                return RedirectResponse("/organisation/people?done=add-partner#partners", status_code=303)
        elif action == "lawyer":
            if not partner.isdigit():
                errors.add("partner", "Choose the partner organisation the lawyer works for.")
            if not values["lawyer_name"]:
                errors.add("lawyer_name", "Enter the lawyer's name.")
            if not values["lawyer_email"]:
                errors.add("lawyer_email", "Enter the lawyer's email address. They sign in with it.")
            if not errors:
                invitation = people.add_partner_lawyer(
                    session,
                    settings,
                    actor,
                    organisation_id,
                    int(partner),
                    name=values["lawyer_name"],
                    email=values["lawyer_email"],
                    now=now,
                )
                if invitation.code is None:
                    return _people_page(
                        request,
                        session,
                        settings,
                        identity,
                        organisation_id,
                        joined=(invitation.user, "lawyer"),
                    )
                issued = (invitation.user, invitation.code, "lawyer")
                return _people_page(request, session, settings, identity, organisation_id, issued=issued)
        elif action == "unlink":
            if not partner.isdigit():
                errors.add("unlink", "Choose the partner organisation to unlink.")
            else:
                people.unlink_partner(session, actor, organisation_id, int(partner), now=now)
                return RedirectResponse("/organisation/people?done=unlink#partners", status_code=303)
        else:
            errors.add("partner_name", "Choose what to do.")
    except OrgError as exc:
        errors.add(_partner_field(action, exc.field), exc.message)
    return _people_page(request, session, settings, identity, organisation_id, errors=errors, values=values)


def _partner_field(action: str, field: str | None) -> str:
    """The input a refusal of the partner form is about (the service names its own fields)."""
    if action == "add":
        return "partner_name"
    if action == "unlink":
        return "unlink"
    return {"display_name": "lawyer_name", "partner": "partner", "role": "partner"}.get(
        field or "", "lawyer_email"
    )


@router.post("/organisation/security", dependencies=[CsrfProtected])
def security(
    request: Request, session: SessionDep, settings: SettingsDep, identity: StaffIdentity, form: FormDep
) -> Response:
    """Require an authenticator app at every staff sign-in (``staff_totp`` = ``on``) or not."""
    organisation_id = people.managed_organisation(identity.actor)
    choice = text_field(form, "staff_totp", max_length=3)
    if choice not in {"on", "off"}:
        errors = FormErrors.of("staff_totp", "Choose whether staff need an authenticator app.")
        return _people_page(request, session, settings, identity, organisation_id, errors=errors)
    people.require_staff_totp(
        session, identity.actor, organisation_id, required=choice == "on", now=now_utc()
    )
    return RedirectResponse(f"/organisation/people?done=staff-totp-{choice}#security", status_code=303)


# --- /welcome -------------------------------------------------------------------------------------


def _welcome_page(
    request: Request, *, values: Mapping[str, str] | None = None, errors: FormErrors | None = None
) -> Response:
    context = {"values": values or {}, "errors": errors or FormErrors()}
    return render(request, "staff/welcome.html", context, status_code=422 if errors else 200)


@router.get("/welcome")
def welcome_form(request: Request) -> Response:
    """The form where a person with a set-up code chooses their passphrase."""
    return _welcome_page(request)


@router.post("/welcome", dependencies=[CsrfProtected])
def welcome(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Check the email and set-up code, set the passphrase, and send the person to sign in."""
    email = text_field(form, "email", max_length=EMAIL_MAX_LENGTH)
    code = text_field(form, "code", max_length=CODE_MAX_LENGTH)
    passphrase = text_field(form, "passphrase", strip=False, max_length=PASSWORD_MAX_LENGTH)
    again = text_field(form, "passphrase_again", strip=False, max_length=PASSWORD_MAX_LENGTH)
    errors = FormErrors()
    if not email:
        errors.add("email", "Enter the email address your administrator added you with.")
    if not code:
        errors.add("code", "Enter the set-up code your administrator gave you.")
    if not passphrase:
        errors.add("passphrase", "Choose a passphrase.")
    elif passphrase != again:
        errors.add("passphrase_again", "The two passphrases are not the same. Type it again in both boxes.")
    if not errors:
        try:
            redeem_setup_code(session, settings, email=email, code=code, passphrase=passphrase, now=now_utc())
        except auth_service.AuthError as exc:  # ThrottledError included: its message says how long
            errors.add(exc.field or "code", exc.message)
        else:
            return RedirectResponse("/sign-in?welcome=1", status_code=303)
    return _welcome_page(request, values={"email": email, "code": code}, errors=errors)
