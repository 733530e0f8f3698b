"""An organisation's admin manages its people and partners: the use cases behind
``/organisation/people``.

Each function checks the one policy (:func:`api.access.may_manage_organisation`: an admin of the
organisation, signed in, not through an API token; :class:`AccessDenied` otherwise), does the work
through :mod:`api.orgs.service` (which keeps the data sensible: a last admin stays, a person in
another organisation is not deactivated from here) and records an organisation-level audit event
(no case) in the same unit of work. A refused request (:class:`OrgError`) leaves nothing behind.

People are added without a passphrase: Redress makes a one-time set-up code
(:mod:`api.auth.setup_codes`) for the admin to pass on, and the person chooses their own at
``/welcome``. Someone who already has an account (a volunteer lawyer with two organisations)
joins with the role instead and keeps their passphrase.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from api import access
from api.access import Actor
from api.audit.service import record_event
from api.auth.models import StaffSetupCode
from api.auth.setup_codes import IssuedCode, issue_setup_code
from api.cases.errors import AccessDenied
from api.orgs import service
from api.orgs.models import Membership, Organisation, Role, User
from api.orgs.service import NO_PASSPHRASE, OrgError
from api.settings import Settings

NOT_AN_ADMIN: Final = "Only an organisation's administrators can manage its people and partners."

Status = Literal["active", "deactivated", "invited"]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Person:
    """One member as the people page shows them.

    ``status``: ``invited`` (no passphrase chosen yet), ``active`` or ``deactivated``.
    ``code_pending``: a set-up code of theirs can still be used. ``only_here``: this is their
    only organisation, so the admin may deactivate them and issue them a new set-up code.
    """

    user: User
    role: Role
    status: Status
    code_pending: bool
    only_here: bool


@dataclass(frozen=True, slots=True)
class Partner:
    """A partner organisation and its lawyers."""

    organisation: Organisation
    lawyers: list[Person]


@dataclass(frozen=True, slots=True)
class Invitation:
    """The result of adding a person: their account and the set-up code to pass on, or no code
    when they already had an account and joined with the role (``joined_existing``)."""

    user: User
    role: Role
    code: IssuedCode | None

    @property
    def joined_existing(self) -> bool:
        """Whether the person already had an account (they sign in with their own passphrase)."""
        return self.code is None


def authorise(actor: Actor, organisation_id: int) -> None:
    """:class:`AccessDenied` unless ``actor`` may manage the organisation."""
    if not access.may_manage_organisation(actor, organisation_id):
        raise AccessDenied(NOT_AN_ADMIN)


def managed_organisation(actor: Actor) -> int:
    """The organisation ``actor`` administers (the first, if several); :class:`AccessDenied` if none."""
    for organisation_id in sorted(actor.memberships):
        if access.may_manage_organisation(actor, organisation_id):
            return organisation_id
    raise AccessDenied(NOT_AN_ADMIN)


# --- reading --------------------------------------------------------------------------------------


def people_of(session: Session, actor: Actor, organisation_id: int, *, now: datetime) -> list[Person]:
    """The organisation's staff (survivors are not listed: they belong to their case), by name."""
    authorise(actor, organisation_id)
    return _people(session, organisation_id, now)


def partners_of(session: Session, actor: Actor, organisation_id: int, *, now: datetime) -> list[Partner]:
    """The partner organisations and their lawyers, by name."""
    authorise(actor, organisation_id)
    partners = [
        service.get_organisation(session, partner_id)
        for partner_id in service.partner_organisation_ids(session, organisation_id)
    ]
    return [
        Partner(
            organisation=partner,
            lawyers=[p for p in _people(session, _id(partner.id), now) if p.role is Role.LAWYER],
        )
        for partner in sorted(partners, key=lambda organisation: organisation.name.casefold())
    ]


# --- adding people --------------------------------------------------------------------------------


def add_person(
    session: Session,
    settings: Settings,
    actor: Actor,
    organisation_id: int,
    *,
    name: str,
    email: str,
    role: str,
    now: datetime,
) -> Invitation:
    """Add a member of staff with ``role``: a new account with a set-up code, or (if the email has
    an account) the existing person joins. Commits."""
    authorise(actor, organisation_id)
    return _invite(session, settings, actor, organisation_id, organisation_id, name, email, role, now)


def add_partner_lawyer(
    session: Session,
    settings: Settings,
    actor: Actor,
    organisation_id: int,
    partner_organisation_id: int,
    *,
    name: str,
    email: str,
    now: datetime,
) -> Invitation:
    """Add a lawyer to a partner organisation of ``organisation_id`` (their membership is in the
    partner, role lawyer), so the organisation's cases can be shared with them. Commits."""
    authorise(actor, organisation_id)
    _linked_partner(session, organisation_id, partner_organisation_id)
    return _invite(
        session, settings, actor, organisation_id, partner_organisation_id, name, email, Role.LAWYER, now
    )


