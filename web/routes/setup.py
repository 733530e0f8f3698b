"""First run: create the first organisation and its admin, then sign the admin in.

Open only on an empty database: once an organisation exists ``/setup`` is 404, so it can never
be used to take over an installation (the service refuses too, also when two people submit at
once). ``redress createadmin`` does the same from the shell.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from api.deps import SessionDep, SettingsDep
from api.orgs import service as orgs_service
from api.orgs.models import DEFAULT_TIMEZONE
from api.orgs.service import timezone_names
from api.security.passwords import check_passphrase
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.identity import now_utc
from web.rendering import render
from web.routes.sign_in import finish_sign_in

router = APIRouter(include_in_schema=False)

TEMPLATE = "staff/setup.html"


def _closed_once_set_up(session: SessionDep) -> None:
    if orgs_service.is_set_up(session):
        raise HTTPException(status_code=404)


def timezone_options() -> list[tuple[str, str]]:
    """Every time zone as (IANA name, readable name) for a select: "America/New_York" reads
    "America/New York"."""
    return [(name, name.replace("_", " ")) for name in timezone_names()]


@router.get("/setup")
def setup_form(request: Request, session: SessionDep) -> Response:
    """The first-run form."""
    _closed_once_set_up(session)
    values = {"timezone": DEFAULT_TIMEZONE}
    return render(
        request, TEMPLATE, {"values": values, "errors": FormErrors(), "timezones": timezone_options()}
    )


@router.post("/setup", dependencies=[CsrfProtected])
def setup(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Create the organisation and admin; on any problem show the form again with what was typed."""
    _closed_once_set_up(session)
    values = {
        "org_name": text_field(form, "org_name", max_length=400),
        "name": text_field(form, "name", max_length=400),
        "email": text_field(form, "email", max_length=400),
        "timezone": text_field(form, "timezone", max_length=64) or DEFAULT_TIMEZONE,
    }
    password = text_field(form, "password", strip=False, max_length=1000)
    confirm = text_field(form, "password_confirm", strip=False, max_length=1000)
    # Every problem at once where the form alone can tell; the service has the last word.
    errors = FormErrors()
    if not values["org_name"]:
        errors.add("org_name", "Enter the name of your organisation.")
    if not values["name"]:
        errors.add("name", "Enter your name.")
    if not values["email"]:
        errors.add("email", "Enter your email address.")
    problem = check_passphrase(password) if password else "Choose a passphrase."
    if problem is not None:
        errors.add("password", problem)
    elif password != confirm:
        errors.add("password_confirm", "The two passphrases are not the same. Type it again.")
    if not errors:
        try:
            _, user = orgs_service.create_first_organisation(
                session,
                settings,
                org_name=values["org_name"],
                admin_email=values["email"],
                admin_name=values["name"],
                password=password,
                timezone=values["timezone"],
                now=now_utc(),
            )
        except orgs_service.AlreadySetUpError:  # someone else finished first
            raise HTTPException(status_code=404) from None
        except orgs_service.OrgError as exc:
            errors.add(exc.field or "org_name", exc.message)
        else:
            return finish_sign_in(session, settings, user, "/cases")
    context = {"values": values, "errors": errors, "timezones": timezone_options()}
    return render(request, TEMPLATE, context, status_code=422)
