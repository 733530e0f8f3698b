"""The access policy: the one place that decides who may do what on a case.

The rules:

- **Admins and advocates** of the case's organisation may do everything on it: view, change
  facts, comment, manage (applications, status, access codes) and share.
- A **lawyer** may view and comment on a case shared with them (the whole case, or one of its
  applications) until the share is revoked, whichever organisation they belong to (a partner
  organisation's lawyer included). They never change facts, manage or share. Holding the lawyer
  role in some organisation is required too: a share stops working when its lawyer stops being one.
- A **survivor** may view their own case only (the one whose ``survivor_user_id`` is theirs, in
  an organisation where they hold the survivor role). Which facts they see is the caller's
  filter (``FactSpec.survivor_visible``). They change no fact except to answer a question an
  advocate asked them on their own pages (``survivor_question``, not withdrawn).
- **Nobody else** sees a case: not another organisation's admin, not a lawyer without a share.
- Through an **API token**, the token's scopes cap the person's rights: ``cases:read`` (or
  ``cases:write``) to view, ``cases:write`` for anything else.

The rules are pure functions of plain values (:class:`Actor`, :class:`CaseAccess`), tested as a
matrix; thin wrappers (``can_view_case`` …) read the shares from the database, and
:func:`visible_case_filter` turns the same rules into a SQL condition for case lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import Session, col, select

from api.auth.models import SCOPE_CASES_READ, SCOPE_CASES_WRITE
from api.cases.models import CaseShare, LegalCase
from api.orgs.models import CASEWORKER_ROLES, Role, User
from api.orgs.service import memberships_of
from api.survivor_questions.models import SurvivorQuestion


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking: a signed-in person, or a person acting through an API token.

    ``memberships`` maps organisation id to role. ``via_token_scopes`` is None for a browser
    session (no cap) and the token's scopes for an API call.
    """

    user_id: int
    memberships: Mapping[int, Role] = field(default_factory=dict)
    is_survivor: bool = False
    via_token_scopes: frozenset[str] | None = None

    @classmethod
    def of(cls, user_id: int, memberships: Mapping[int, Role], scopes: Iterable[str] | None = None) -> Actor:
        """An actor from a user's memberships (``is_survivor`` follows from them)."""
        frozen = MappingProxyType(dict(memberships))
        return cls(
            user_id=user_id,
            memberships=frozen,
            is_survivor=Role.SURVIVOR in frozen.values(),
            via_token_scopes=None if scopes is None else frozenset(scopes),
        )

    def role_in(self, organisation_id: int) -> Role | None:
        """The actor's role in the organisation, or None."""
        return self.memberships.get(organisation_id)

    @property
    def is_lawyer(self) -> bool:
        """Whether the actor holds the lawyer role in any organisation."""
        return Role.LAWYER in self.memberships.values()

    @property
    def may_read(self) -> bool:
        """Whether the token (if any) allows reading cases."""
        scopes = self.via_token_scopes
        return scopes is None or SCOPE_CASES_READ in scopes or SCOPE_CASES_WRITE in scopes

    @property
    def may_write(self) -> bool:
        """Whether the token (if any) allows changing cases."""
        return self.via_token_scopes is None or SCOPE_CASES_WRITE in self.via_token_scopes


@dataclass(frozen=True, slots=True)
class Share:
    """An active (not revoked) share: with ``lawyer_user_id``, of one application or the whole
    case (``application_id`` None)."""

    lawyer_user_id: int
    application_id: int | None = None


@dataclass(frozen=True, slots=True)
class CaseAccess:
    """What the policy needs to know about one case.

    ``asked_facts``: the facts an advocate asked the survivor to answer (questions not
    withdrawn); read only where it can matter (:func:`with_asked_facts`).
    """

    organisation_id: int
    survivor_user_id: int | None = None
    shares: tuple[Share, ...] = ()
    asked_facts: frozenset[str] = frozenset()


# --- the rules, on plain values -------------------------------------------------------------------


def is_caseworker(actor: Actor, organisation_id: int) -> bool:
    """Whether the actor works on every case of the organisation (its admin or an advocate)."""
    return actor.role_in(organisation_id) in CASEWORKER_ROLES


