"""Use cases of organisations and people: first run, users, roles, partners.

Each public function that changes data owns its unit of work and commits; it validates everything
before writing, so a refused request leaves nothing behind. Errors are :class:`OrgError`, whose
message is written for the person at the form and whose ``field`` names the input at fault.

Who may call what (an admin for user management, say) is decided by the caller through
:mod:`api.access`; these functions check only that the data makes sense, for example that the user
belongs to the organisation named and that an organisation keeps at least one admin.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import UTC, datetime
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, or_, text, update
from sqlmodel import Session, col, select

from api.auth.models import ApiToken, UserSession
from api.orgs.models import (
    DEFAULT_TIMEZONE,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SIGN_IN_NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    Membership,
    Organisation,
    PartnerLink,
    Role,
    User,
)
from api.security.passwords import check_passphrase, hash_password
from api.settings import Settings

ALREADY_SET_UP: Final = "Redress is already set up"
# The password hash of an account whose person has not chosen a passphrase yet: no passphrase
# matches it (``verify_password`` refuses an empty hash), so nobody can sign in as them.
NO_PASSPHRASE: Final = ""
# Any fixed number: PostgreSQL advisory locks are keyed by an integer chosen by the application.
_FIRST_RUN_LOCK: Final = 0x5245_4452  # "REDR"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Sign-in names made for survivors: two of these words and two digits ("river-lantern-42").
# Common, short, easy to spell and say over the phone, and about nothing in particular: a name
# seen on a scrap of paper or over a shoulder must not hint at a case, a crime or a service.
# 169 words give 169 x 168 x 90 (about 2.6 million) names: room for every survivor, and a
# name is no secret anyway (the passphrase is).
_SIGN_IN_WORDS_TEXT: Final = """
    acorn almond amber anchor apple apricot arch aspen autumn badge bamboo banjo barley basil
    beach beacon berry birch biscuit blossom bonnet breeze brick brook bucket butter button
    cabin cactus camel candle canoe canvas carrot castle cedar cherry chestnut cinnamon clover
    cobble comet copper coral cotton cricket crystal cypress daisy dolphin domino dragonfly drum
    dune eagle echo elder ember fennel fern fiddle fig finch flint forest fountain garden ginger
    glacier gravel hazel heather helmet heron hill honey island ivory jasmine juniper kettle
    kite ladder lantern lavender lemon lily linen lotus maple marble meadow melon mint mitten
    moss muffin nutmeg oak oat ocean olive orchard otter owl paddle panda parsley peach pebble
    pelican pepper piano pillow pine planet plum pocket pond poppy puffin pumpkin quartz quill
    rabbit radish rainbow raven reed ribbon ripple river robin rocket saddle sage sailor salmon
    sandal season shell silver sparrow spruce squirrel star stone summer sunset swan teapot
    thistle thunder tiger timber tomato topaz tulip turnip valley velvet violet walnut willow
    window winter wren yarrow zebra
"""
SIGN_IN_WORDS: Final = tuple(_SIGN_IN_WORDS_TEXT.split())
_NOT_SIGN_IN_NAME = re.compile(r"[^a-z0-9]+")
_SIGN_IN_NAME_MIN_LENGTH: Final = 3
_NEW_SIGN_IN_NAME_TRIES: Final = 50


class OrgError(Exception):
    """A request about organisations or people that cannot be carried out.

    ``str(error)`` is a sentence for the person who asked; ``field`` names the input at fault
    (``"email"``, ``"password"`` …) so a form can link the error summary to it, or is None.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class AlreadySetUpError(OrgError):
    """First-run setup was asked for, but an organisation exists already."""

    def __init__(self) -> None:
        super().__init__(ALREADY_SET_UP)


# --- reading --------------------------------------------------------------------------------------


def is_set_up(session: Session) -> bool:
    """Whether the first organisation exists (first-run setup is then closed for good)."""
    return session.exec(select(Organisation.id).limit(1)).first() is not None


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    """The organisation with this id; :class:`OrgError` if there is none."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise OrgError("This organisation does not exist.")
    return organisation


def get_user(session: Session, user_id: int) -> User:
    """The user with this id; :class:`OrgError` if there is none."""
    user = session.get(User, user_id)
    if user is None:
        raise OrgError("This person does not exist.")
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user whose email is ``email`` (compared case-insensitively), or None."""
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def find_user_by_sign_in_name(session: Session, sign_in_name: str) -> User | None:
    """The user whose sign-in name is ``sign_in_name`` (as :func:`normalise_sign_in_name` reads
    it), or None."""
    clean = normalise_sign_in_name(sign_in_name)
    if not clean:
        return None
    return session.exec(select(User).where(User.sign_in_name == clean)).first()


