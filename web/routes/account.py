"""A member of staff's own account: personal API tokens, the passphrase and the authenticator app.

``/account/passphrase`` changes one's own passphrase (the current one first, throttled like
sign-in); every other browser signed in as the person is signed out.

A new token's value is shown once, in the response to the form that created it, and never
again (only its hash is stored); the page is not cached (``Cache-Control: no-store``).

``/account/second-factor`` enrols an authenticator app. Two kinds of people arrive there: a
signed-in member of staff adding one by choice, and someone half-way through signing in whose
organisation requires one they do not have yet (the pending sign-in of
:mod:`web.routes.sign_in`). The latter may only *add* a first authenticator, never replace one:
otherwise a passphrase alone would be enough to get past the second factor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import service as auth_service
from api.auth.models import SCOPE_CASES_READ, SCOPE_CASES_WRITE
from api.deps import SessionDep, SettingsDep
from api.orgs.models import User
from api.security.totp import provisioning_uri
from web.forms import CsrfProtected, FormDep, FormErrors, list_field, text_field
from web.identity import OptionalIdentity, SignInRequired, StaffIdentity, now_utc
from web.rendering import render
from web.routes.sign_in import PASSWORD_MAX_LENGTH, NextQuery, finish_sign_in, pending_user

router = APIRouter(include_in_schema=False)

SCOPE_CHOICES: Final = (
    (SCOPE_CASES_READ, "Read cases", "See cases, applications, answers and deadlines."),
    (SCOPE_CASES_WRITE, "Change cases", "Also change answers and start applications."),
)
TOTP_GROUP: Final = 4


def _account_page(
    request: Request,
    session: SessionDep,
    user: User,
    *,
    errors: FormErrors | None = None,
    values: Mapping[str, object] | None = None,
    created: tuple[object, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "tokens": auth_service.list_api_tokens(session, _id(user)),
        "scope_choices": SCOPE_CHOICES,
        "errors": errors or FormErrors(),
        "values": values or {"scopes": [SCOPE_CASES_READ]},
        "created": created,
        "notice": notice,
    }
    return render(request, "staff/account.html", context, status_code=status_code)


@router.get("/account")
def account(
    request: Request, session: SessionDep, identity: StaffIdentity, done: str | None = None
) -> Response:
    """The person's API tokens and second factor."""
    notices = {
        "revoked": "The token was revoked. Anything using it can no longer reach Redress.",
        "second-factor": "Your authenticator app is set up. You will need a code from it when you sign in.",
        "passphrase": (
            "Your passphrase was changed. Any other browser signed in as you was signed out; "
            "your API tokens still work (revoke them below if someone else may know them)."
        ),
    }
    return _account_page(request, session, identity.user, notice=notices.get(done or ""))


@router.post("/account/tokens", dependencies=[CsrfProtected])
def create_token(request: Request, session: SessionDep, identity: StaffIdentity, form: FormDep) -> Response:
    """Create a personal API token and show its value, once."""
    name = text_field(form, "name", max_length=200)
    scopes = list_field(form, "scopes", max_length=50)
    errors = FormErrors()
    if not name:
        errors.add("name", "Give the token a name, so you know later what uses it.")
    if not scopes:
        errors.add("scopes", "Choose what the token may do.")
    if not errors:
        try:
            api_token, plaintext = auth_service.create_api_token(
                session, identity.user, name, scopes, now_utc()
            )
        except auth_service.AuthError as exc:
            errors.add(exc.field or "name", exc.message)
        else:
            return _account_page(request, session, identity.user, created=(api_token, plaintext))
    values = {"name": name, "scopes": scopes}
    return _account_page(request, session, identity.user, errors=errors, values=values, status_code=422)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[CsrfProtected])
def revoke_token(token_id: int, session: SessionDep, identity: StaffIdentity) -> Response:
    """Revoke one of the person's tokens."""
    try:
        auth_service.revoke_api_token(session, user_id=_id(identity.user), token_id=token_id, now=now_utc())
    except auth_service.AuthError:  # not theirs, or no such token: the same answer
        raise HTTPException(status_code=404) from None
    return RedirectResponse("/account?done=revoked", status_code=303)


# --- the passphrase -------------------------------------------------------------------------------


def _passphrase_page(request: Request, errors: FormErrors | None = None) -> Response:
    return render(
        request,
        "staff/passphrase.html",
        {"errors": errors or FormErrors()},
        status_code=422 if errors else 200,
    )


@router.get("/account/passphrase")
def passphrase_form(request: Request, identity: StaffIdentity) -> Response:
    """The form to change one's own passphrase."""
    return _passphrase_page(request)