def _lawyer_shares(actor: Actor, case: CaseAccess) -> list[Share]:
    if not actor.is_lawyer:
        return []
    return [share for share in case.shares if share.lawyer_user_id == actor.user_id]


def _survivor_owns(actor: Actor, case: CaseAccess) -> bool:
    return (
        case.survivor_user_id is not None
        and case.survivor_user_id == actor.user_id
        and actor.role_in(case.organisation_id) is Role.SURVIVOR
    )


def may_view(actor: Actor, case: CaseAccess) -> bool:
    """Whether the actor may see the case at all."""
    if not actor.may_read:
        return False
    return (
        is_caseworker(actor, case.organisation_id)
        or bool(_lawyer_shares(actor, case))
        or _survivor_owns(actor, case)
    )


def may_view_application(actor: Actor, case: CaseAccess, application_id: int) -> bool:
    """Whether the actor may see this application of the case (a lawyer: only what is shared)."""
    if not actor.may_read:
        return False
    if is_caseworker(actor, case.organisation_id) or _survivor_owns(actor, case):
        return True
    return any(share.application_id in (None, application_id) for share in _lawyer_shares(actor, case))


def may_view_whole_case(actor: Actor, case: CaseAccess) -> bool:
    """Whether the actor sees all of the case, not only some of its applications: a lawyer with
    a share of one application does not (nor, so, the comments on the case as a whole)."""
    if not actor.may_read:
        return False
    return (
        is_caseworker(actor, case.organisation_id)
        or _survivor_owns(actor, case)
        or any(share.application_id is None for share in _lawyer_shares(actor, case))
    )


def may_read_comments(actor: Actor, case: CaseAccess) -> bool:
    """Whether the actor may read the case's comments (caseworkers, and lawyers it is shared
    with, within what is shared); never a survivor: comments are the professionals' notes."""
    return actor.may_read and (
        is_caseworker(actor, case.organisation_id) or bool(_lawyer_shares(actor, case))
    )


def may_comment(actor: Actor, case: CaseAccess) -> bool:
    """Whether the actor may comment (caseworkers, and lawyers it is shared with)."""
    return actor.may_write and (
        is_caseworker(actor, case.organisation_id) or bool(_lawyer_shares(actor, case))
    )


def may_edit_facts(actor: Actor, case: CaseAccess) -> bool:
    """Whether the actor may change the case's facts (caseworkers only)."""
    return actor.may_write and is_caseworker(actor, case.organisation_id)


def may_answer(actor: Actor, case: CaseAccess, keys: Iterable[str]) -> bool:
    """Whether the actor may give the answers of facts ``keys``: caseworkers any fact; the
    survivor only facts an advocate asked them, on their own case."""
    if may_edit_facts(actor, case):
        return True
    wanted = frozenset(keys)
    return actor.may_write and _survivor_owns(actor, case) and bool(wanted) and wanted <= case.asked_facts


def may_manage(actor: Actor, case: CaseAccess) -> bool:
    """Whether the actor may manage the case: start applications, change its status, issue
    survivor access codes (caseworkers only)."""
    return actor.may_write and is_caseworker(actor, case.organisation_id)


def may_share(actor: Actor, case: CaseAccess) -> bool:
    """Whether the actor may share the case with a lawyer or revoke a share (caseworkers only)."""
    return actor.may_write and is_caseworker(actor, case.organisation_id)


def may_manage_organisation(actor: Actor, organisation_id: int) -> bool:
    """Whether the actor may manage the organisation's people, partners and settings (admins)."""
    return actor.via_token_scopes is None and actor.role_in(organisation_id) is Role.ADMIN


# --- the same rules over the database -------------------------------------------------------------


def actor_for(session: Session, user: User, scopes: Iterable[str] | None = None) -> Actor:
    """The actor for a signed-in user (``scopes``: those of the API token, if any)."""
    if user.id is None:
        raise ValueError("the user has no id: it is not saved")
    return Actor.of(user.id, memberships_of(session, user.id), scopes)


def case_access(session: Session, actor: Actor, case: LegalCase) -> CaseAccess:
    """The :class:`CaseAccess` of ``case`` as far as ``actor`` is concerned.

    Shares are read only when they can matter (the actor is a lawyer who is not a caseworker
    of the case's organisation), and only the actor's own.
    """
    return case_accesses(session, actor, [case])[0]