def memberships_of(session: Session, user_id: int) -> dict[int, Role]:
    """The user's role in each organisation they belong to: ``{organisation_id: role}``."""
    rows = session.exec(
        select(Membership.organisation_id, Membership.role).where(Membership.user_id == user_id)
    ).all()
    return {organisation_id: Role(role) for organisation_id, role in rows}


def members_of(session: Session, organisation_id: int) -> list[tuple[User, Role]]:
    """Everyone in the organisation with their role, by name."""
    rows = session.exec(
        select(User, Membership.role)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.organisation_id == organisation_id)
        .order_by(col(User.display_name), col(User.id))
    ).all()
    return [(user, Role(role)) for user, role in rows]


def partner_organisation_ids(session: Session, organisation_id: int) -> list[int]:
    """The organisations whose lawyers may be shared this organisation's cases."""
    return list(
        session.exec(
            select(PartnerLink.partner_organisation_id)
            .where(PartnerLink.organisation_id == organisation_id)
            .order_by(col(PartnerLink.partner_organisation_id))
        ).all()
    )


def shareable_lawyers(session: Session, organisation_id: int) -> list[User]:
    """Active lawyers a case of ``organisation_id`` may be shared with.

    Those with the lawyer role in the organisation itself or in one of its partner organisations.
    """
    partner_ids = select(PartnerLink.partner_organisation_id).where(
        PartnerLink.organisation_id == organisation_id
    )
    lawyer_ids = select(Membership.user_id).where(
        Membership.role == Role.LAWYER,
        or_(
            col(Membership.organisation_id) == organisation_id,
            col(Membership.organisation_id).in_(partner_ids),
        ),
    )
    return list(
        session.exec(
            select(User)
            .where(col(User.id).in_(lawyer_ids), col(User.is_active))
            .order_by(col(User.display_name), col(User.id))
        ).all()
    )


def is_shareable_lawyer(session: Session, *, organisation_id: int, user_id: int) -> bool:
    """Whether a case of ``organisation_id`` may be shared with user ``user_id`` (see above)."""
    return any(user.id == user_id for user in shareable_lawyers(session, organisation_id))


# --- first run ------------------------------------------------------------------------------------


def create_first_organisation(
    session: Session,
    settings: Settings,
    *,
    org_name: str,
    admin_email: str,
    admin_name: str,
    password: str,
    timezone: str = DEFAULT_TIMEZONE,
    now: datetime | None = None,
) -> tuple[Organisation, User]:
    """Create the first organisation and its first admin, on an empty database only.

    Raises :class:`AlreadySetUpError` once any organisation exists, so this can never be used to
    take over an installation; further organisations and users are created by admins.
    """
    now = _now(now)
    name = _clean_name(org_name, field="org_name", what="the organisation's name")
    timezone = valid_timezone(timezone)
    email = normalise_email(admin_email)
    display_name = _clean_name(admin_name, field="name", what="your name")
    _check_password(password)
    if session.get_bind().dialect.name == "postgresql":
        # Two first-run forms submitted at once must not create two organisations: the second
        # waits here until the first commits, then sees it.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FIRST_RUN_LOCK})
    if is_set_up(session):
        raise AlreadySetUpError
    organisation = Organisation(name=name, slug=_free_slug(session, name), timezone=timezone, created_at=now)
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password, settings=settings),
        created_at=now,
    )
    session.add(organisation)
    session.add(user)
    session.flush()
    session.add(Membership(organisation_id=_id(organisation.id), user_id=_id(user.id), role=Role.ADMIN))
    session.commit()
    session.refresh(organisation)
    session.refresh(user)
    return organisation, user


# --- organisations --------------------------------------------------------------------------------


def create_organisation(
    session: Session, *, name: str, timezone: str = DEFAULT_TIMEZONE, now: datetime | None = None
) -> Organisation:
    """Create another organisation (a partner law firm, say); its people are added afterwards."""
    clean = _clean_name(name, field="name", what="the organisation's name")
    organisation = Organisation(
        name=clean, slug=_free_slug(session, clean), timezone=valid_timezone(timezone), created_at=_now(now)
    )
    session.add(organisation)
    session.commit()
    session.refresh(organisation)
    return organisation


