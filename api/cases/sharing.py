"""Share a case, or one of its applications, with a lawyer for review; revoke the share.

A lawyer sees only what is shared with them (see :mod:`api.access`): they may read and comment,
never change facts. A case may be shared with a lawyer of its own organisation or of a partner
organisation (``partner_link``). Shares are revoked, not deleted, so the trail of who could see
what, and when, survives.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from api import access
from api.access import Actor
from api.audit.service import record_event
from api.cases.checks import require_aware, saved_id
from api.cases.errors import ShareError
from api.cases.models import Application, CaseShare, LegalCase
from api.cases.permissions import authorise
from api.orgs.service import is_shareable_lawyer

NOT_A_LAWYER = (
    "This person is not a lawyer in your organisation or in a partner organisation, "
    "so the case cannot be shared with them."
)


def share_case(
    session: Session,
    actor: Actor,
    case: LegalCase,
    *,
    lawyer_user_id: int,
    now: datetime,
    application_public_id: str | None = None,
) -> CaseShare:
    """Share the whole case (or the application ``application_public_id``) with a lawyer; commit.

    Sharing again what is already shared returns the existing share. Raises :class:`ShareError`
    for someone who is not a lawyer of the case's organisation or of a partner organisation, or
    for an application not in the case; :class:`AccessDenied` unless the actor is a caseworker.
    """
    require_aware(now)
    authorise(session, actor, case, access.may_share)
    case_id = saved_id(case)
    if not is_shareable_lawyer(session, organisation_id=case.organisation_id, user_id=lawyer_user_id):
        raise ShareError(NOT_A_LAWYER)
    application_id: int | None = None
    if application_public_id is not None:
        application_id = session.exec(
            select(Application.id).where(
                Application.case_id == case_id, Application.public_id == application_public_id
            )
        ).first()
        if application_id is None:
            raise ShareError("This case has no such application.")
    existing = session.exec(
        select(CaseShare).where(
            CaseShare.case_id == case_id,
            CaseShare.lawyer_user_id == lawyer_user_id,
            col(CaseShare.application_id).is_(None)
            if application_id is None
            else col(CaseShare.application_id) == application_id,
            col(CaseShare.revoked_at).is_(None),
        )
    ).first()
    if existing is not None:
        return existing
    share = CaseShare(
        case_id=case_id,
        application_id=application_id,
        lawyer_user_id=lawyer_user_id,
        shared_by_user_id=actor.user_id,
        created_at=now,
    )
    session.add(share)
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=case_id,
        actor_user_id=actor.user_id,
        action="case.shared",
        subject=_subject(lawyer_user_id, application_public_id),
        at=now,
    )
    session.commit()
    session.refresh(share)
    return share


def revoke_share(
    session: Session, actor: Actor, case: LegalCase, *, share_id: int, now: datetime
) -> CaseShare:
    """End share ``share_id`` of the case; the lawyer loses access at once; commit.

    Raises :class:`ShareError` if the case has no such active share.
    """
    require_aware(now)
    authorise(session, actor, case, access.may_share)
    share = session.get(CaseShare, share_id)
    if share is None or share.case_id != case.id or share.revoked_at is not None:
        raise ShareError("This case is not shared that way (the share may have ended already).")
    share.revoked_at = now
    session.add(share)
    application_public_id = None
    if share.application_id is not None:
        application = session.get(Application, share.application_id)
        application_public_id = application.public_id if application is not None else None
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action="case.share_revoked",
        subject=_subject(share.lawyer_user_id, application_public_id),
        at=now,
    )
    session.commit()
    session.refresh(share)
    return share


def shares_of(session: Session, case: LegalCase) -> list[CaseShare]:
    """The case's active shares, oldest first (the caller has checked access)."""
    return list(
        session.exec(
            select(CaseShare)
            .where(CaseShare.case_id == saved_id(case), col(CaseShare.revoked_at).is_(None))
            .order_by(col(CaseShare.created_at), col(CaseShare.id))
        ).all()
    )


def _subject(lawyer_user_id: int, application_public_id: str | None) -> str:
    subject = f"lawyer:{lawyer_user_id}"
    return subject if application_public_id is None else f"{subject} application:{application_public_id}"