def case_accesses(session: Session, actor: Actor, cases: Sequence[LegalCase]) -> list[CaseAccess]:
    """:func:`case_access` of each of ``cases``, in their order, with one query for the shares of
    them all: a page of a case list costs no more queries than one case."""
    share_case_ids = [
        case.id
        for case in cases
        if case.id is not None and actor.is_lawyer and not is_caseworker(actor, case.organisation_id)
    ]
    shares: dict[int, list[Share]] = {}
    if share_case_ids:
        rows = session.exec(
            select(CaseShare.case_id, CaseShare.lawyer_user_id, CaseShare.application_id).where(
                col(CaseShare.case_id).in_(share_case_ids),
                CaseShare.lawyer_user_id == actor.user_id,
                col(CaseShare.revoked_at).is_(None),
            )
        ).all()
        for case_id, lawyer, application in rows:
            shares.setdefault(case_id, []).append(Share(lawyer_user_id=lawyer, application_id=application))
    return [
        CaseAccess(
            organisation_id=case.organisation_id,
            survivor_user_id=case.survivor_user_id,
            shares=tuple(shares.get(case.id, ())) if case.id is not None else (),
        )
        for case in cases
    ]


def with_asked_facts(session: Session, actor: Actor, case: LegalCase, facts: CaseAccess) -> CaseAccess:
    """``facts`` with the questions asked of the case's survivor, when ``actor`` is that survivor
    (for anyone else they cannot matter, and are not read)."""
    if case.id is None or not _survivor_owns(actor, facts):
        return facts
    asked = session.exec(
        select(SurvivorQuestion.fact_key).where(
            SurvivorQuestion.case_id == case.id, col(SurvivorQuestion.withdrawn_at).is_(None)
        )
    ).all()
    return replace(facts, asked_facts=frozenset(asked))


def can_view_case(session: Session, actor: Actor, case: LegalCase) -> bool:
    """Whether ``actor`` may see ``case`` (see the module's rules)."""
    return may_view(actor, case_access(session, actor, case))


def can_view_application(session: Session, actor: Actor, case: LegalCase, application_id: int) -> bool:
    """Whether ``actor`` may see application ``application_id`` of ``case``."""
    return may_view_application(actor, case_access(session, actor, case), application_id)


def can_comment(session: Session, actor: Actor, case: LegalCase) -> bool:
    """Whether ``actor`` may comment on ``case``."""
    return may_comment(actor, case_access(session, actor, case))


def can_edit_facts(session: Session, actor: Actor, case: LegalCase) -> bool:
    """Whether ``actor`` may change the facts of ``case``."""
    return may_edit_facts(actor, case_access(session, actor, case))


def can_manage_case(session: Session, actor: Actor, case: LegalCase) -> bool:
    """Whether ``actor`` may manage ``case``."""
    return may_manage(actor, case_access(session, actor, case))


def can_share(session: Session, actor: Actor, case: LegalCase) -> bool:
    """Whether ``actor`` may share ``case`` or revoke its shares."""
    return may_share(actor, case_access(session, actor, case))


def visible_case_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE condition on ``legal_case`` selecting exactly the cases ``actor`` may view.

    Use it in every case list and search: ``select(LegalCase).where(visible_case_filter(actor))``.
    """
    if not actor.may_read:
        return false()
    caseworker_orgs = [org for org, role in actor.memberships.items() if role in CASEWORKER_ROLES]
    survivor_orgs = [org for org, role in actor.memberships.items() if role is Role.SURVIVOR]
    conditions: list[ColumnElement[bool]] = []
    if caseworker_orgs:
        conditions.append(col(LegalCase.organisation_id).in_(caseworker_orgs))
    if actor.is_lawyer:
        shared = select(CaseShare.case_id).where(
            CaseShare.lawyer_user_id == actor.user_id, col(CaseShare.revoked_at).is_(None)
        )
        conditions.append(col(LegalCase.id).in_(shared))
    if survivor_orgs:
        conditions.append(
            and_(
                col(LegalCase.survivor_user_id) == actor.user_id,
                col(LegalCase.organisation_id).in_(survivor_orgs),
            )
        )
    if not conditions:
        return false()
    return or_(*conditions)
