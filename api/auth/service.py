"""Use cases of signing in: passwords, the staff second factor, sessions and API tokens.

Sign-in is two steps when a second factor is needed. :func:`authenticate` checks the password
(throttled) and says whether a TOTP code must follow (``verify``), or whether the person must
first enrol an authenticator because their organisation requires one (``enrol``); the caller
starts a session (:func:`start_session`) only once that is done. Survivors, who have no email,
sign in with :func:`authenticate_survivor` (the sign-in name made for them and their passphrase).

Sessions and API tokens are random tokens that only the browser or the token's owner holds; the
database keeps their SHA-256. A session ends when signed out, after ``session_idle_minutes``
without a request (``survivor_session_idle_minutes`` for survivors, whose device may be shared
with the person they are escaping), or ``session_absolute_hours`` after sign-in, whatever happens.

Each public function that changes data owns its unit of work and commits. Errors are
:class:`AuthError` (with a message for the person at the form) and its subclass
:class:`ThrottledError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import bindparam, delete, or_, update
from sqlmodel import Session, col, select

from api.auth import throttle
from api.auth.models import API_SCOPES, API_TOKEN_NAME_MAX_LENGTH, ApiToken, UserSession
from api.auth.schemas import SecondFactor
from api.orgs.models import Membership, Organisation, Role, User
from api.orgs.service import find_user_by_sign_in_name, normalise_sign_in_name
from api.security.crypto import (
    KeyRing,
    decrypt_field,
    encrypt_field,
    new_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from api.security.passwords import (
    check_passphrase,
    hash_password,
    needs_rehash,
    unknown_user_hash,
    verify_password,
)
from api.security.random_tokens import hash_token, new_token
from api.security.totp import matching_step, new_totp_secret, provisioning_uri
from api.settings import Settings

WRONG_CREDENTIALS: Final = "The email address or password is not right."
WRONG_SURVIVOR_CREDENTIALS: Final = "The sign-in name or passphrase is not right."
WRONG_CODE: Final = "That code is not right. Codes change every 30 seconds: use the newest one."
# Recognisable in logs and by secret scanners; the random part carries the entropy.
API_TOKEN_PREFIX: Final = "redress_"
# last_seen_at / last_used_at are written at most this often: one write per request would turn
# every page view into a write transaction (and on SQLite, contention for the one writer).
TOUCH_INTERVAL: Final = timedelta(minutes=1)
LOGIN_ATTEMPT_RETENTION: Final = timedelta(days=30)
_TOTP_FORMAT: Final = b"t1\n"  # then the wrapped key, "\n", and the AES-GCM ciphertext


class AuthError(Exception):
    """Signing in, or an auth change, failed. ``str(error)`` is meant for the person.

    ``field`` names the input at fault (``"code"``, ``"scopes"`` …), or is None.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ThrottledError(AuthError):
    """Too many recent failures: nothing was checked. ``retry_after`` says how long to wait."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(throttle.wait_message(retry_after))
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class LoginResult:
    """A correct password. ``second_factor``: ``none`` (start the session), ``verify`` (ask for
    a TOTP code, :func:`verify_second_factor`) or ``enrol`` (the organisation requires one and
    the person has none yet: :func:`begin_totp_enrolment`, then :func:`enable_totp`)."""

    user: User
    second_factor: SecondFactor

    @property
    def needs_second_factor(self) -> bool:
        """Whether a session may not start yet."""
        return self.second_factor != "none"


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    """A new TOTP secret to show once (as text and as an ``otpauth://`` URI for a QR code)."""

    secret: str
    uri: str


# --- passwords ------------------------------------------------------------------------------------


def check_throttle(session: Session, settings: Settings, identifier: str, now: datetime) -> None:
    """Raise :class:`ThrottledError` if ``identifier`` has failed too often recently.

    For other guessable secrets too (survivor access codes: ``code:<id>``).
    """
    wait = throttle.retry_after(session, settings, identifier, now)
    if wait is not None:
        raise ThrottledError(wait)


def authenticate(
    session: Session, settings: Settings, *, email: str, password: str, now: datetime
) -> LoginResult:
    """Check an email and password, throttled; commit the attempt.

    Raises :class:`ThrottledError` (without checking the password) after too many failures, and
    :class:`AuthError` with one message for every failure, whether the account is unknown,
    inactive or the password wrong. An unknown email costs the same Argon2 verification as a
    known one, so response times do not reveal who has an account.
    """
    identifier = throttle.email_identifier(email)
    check_throttle(session, settings, identifier, now)
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.is_active:
        verify_password(unknown_user_hash(settings), password)
        _fail(session, identifier, now)
        raise AuthError(WRONG_CREDENTIALS)
    # An account whose person has not chosen a passphrase yet costs the same Argon2 work too.
    if not verify_password(user.password_hash or unknown_user_hash(settings), password):
        _fail(session, identifier, now)
        raise AuthError(WRONG_CREDENTIALS)
    throttle.record_attempt(session, identifier, succeeded=True, now=now)
    if needs_rehash(user.password_hash, settings=settings):
        # The cost settings went up since this hash was made; the password is at hand only now.
        user.password_hash = hash_password(password, settings=settings)
        session.add(user)
    second_factor = second_factor_for(session, user)
    session.commit()
    session.refresh(user)
    return LoginResult(user=user, second_factor=second_factor)


def authenticate_survivor(
    session: Session, settings: Settings, *, sign_in_name: str, passphrase: str, now: datetime
) -> User:
    """Check a survivor's sign-in name and passphrase, throttled; commit the attempt.

    The survivor's counterpart of :func:`authenticate`, with the same protections: throttled per
    sign-in name (:class:`ThrottledError`, nothing checked), one message
    (:data:`WRONG_SURVIVOR_CREDENTIALS`) for an unknown name, an inactive account, a staff account
    and a wrong passphrase alike, and the same Argon2 cost whether or not the name exists. The
    name is read as :func:`api.orgs.service.normalise_sign_in_name` reads it ("River Lantern 42"
    is "river-lantern-42"). Survivors have no second factor: the caller starts the session.
    """
    name = normalise_sign_in_name(sign_in_name)
    identifier = f"sign-in-name:{name}"[: throttle.IDENTIFIER_MAX_LENGTH]
    check_throttle(session, settings, identifier, now)
    user = find_user_by_sign_in_name(session, name)
    if user is None or not user.is_active or not is_survivor(session, _id(user.id)):
        verify_password(unknown_user_hash(settings), passphrase)
        _fail(session, identifier, now)
        raise AuthError(WRONG_SURVIVOR_CREDENTIALS)
    if not verify_password(user.password_hash, passphrase):
        _fail(session, identifier, now)
        raise AuthError(WRONG_SURVIVOR_CREDENTIALS)
    throttle.record_attempt(session, identifier, succeeded=True, now=now)
    if needs_rehash(user.password_hash, settings=settings):
        user.password_hash = hash_password(passphrase, settings=settings)
        session.add(user)
    session.commit()
    session.refresh(user)
    return user


def set_password(session: Session, settings: Settings, *, user_id: int, password: str, now: datetime) -> User:
    """Give the user a new password (or a survivor a new passphrase).

    Every session and API token of the user ends: whoever knew the old password is signed out.
    """
    problem = check_passphrase(password)
    if problem is not None:
        raise AuthError(problem, field="password")
    user = _user(session, user_id)
    user.password_hash = hash_password(password, settings=settings)
    session.add(user)
    revoke_credentials(session, user_id, now)
    session.commit()
    session.refresh(user)
    return user


def change_password(
    session: Session,
    settings: Settings,
    *,
    user_id: int,
    current: str,
    new: str,
    keep_session_id: str,
    now: datetime,
) -> User:
    """A signed-in person changes their own passphrase, proving the current one; commit.

    Throttled like sign-in (a stolen session must not become a way to guess the passphrase).
    :class:`AuthError` with ``field="current"`` for a wrong current passphrase and
    ``field="new"`` when the new one breaks the policy. Every other session of the person ends
    (this browser's, ``keep_session_id``, stays signed in); their API tokens keep working.
    """
    user = _user(session, user_id)
    identifier = throttle.email_identifier(user.email or f"user-{user_id}")
    check_throttle(session, settings, identifier, now)
    if not verify_password(user.password_hash, current):
        _fail(session, identifier, now)
        raise AuthError("Your current passphrase is not right.", field="current")
    problem = check_passphrase(new)
    if problem is not None:
        raise AuthError(problem, field="new")
    throttle.record_attempt(session, identifier, succeeded=True, now=now)
    user.password_hash = hash_password(new, settings=settings)
    session.add(user)
    revoke_credentials(session, user_id, now, keep_session_id=keep_session_id, tokens=False)
    session.commit()
    session.refresh(user)
    return user


# --- second factor --------------------------------------------------------------------------------


def second_factor_for(session: Session, user: User) -> SecondFactor:
    """What must follow a correct password for ``user`` (see :class:`LoginResult`).

    ``verify`` for anyone with a second factor; ``enrol`` for staff without one whose
    organisation requires it; survivors are never required to have one.
    """
    if user.has_totp:
        return "verify"
    required = session.exec(
        select(Organisation.id)
        .join(Membership, col(Membership.organisation_id) == col(Organisation.id))
        .where(
            Membership.user_id == _id(user.id),
            col(Membership.role).in_([role.value for role in Role if role.is_staff]),
            col(Organisation.require_staff_totp),
        )
        .limit(1)
    ).first()
    return "enrol" if required is not None else "none"


def begin_totp_enrolment(user: User) -> TotpEnrolment:
    """A new secret for the person to add to their authenticator app; nothing is stored yet."""
    secret = new_totp_secret()
    account = user.email or user.display_name
    return TotpEnrolment(secret=secret, uri=provisioning_uri(secret, account))


def enable_totp(
    session: Session, settings: Settings, user: User, *, secret: str, code: str, now: datetime
) -> None:
    """Store ``secret`` (encrypted) once ``code`` proves the authenticator app has it; commit.

    Throttled like every second-factor attempt. The code used here cannot be used again.
    """
    user_id = _id(user.id)
    identifier = throttle.totp_identifier(user_id)
    check_throttle(session, settings, identifier, now)
    try:
        step = matching_step(secret, code, now)
    except ValueError:
        raise AuthError("This set-up code is not valid. Start again.", field="secret") from None
    if step is None:
        _fail(session, identifier, now)
        raise AuthError(WRONG_CODE, field="code")
    throttle.record_attempt(session, identifier, succeeded=True, now=now)
    user.totp_secret_encrypted = _encrypt_totp_secret(settings, user_id, secret)
    user.totp_last_step = step
    session.add(user)
    session.commit()
    session.refresh(user)


def verify_second_factor(session: Session, settings: Settings, user: User, code: str, now: datetime) -> None:
    """Check a TOTP code at sign-in, throttled; commit the attempt.

    Raises :class:`AuthError` for a wrong code, for a code already used (a replay), and when the
    user has no second factor; :class:`ThrottledError` after too many failures.
    """
    user_id = _id(user.id)
    identifier = throttle.totp_identifier(user_id)
    check_throttle(session, settings, identifier, now)
    if user.totp_secret_encrypted is None:
        raise AuthError("Set up an authenticator app first.", field="code")
    secret = _decrypt_totp_secret(settings, user_id, user.totp_secret_encrypted)
    step = matching_step(secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        _fail(session, identifier, now)
        raise AuthError(WRONG_CODE, field="code")
    throttle.record_attempt(session, identifier, succeeded=True, now=now)
    user.totp_last_step = step
    session.add(user)
    session.commit()
    session.refresh(user)


def disable_totp(session: Session, *, user_id: int) -> User:
    """Remove the user's second factor (lost phone); they enrol again at the next sign-in if
    their organisation requires it."""
    user = _user(session, user_id)
    user.totp_secret_encrypted = None
    user.totp_last_step = None
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def rewrap_totp_secrets(session: Session, settings: Settings) -> int:
    """Re-wrap every stored TOTP secret's key under the current key-encryption key; commit.

    For ``redress rotate-keys``: after it, the old key can leave ``REDRESS_KEYS``. Returns how
    many secrets were re-wrapped.
    """
    ring = KeyRing.from_settings(settings)
    users = session.exec(select(User).where(col(User.totp_secret_encrypted).is_not(None))).all()
    for user in users:
        if user.totp_secret_encrypted is None:
            continue
        secret = _decrypt_totp_secret(settings, _id(user.id), user.totp_secret_encrypted, ring=ring)
        user.totp_secret_encrypted = _encrypt_totp_secret(settings, _id(user.id), secret, ring=ring)
        session.add(user)
    session.commit()
    return len(users)


# --- sessions -------------------------------------------------------------------------------------


def start_session(session: Session, settings: Settings, user: User, now: datetime) -> str:
    """Sign ``user`` in: store a new session and return its token (for the cookie); commit.

    Call only after :func:`authenticate` and, where needed, the second factor. A new token at
    every sign-in, so a token planted before sign-in (session fixation) is worthless.
    """
    if not user.is_active:
        raise AuthError(WRONG_CREDENTIALS)
    token = new_token()
    session.add(
        UserSession(
            id=hash_token(token),
            user_id=_id(user.id),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
        )
    )
    user.last_login_at = now
    session.add(user)
    session.commit()
    return token


# One statement for the session, its user and their memberships: every page asks this. Built
# once: building a statement costs more than running it on an indexed key.
_SIGNED_IN: Final = (
    select(UserSession, User, Membership.organisation_id, Membership.role)
    .join(User, col(User.id) == col(UserSession.user_id))
    .outerjoin(Membership, col(Membership.user_id) == col(User.id))
    .where(col(UserSession.id) == bindparam("session_id"))
)


@dataclass(frozen=True)
class SignedIn:
    """A valid session, its user, and the user's role in each of their organisations."""

    user: User
    user_session: UserSession
    memberships: dict[int, Role]


def resolve_session(
    session: Session, settings: Settings, token: str, now: datetime, *, touch: bool = True
) -> tuple[User, UserSession] | None:
    """The signed-in user and their session for a cookie's token, or None if it is not valid.

    As :func:`resolve_signed_in`, without the memberships.
    """
    found = resolve_signed_in(session, settings, token, now, touch=touch)
    return None if found is None else (found.user, found.user_session)


def resolve_signed_in(
    session: Session, settings: Settings, token: str, now: datetime, *, touch: bool = True
) -> SignedIn | None:
    """The signed-in user, their session and memberships for a cookie's token, or None.

    Not valid: unknown, signed out, idle for too long, past its absolute lifetime, or its user
    deactivated. With ``touch`` (the default), a request counts as activity: ``last_seen_at``
    moves to ``now`` (written at most once a minute). Pass ``touch=False`` for requests that
    are not the person's doing, such as the idle-warning poll. The memberships come with the
    answer because every page needs them (whose idle timeout applies, what the person may do)
    and reading them once per request is cheaper than twice.
    """
    if not token:
        return None
    rows = session.exec(_SIGNED_IN, params={"session_id": hash_token(token)}).all()
    if not rows:
        return None
    user_session, user = rows[0][0], rows[0][1]
    if user_session.revoked_at is not None or now >= user_session.expires_at or not user.is_active:
        return None
    memberships = {org: Role(role) for _s, _u, org, role in rows if org is not None}
    idle = idle_timeout(settings, survivor=Role.SURVIVOR in memberships.values())
    if now >= user_session.last_seen_at + idle:
        return None
    if touch and now - user_session.last_seen_at >= TOUCH_INTERVAL:
        user_session.last_seen_at = now
        session.add(user_session)
        session.commit()
        if session.expire_on_commit:
            session.refresh(user_session)
            session.refresh(user)
    return SignedIn(user, user_session, memberships)


def end_session(session: Session, token: str, now: datetime) -> None:
    """Sign out the session of ``token`` (nothing happens for an unknown token); commit."""
    user_session = session.get(UserSession, hash_token(token)) if token else None
    if user_session is None or user_session.revoked_at is not None:
        return
    user_session.revoked_at = now
    session.add(user_session)
    session.commit()


def end_all_sessions(session: Session, *, user_id: int, now: datetime) -> int:
    """Sign the user out everywhere; returns how many sessions ended; commit."""
    result = session.execute(
        update(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def idle_timeout(settings: Settings, *, survivor: bool) -> timedelta:
    """How long a session may go without a request."""
    minutes = settings.survivor_session_idle_minutes if survivor else settings.session_idle_minutes
    return timedelta(minutes=minutes)


def seconds_until_idle_timeout(
    settings: Settings, user_session: UserSession, now: datetime, *, survivor: bool
) -> int:
    """Seconds until the session ends unless there is activity (never negative).

    The earlier of the idle timeout and the absolute lifetime, so the warning is right either way.
    Activity is recorded at most once a minute, so the figure may be up to a minute short.
    """
    idle_end = user_session.last_seen_at + idle_timeout(settings, survivor=survivor)
    end = min(idle_end, user_session.expires_at)
    return max(0, int((end - now).total_seconds()))


def is_survivor(session: Session, user_id: int) -> bool:
    """Whether the user has a survivor's account (the survivor role in an organisation)."""
    return (
        session.exec(
            select(Membership.id)
            .where(Membership.user_id == user_id, Membership.role == Role.SURVIVOR)
            .limit(1)
        ).first()
        is not None
    )


def purge_expired(session: Session, now: datetime) -> tuple[int, int]:
    """Delete ended sessions and login attempts older than the retention period; commit.

    Returns ``(sessions, attempts)`` deleted. Meant for a periodic task.
    """
    sessions = session.execute(
        delete(UserSession).where(
            or_(col(UserSession.expires_at) <= now, col(UserSession.revoked_at).is_not(None))
        )
    )
    attempts = throttle.delete_attempts_before(session, now - LOGIN_ATTEMPT_RETENTION)
    session.commit()
    return int(getattr(sessions, "rowcount", 0) or 0), attempts


# --- API tokens -----------------------------------------------------------------------------------


def create_api_token(
    session: Session, user: User, name: str, scopes: Iterable[str], now: datetime
) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the row and the token, shown once and never again.

    ``scopes`` is a non-empty subset of :data:`API_SCOPES`. Survivors cannot have tokens.
    """
    user_id = _id(user.id)
    clean_name = " ".join(name.split())
    if not clean_name:
        raise AuthError("Give the token a name, so you know later what uses it.", field="name")
    if len(clean_name) > API_TOKEN_NAME_MAX_LENGTH:
        raise AuthError(f"Use at most {API_TOKEN_NAME_MAX_LENGTH} characters for the name.", field="name")
    wanted = frozenset(scopes)
    if not wanted:
        raise AuthError("Choose at least one scope.", field="scopes")
    unknown = wanted - API_SCOPES
    if unknown:
        allowed = ", ".join(sorted(API_SCOPES))
        raise AuthError(f"Unknown scope {', '.join(sorted(unknown))}; choose from {allowed}.", field="scopes")
    if not user.is_active or is_survivor(session, user_id):
        raise AuthError("This account cannot have API tokens.")
    plaintext = API_TOKEN_PREFIX + new_token()
    api_token = ApiToken(
        user_id=user_id,
        name=clean_name,
        token_hash=hash_token(plaintext),
        scopes=" ".join(sorted(wanted)),
        created_at=now,
    )
    session.add(api_token)
    session.commit()
    session.refresh(api_token)
    return api_token, plaintext


def resolve_api_token(session: Session, token: str, now: datetime) -> tuple[User, frozenset[str]] | None:
    """The user and scopes an API token acts with, or None if it is unknown, revoked or its
    user deactivated. Records its use (at most once a minute)."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    api_token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if api_token is None or api_token.revoked_at is not None:
        return None
    user = session.get(User, api_token.user_id)
    if user is None or not user.is_active:
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at >= TOUCH_INTERVAL:
        api_token.last_used_at = now
        session.add(api_token)
        session.commit()
        session.refresh(user)
    return user, api_token.scope_set


def list_api_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (their history is useful)."""
    return list(
        session.exec(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id).desc())
        ).all()
    )


def revoke_api_token(session: Session, *, user_id: int, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of the user's tokens (again is harmless); commit.

    Raises :class:`AuthError` for a token that is not the user's, as for one that does not exist.
    """
    api_token = session.get(ApiToken, token_id)
    if api_token is None or api_token.user_id != user_id:
        raise AuthError("There is no such token.")
    if api_token.revoked_at is None:
        api_token.revoked_at = now
        session.add(api_token)
        session.commit()
        session.refresh(api_token)
    return api_token


# --- internals ------------------------------------------------------------------------------------


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("row has no id yet: flush before reading it")
    return value


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AuthError("This person does not exist.")
    return user


def _fail(session: Session, identifier: str, now: datetime) -> None:
    # Committed before the error is raised: a failure must count even though the request fails.
    throttle.record_attempt(session, identifier, succeeded=False, now=now)
    session.commit()


def _totp_binding(user_id: int) -> str:
    # The crypto module binds a wrapped key to a "case public id"; any unique string serves, and
    # this one cannot collide with a case's (uuid hex).
    return f"user-totp:{user_id}"


def _encrypt_totp_secret(
    settings: Settings, user_id: int, secret: str, *, ring: KeyRing | None = None
) -> bytes:
    # An envelope of its own (a fresh data key wrapped by the KEK), so a KEK rotation re-wraps it
    # like a case's key (rewrap_totp_secrets) and a copy of the database alone reveals nothing.
    ring = ring or KeyRing.from_settings(settings)
    data_key = new_data_key()
    wrapped = wrap_data_key(ring, data_key, case_public_id=_totp_binding(user_id))
    sealed = encrypt_field(data_key, secret.encode("ascii"), aad=_totp_binding(user_id).encode())
    return _TOTP_FORMAT + wrapped.encode("ascii") + b"\n" + sealed


def _decrypt_totp_secret(
    settings: Settings, user_id: int, blob: bytes, *, ring: KeyRing | None = None
) -> str:
    if not blob.startswith(_TOTP_FORMAT):
        raise AuthError("The stored second factor cannot be read. Ask an admin to reset it.")
    wrapped, _, sealed = blob[len(_TOTP_FORMAT) :].partition(b"\n")
    ring = ring or KeyRing.from_settings(settings)
    data_key = unwrap_data_key(ring, wrapped.decode("ascii"), case_public_id=_totp_binding(user_id))
    return decrypt_field(data_key, sealed, aad=_totp_binding(user_id).encode()).decode("ascii")


def revoke_credentials(
    session: Session, user_id: int, now: datetime, *, keep_session_id: str | None = None, tokens: bool = True
) -> None:
    """End the user's sessions (but ``keep_session_id``) and, if ``tokens``, their API tokens.

    Added to the caller's unit of work, not committed here.
    """
    sessions = update(UserSession).where(
        col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None)
    )
    if keep_session_id is not None:
        sessions = sessions.where(col(UserSession.id) != keep_session_id)
    session.execute(sessions.values(revoked_at=now))
    if tokens:
        session.execute(
            update(ApiToken)
            .where(col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
            .values(revoked_at=now)
        )