def set_require_staff_totp(session: Session, *, organisation_id: int, required: bool) -> Organisation:
    """Require (or stop requiring) a second factor at sign-in for the organisation's staff."""
    organisation = get_organisation(session, organisation_id)
    organisation.require_staff_totp = required
    session.add(organisation)
    session.commit()
    session.refresh(organisation)
    return organisation


def link_partner(session: Session, organisation_id: int, partner_organisation_id: int) -> PartnerLink:
    """Let ``organisation_id`` share its cases with the lawyers of ``partner_organisation_id``.

    One-directional, and idempotent: linking twice returns the existing link.
    """
    if organisation_id == partner_organisation_id:
        raise OrgError("An organisation cannot be its own partner.", field="partner_organisation_id")
    get_organisation(session, organisation_id)
    get_organisation(session, partner_organisation_id)
    existing = _partner_link(session, organisation_id, partner_organisation_id)
    if existing is not None:
        return existing
    link = PartnerLink(organisation_id=organisation_id, partner_organisation_id=partner_organisation_id)
    session.add(link)
    session.commit()
    session.refresh(link)
    return link


def unlink_partner(session: Session, organisation_id: int, partner_organisation_id: int) -> bool:
    """Remove a partner link; returns whether there was one.

    Cases already shared with the partner's lawyers stay shared until each share is revoked.
    """
    existing = _partner_link(session, organisation_id, partner_organisation_id)
    if existing is None:
        return False
    session.delete(existing)
    session.commit()
    return True


# --- people ---------------------------------------------------------------------------------------


def create_user(
    session: Session,
    settings: Settings,
    *,
    organisation_id: int,
    email: str,
    display_name: str,
    role: Role | str,
    password: str | None,
    now: datetime | None = None,
) -> User:
    """Create a staff account (admin, advocate or lawyer) in the organisation.

    The email is stored lower-case and must be new; someone who already has an account joins
    another organisation with :func:`add_membership` instead. ``password`` None makes an account
    with no usable passphrase yet (:data:`NO_PASSPHRASE`): the person chooses one with a set-up
    code (:mod:`api.auth.setup_codes`), so the admin who adds them never knows it.
    """
    staff_role = _staff_role(role)
    get_organisation(session, organisation_id)
    clean_email = normalise_email(email)
    name = _clean_name(display_name, field="display_name", what="the person's name")
    if password is not None:
        _check_password(password)
    if find_user_by_email(session, clean_email) is not None:
        raise OrgError(
            "Someone already has an account with this email. Add them to the organisation instead.",
            field="email",
        )
    user = User(
        email=clean_email,
        display_name=name,
        password_hash=NO_PASSPHRASE if password is None else hash_password(password, settings=settings),
        created_at=_now(now),
    )
    session.add(user)
    session.flush()
    session.add(Membership(organisation_id=organisation_id, user_id=_id(user.id), role=staff_role))
    session.commit()
    session.refresh(user)
    return user


def create_survivor_user(
    session: Session,
    settings: Settings,
    *,
    organisation_id: int,
    display_name: str,
    passphrase: str,
    sign_in_name: str | None = None,
    now: datetime | None = None,
) -> User:
    """Create a survivor's account: no email, a passphrase they chose, the survivor role.

    The survivor signs in later with ``user.sign_in_name``: made for them from two common words
    and two digits (:func:`new_sign_in_name`) unless ``sign_in_name`` is given, in which case it
    must be free (:class:`OrgError` with ``field="sign_in_name"`` otherwise). Show it to the
    survivor once, when the account is made. The caller links the account to the case
    (``legal_case.survivor_user_id``), normally when the survivor redeems the access code their
    advocate gave them.
    """
    get_organisation(session, organisation_id)
    name = _clean_name(display_name, field="display_name", what="a name")
    problem = check_passphrase(passphrase)
    if problem is not None:
        raise OrgError(problem, field="passphrase")
    chosen = _chosen_sign_in_name(session, sign_in_name) if sign_in_name is not None else None
    user = User(
        email=None,
        sign_in_name=chosen or _free_sign_in_name(session),
        display_name=name,
        password_hash=hash_password(passphrase, settings=settings),
        created_at=_now(now),
    )
    session.add(user)
    session.flush()
    session.add(Membership(organisation_id=organisation_id, user_id=_id(user.id), role=Role.SURVIVOR))
    session.commit()
    session.refresh(user)
    return user