def new_setup_code(
    session: Session, settings: Settings, actor: Actor, organisation_id: int, user_id: int, *, now: datetime
) -> tuple[User, IssuedCode]:
    """A new set-up code for a person who forgot their passphrase (or lost their first code);
    their older codes stop working and their passphrase keeps working until it is used. Commits.

    Only for a member whose only organisation is this one, or a lawyer whose only organisation
    is a partner of this one without an admin of its own: an admin must not be able to take
    over the account of someone another organisation answers for.
    """
    authorise(actor, organisation_id)
    theirs = service.memberships_of(session, user_id)
    partners = set(service.partner_organisation_ids(session, organisation_id))
    if organisation_id not in theirs and not any(
        org in partners and role is Role.LAWYER for org, role in theirs.items()
    ):
        # The same answer for an id that does not exist: nothing about other people leaks.
        raise OrgError("This person is not in the organisation.")
    user = service.get_user(session, user_id)
    if not _answers_for(session, organisation_id, user_id):
        raise OrgError(
            "This person also works with another organisation, so only they can change their "
            "passphrase (on their account page), or an administrator of that organisation."
        )
    issued = issue_setup_code(session, settings, user_id=user_id, issued_by_user_id=actor.user_id, now=now)
    _record(session, organisation_id, actor, "people.setup_code_issued", user_id, now)
    session.commit()
    session.refresh(user)
    return user, issued


# --- changing people ------------------------------------------------------------------------------


def change_role(
    session: Session, actor: Actor, organisation_id: int, user_id: int, role: str, *, now: datetime
) -> Membership:
    """Give a member another staff role (the last admin stays one). Commits."""
    authorise(actor, organisation_id)
    if user_id == actor.user_id:
        raise OrgError(
            "You cannot change your own role here. Ask another administrator to do it.", field="role"
        )
    _record(session, organisation_id, actor, "people.role_changed", user_id, now)
    return _or_roll_back(
        session,
        lambda: service.set_role(session, organisation_id=organisation_id, user_id=user_id, role=role),
    )


def deactivate(session: Session, actor: Actor, organisation_id: int, user_id: int, *, now: datetime) -> User:
    """Stop a member from signing in (their sessions and tokens end). Commits."""
    authorise(actor, organisation_id)
    if user_id == actor.user_id:
        raise OrgError(
            "You cannot deactivate your own account: you would be locked out. "
            "Another administrator can do it if it is needed."
        )
    _record(session, organisation_id, actor, "people.deactivated", user_id, now)
    return _or_roll_back(
        session,
        lambda: service.deactivate_user(session, organisation_id=organisation_id, user_id=user_id, now=now),
    )


def reactivate(session: Session, actor: Actor, organisation_id: int, user_id: int, *, now: datetime) -> User:
    """Let a deactivated member sign in again. Commits."""
    authorise(actor, organisation_id)
    _record(session, organisation_id, actor, "people.reactivated", user_id, now)
    return _or_roll_back(
        session, lambda: service.reactivate_user(session, organisation_id=organisation_id, user_id=user_id)
    )


def remove(session: Session, actor: Actor, organisation_id: int, user_id: int, *, now: datetime) -> None:
    """Take a member out of the organisation (deactivated if it was their only one). Commits."""
    authorise(actor, organisation_id)
    if user_id == actor.user_id:
        raise OrgError(
            "You cannot remove yourself from the organisation. Ask another administrator to do it."
        )
    _record(session, organisation_id, actor, "people.removed", user_id, now)
    _or_roll_back(
        session,
        lambda: service.remove_membership(session, organisation_id=organisation_id, user_id=user_id, now=now),
    )


# --- partners and settings ------------------------------------------------------------------------


def add_partner(
    session: Session, actor: Actor, organisation_id: int, *, name: str, now: datetime
) -> Organisation:
    """Create a partner organisation (a pro bono law firm) by name and link it. Commits."""
    authorise(actor, organisation_id)
    partner = service.create_organisation(session, name=name, now=now)
    partner_id = _id(partner.id)
    _record(
        session, organisation_id, actor, "partner.linked", None, now, subject=f"organisation:{partner_id}"
    )
    service.link_partner(session, organisation_id, partner_id)
    return partner


def unlink_partner(
    session: Session, actor: Actor, organisation_id: int, partner_organisation_id: int, *, now: datetime
) -> None:
    """Stop sharing new cases with a partner's lawyers (existing shares stay until revoked). Commits."""
    authorise(actor, organisation_id)
    _linked_partner(session, organisation_id, partner_organisation_id)
    _record(
        session,
        organisation_id,
        actor,
        "partner.unlinked",
        None,
        now,
        subject=f"organisation:{partner_organisation_id}",
    )
    service.unlink_partner(session, organisation_id, partner_organisation_id)