@router.post("/account/passphrase", dependencies=[CsrfProtected])
def change_passphrase(
    request: Request, session: SessionDep, settings: SettingsDep, identity: StaffIdentity, form: FormDep
) -> Response:
    """Check the current passphrase and set the new one; every other browser is signed out."""
    current = text_field(form, "current", strip=False, max_length=PASSWORD_MAX_LENGTH)
    new = text_field(form, "new", strip=False, max_length=PASSWORD_MAX_LENGTH)
    again = text_field(form, "new_again", strip=False, max_length=PASSWORD_MAX_LENGTH)
    errors = FormErrors()
    if not current:
        errors.add("current", "Enter your current passphrase.")
    if not new:
        errors.add("new", "Enter a new passphrase.")
    elif new != again:
        errors.add("new_again", "The two new passphrases are not the same. Type it again in both boxes.")
    if not errors:
        try:
            auth_service.change_password(
                session,
                settings,
                user_id=_id(identity.user),
                current=current,
                new=new,
                keep_session_id=identity.user_session.id,
                now=now_utc(),
            )
        except auth_service.AuthError as exc:  # ThrottledError included: its message says how long
            errors.add(exc.field or "current", exc.message)
    if errors:
        return _passphrase_page(request, errors)
    return RedirectResponse("/account?done=passphrase", status_code=303)


# --- the authenticator app ------------------------------------------------------------------------


def _enrolling(
    request: Request, session: SessionDep, settings: SettingsDep, identity: OptionalIdentity
) -> tuple[User, bool]:
    """Who is setting up an authenticator, and whether they are half-way through signing in."""
    if identity is not None and not identity.is_survivor:
        return identity.user, False
    user = pending_user(request, session, settings, now_utc())
    if user is not None and auth_service.second_factor_for(session, user) == "enrol":
        return user, True
    # A survivor who follows a staff link goes back to their own page, as on every staff page.
    home = "/survivor" if identity is not None else None
    raise SignInRequired(survivor=False, next_path="/account/second-factor", home=home)


def _enrolment_page(
    request: Request,
    user: User,
    secret: str,
    *,
    signing_in: bool,
    next_path: str | None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    grouped = " ".join(secret[i : i + TOTP_GROUP] for i in range(0, len(secret), TOTP_GROUP))
    context = {
        "secret": secret,
        "secret_grouped": grouped,
        "uri": provisioning_uri(secret, user.email or user.display_name),
        "signing_in": signing_in,
        "next": next_path,
        "errors": errors or FormErrors(),
    }
    return render(request, "staff/enrol_second_factor.html", context, status_code=status_code)


@router.get("/account/second-factor")
def enrol_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    identity: OptionalIdentity,
    next: NextQuery = None,
) -> Response:
    """A new secret to add to an authenticator app, as text and as an ``otpauth://`` link."""
    user, signing_in = _enrolling(request, session, settings, identity)
    if user.has_totp:
        return render(request, "staff/second_factor_set_up.html", {})
    enrolment = auth_service.begin_totp_enrolment(user)
    return _enrolment_page(request, user, enrolment.secret, signing_in=signing_in, next_path=next)


@router.post("/account/second-factor", dependencies=[CsrfProtected])
def enrol(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    identity: OptionalIdentity,
    form: FormDep,
) -> Response:
    """Store the secret once a code from the app proves it has it; finish signing in if need be."""
    user, signing_in = _enrolling(request, session, settings, identity)
    next_path = text_field(form, "next", max_length=2000) or None
    if user.has_totp:
        return RedirectResponse("/account", status_code=303)
    secret = "".join(text_field(form, "secret", max_length=100).split()).upper()
    code = text_field(form, "code", max_length=20)
    errors = FormErrors()
    if not _is_secret(secret):  # the hidden field was changed: start again with a new secret
        secret = auth_service.begin_totp_enrolment(user).secret
        errors.add("code", "The set-up went wrong. Add this new key to your app and try again.")
    elif not code:
        errors.add("code", "Enter the 6-digit code your authenticator app shows for Redress.")
    else:
        try:
            auth_service.enable_totp(session, settings, user, secret=secret, code=code, now=now_utc())
        except auth_service.AuthError as exc:
            errors.add("code", exc.message)
    if errors:
        return _enrolment_page(
            request, user, secret, signing_in=signing_in, next_path=next_path, errors=errors, status_code=422
        )
    if signing_in:
        return finish_sign_in(session, settings, user, next_path)
    return RedirectResponse("/account?done=second-factor", status_code=303)


def _is_secret(secret: str) -> bool:
    """Whether ``secret`` can be a TOTP secret (what the enrolment page handed out)."""
    try:
        provisioning_uri(secret, "check")
    except ValueError:
        return False
    return 16 <= len(secret) <= 64


def _id(user: User) -> int:
    if user.id is None:
        raise RuntimeError("a signed-in user has no id")
    return user.id