def add_membership(session: Session, *, organisation_id: int, user_id: int, role: Role | str) -> Membership:
    """Give an existing staff account a role in another organisation (a volunteer lawyer, say)."""
    staff_role = _staff_role(role)
    get_organisation(session, organisation_id)
    user = get_user(session, user_id)
    if user.email is None:
        raise OrgError("A survivor's account cannot join an organisation's staff.", field="role")
    if _membership(session, organisation_id, user_id) is not None:
        raise OrgError("This person is already in the organisation.")
    membership = Membership(organisation_id=organisation_id, user_id=user_id, role=staff_role)
    session.add(membership)
    session.commit()
    session.refresh(membership)
    return membership


def set_role(session: Session, *, organisation_id: int, user_id: int, role: Role | str) -> Membership:
    """Change a staff member's role in the organisation; the last admin cannot be demoted."""
    staff_role = _staff_role(role)
    membership = _member_or_error(session, organisation_id, user_id)
    if membership.role is Role.SURVIVOR:
        raise OrgError("A survivor's account cannot be given a staff role.", field="role")
    if membership.role is Role.ADMIN and staff_role is not Role.ADMIN:
        _keep_an_admin(session, organisation_id, leaving_user_id=user_id)
    membership.role = staff_role
    session.add(membership)
    session.commit()
    session.refresh(membership)
    return membership


def remove_membership(session: Session, *, organisation_id: int, user_id: int, now: datetime) -> None:
    """Take a person out of the organisation (their account stays, for other organisations).

    A person left in no organisation at all is deactivated (see :func:`deactivate_user`).
    """
    membership = _member_or_error(session, organisation_id, user_id)
    if membership.role is Role.ADMIN:
        _keep_an_admin(session, organisation_id, leaving_user_id=user_id)
    session.delete(membership)
    session.flush()
    if not memberships_of(session, user_id):
        _deactivate(session, get_user(session, user_id), now)
    session.commit()


def deactivate_user(session: Session, *, organisation_id: int, user_id: int, now: datetime) -> User:
    """Stop a person from signing in: sessions and API tokens end at once.

    Only for someone whose only organisation is this one (an admin of one organisation must not
    lock a person out of another: use :func:`remove_membership`), and never the last admin.
    Their name stays on the case history they made.
    """
    membership = _member_or_error(session, organisation_id, user_id)
    if set(memberships_of(session, user_id)) != {organisation_id}:
        raise OrgError(
            "This person also works with another organisation. Remove them from this "
            "organisation instead of deactivating their account."
        )
    if membership.role is Role.ADMIN:
        _keep_an_admin(session, organisation_id, leaving_user_id=user_id)
    user = get_user(session, user_id)
    _deactivate(session, user, now)
    session.commit()
    session.refresh(user)
    return user


def reactivate_user(session: Session, *, organisation_id: int, user_id: int) -> User:
    """Let a deactivated member of the organisation sign in again."""
    _member_or_error(session, organisation_id, user_id)
    user = get_user(session, user_id)
    user.is_active = True
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


# --- input rules ----------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """``email`` trimmed and lower-cased, or :class:`OrgError` if it is not an email address."""
    clean = email.strip().lower()
    if not clean:
        raise OrgError("Enter an email address.", field="email")
    if len(clean) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(clean):
        raise OrgError("Enter an email address in the right format, like name@example.org.", field="email")
    return clean


def normalise_sign_in_name(text: str) -> str:
    """A sign-in name as stored: lower-case, any run of spaces or punctuation made one hyphen.

    So "River Lantern 42", "river_lantern.42" and " RIVER-LANTERN-42 " are all "river-lantern-42":
    a survivor who types it from memory need not remember how the parts were joined.
    """
    return _NOT_SIGN_IN_NAME.sub("-", text.strip().lower()).strip("-")


def new_sign_in_name() -> str:
    """A fresh sign-in name: two different common words and two digits, e.g. "river-lantern-42"."""
    first = secrets.choice(SIGN_IN_WORDS)
    second = secrets.choice([word for word in SIGN_IN_WORDS if word != first])
    return f"{first}-{second}-{10 + secrets.randbelow(90)}"