def require_staff_totp(
    session: Session, actor: Actor, organisation_id: int, *, required: bool, now: datetime
) -> Organisation:
    """Require (or stop requiring) an authenticator app at the staff's sign-in. Commits."""
    authorise(actor, organisation_id)
    action = "organisation.staff_totp_required" if required else "organisation.staff_totp_optional"
    _record(session, organisation_id, actor, action, None, now)
    return service.set_require_staff_totp(session, organisation_id=organisation_id, required=required)


# --- internals ------------------------------------------------------------------------------------


def _invite(
    session: Session,
    settings: Settings,
    actor: Actor,
    organisation_id: int,
    member_of: int,
    name: str,
    email: str,
    role: Role | str,
    now: datetime,
) -> Invitation:
    """Add the person to ``member_of`` (this organisation, or its partner); ``organisation_id``
    is the admin's, where the event is recorded."""
    clean_email = service.normalise_email(email)
    existing = service.find_user_by_email(session, clean_email)
    action = "partner.lawyer_added" if member_of != organisation_id else "people.added"
    if existing is not None:
        existing_id = _id(existing.id)
        _record(session, organisation_id, actor, action, existing_id, now)
        membership = _or_roll_back(
            session,
            lambda: service.add_membership(
                session, organisation_id=member_of, user_id=existing_id, role=role
            ),
        )
        session.refresh(existing)
        return Invitation(user=existing, role=membership.role, code=None)
    user = service.create_user(
        session,
        settings,
        organisation_id=member_of,
        email=clean_email,
        display_name=name,
        role=role,
        password=None,
        now=now,
    )
    user_id = _id(user.id)
    issued = issue_setup_code(session, settings, user_id=user_id, issued_by_user_id=actor.user_id, now=now)
    _record(session, organisation_id, actor, action, user_id, now)
    session.commit()
    session.refresh(user)
    return Invitation(user=user, role=Role(role), code=issued)


def _people(session: Session, organisation_id: int, now: datetime) -> list[Person]:
    members = [(user, role) for user, role in service.members_of(session, organisation_id) if role.is_staff]
    ids = [_id(user.id) for user, _ in members]
    pending = set(
        session.exec(
            select(StaffSetupCode.user_id).where(
                col(StaffSetupCode.user_id).in_(ids),
                col(StaffSetupCode.used_at).is_(None),
                col(StaffSetupCode.expires_at) > now,
            )
        ).all()
    )
    elsewhere = set(
        session.exec(
            select(Membership.user_id)
            .where(col(Membership.user_id).in_(ids), Membership.organisation_id != organisation_id)
            .group_by(col(Membership.user_id))
        ).all()
    )
    return [
        Person(
            user=user,
            role=role,
            status=_status(user),
            code_pending=_id(user.id) in pending,
            only_here=_id(user.id) not in elsewhere,
        )
        for user, role in members
    ]


def _status(user: User) -> Status:
    if not user.is_active:
        return "deactivated"
    if user.password_hash == NO_PASSPHRASE:
        return "invited"
    return "active"


def _answers_for(session: Session, organisation_id: int, user_id: int) -> bool:
    """Whether the organisation alone answers for the person (see :func:`new_setup_code`)."""
    theirs = service.memberships_of(session, user_id)
    if set(theirs) == {organisation_id}:
        return True
    if len(theirs) != 1:
        return False
    ((partner_id, role),) = theirs.items()
    if role is not Role.LAWYER or partner_id not in service.partner_organisation_ids(
        session, organisation_id
    ):
        return False
    partner_admins = session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == partner_id, Membership.role == Role.ADMIN)
    ).one()
    return partner_admins == 0


def _linked_partner(session: Session, organisation_id: int, partner_organisation_id: int) -> None:
    if partner_organisation_id not in service.partner_organisation_ids(session, organisation_id):
        raise OrgError("This organisation is not one of your partners.", field="partner")


def _record(
    session: Session,
    organisation_id: int,
    actor: Actor,
    action: str,
    user_id: int | None,
    now: datetime,
    *,
    subject: str | None = None,
) -> None:
    # Added before the service call, whose commit saves it with the change (or whose refusal
    # is rolled back with it): an action and its record are saved together or not at all.
    record_event(
        session,
        organisation_id=organisation_id,
        actor_user_id=actor.user_id,
        action=action,
        subject=subject if subject is not None else f"user:{user_id}",
        at=now,
    )


def _or_roll_back(session: Session, work: Callable[[], _T]) -> _T:
    try:
        return work()
    except OrgError:
        session.rollback()  # the audit event added for it goes too
        raise


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("row has no id yet: flush before reading it")
    return value