def slugify(name: str) -> str:
    """A URL-friendly form of an organisation's name: ASCII letters, digits and hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_name.lower()).strip("-")
    return slug[: SLUG_MAX_LENGTH - 10].rstrip("-") or "organisation"


# --- internals ------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"'now' must be timezone-aware, got {now!r}")
    return now


def _id(value: int | None) -> int:
    # Rows are flushed before their id is read; a None here would be a bug, not bad input.
    if value is None:
        raise RuntimeError("row has no id yet: flush before reading it")
    return value


def _clean_name(value: str, *, field: str, what: str) -> str:
    clean = " ".join(value.split())
    if not clean:
        raise OrgError(f"Enter {what}.", field=field)
    if len(clean) > NAME_MAX_LENGTH:
        raise OrgError(f"Use at most {NAME_MAX_LENGTH} characters for {what}.", field=field)
    return clean


def _chosen_sign_in_name(session: Session, sign_in_name: str) -> str:
    clean = normalise_sign_in_name(sign_in_name)
    if not _SIGN_IN_NAME_MIN_LENGTH <= len(clean) <= SIGN_IN_NAME_MAX_LENGTH:
        raise OrgError(
            f"Use {_SIGN_IN_NAME_MIN_LENGTH} to {SIGN_IN_NAME_MAX_LENGTH} letters, digits or hyphens "
            "for the sign-in name.",
            field="sign_in_name",
        )
    if find_user_by_sign_in_name(session, clean) is not None:
        raise OrgError("This sign-in name is taken. Choose another.", field="sign_in_name")
    return clean


def _free_sign_in_name(session: Session) -> str:
    # Millions of names for at most thousands of survivors: a clash is rare, a run of them
    # means something is wrong (a tiny word list), not bad luck.
    for _ in range(_NEW_SIGN_IN_NAME_TRIES):
        candidate = new_sign_in_name()
        if find_user_by_sign_in_name(session, candidate) is None:
            return candidate
    raise RuntimeError("could not find a free sign-in name")


@cache
def timezone_names() -> tuple[str, ...]:
    """The IANA time zones people choose from (``Area/City``), sorted (read once: it scans files)."""
    return tuple(
        sorted(
            name
            for name in available_timezones()
            if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/"))
        )
    )


def valid_timezone(timezone: str) -> str:
    """``timezone`` if it is an IANA time zone name this machine knows; :class:`OrgError` if not."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise OrgError(
            f"{timezone!r} is not a time zone. Use a name like Europe/London.", field="timezone"
        ) from None
    return timezone


def _check_password(password: str) -> None:
    problem = check_passphrase(password)
    if problem is not None:
        raise OrgError(problem, field="password")


def _staff_role(role: Role | str) -> Role:
    try:
        parsed = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role if r.is_staff)
        raise OrgError(f"Choose a role: {allowed}.", field="role") from None
    if not parsed.is_staff:
        raise OrgError(
            "Survivors get their account from an access code on their case, not here.", field="role"
        )
    return parsed


def _free_slug(session: Session, name: str) -> str:
    base = slugify(name)
    taken = set(
        session.exec(
            select(Organisation.slug).where(
                or_(col(Organisation.slug) == base, col(Organisation.slug).startswith(f"{base}-"))
            )
        ).all()
    )
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def _partner_link(session: Session, organisation_id: int, partner_organisation_id: int) -> PartnerLink | None:
    return session.exec(
        select(PartnerLink).where(
            PartnerLink.organisation_id == organisation_id,
            PartnerLink.partner_organisation_id == partner_organisation_id,
        )
    ).first()


def _membership(session: Session, organisation_id: int, user_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.organisation_id == organisation_id, Membership.user_id == user_id)
    ).first()


def _member_or_error(session: Session, organisation_id: int, user_id: int) -> Membership:
    membership = _membership(session, organisation_id, user_id)
    if membership is None:
        raise OrgError("This person is not in the organisation.")
    return membership


def _keep_an_admin(session: Session, organisation_id: int, *, leaving_user_id: int) -> None:
    other_admins = session.exec(
        select(func.count())
        .select_from(Membership)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(
            Membership.organisation_id == organisation_id,
            Membership.role == Role.ADMIN,
            Membership.user_id != leaving_user_id,
            col(User.is_active),
        )
    ).one()
    if other_admins == 0:
        raise OrgError("An organisation needs at least one admin. Make someone else an admin first.")


def _deactivate(session: Session, user: User, now: datetime) -> None:
    user.is_active = False
    session.add(user)
    # Signing in again is refused from now on; what is already signed in ends too.
    for table in (UserSession, ApiToken):
        session.execute(
            update(table)
            .where(col(table.user_id) == _id(user.id), col(table.revoked_at).is_(None))
            .values(revoked_at=now)
        )
