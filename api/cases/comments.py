"""Comments on a case, or on one of its applications: how advocates and reviewing lawyers talk
about the work without changing it.

Who (see :mod:`api.access`): the organisation's admins and advocates comment on anything of
their cases; a lawyer comments on what is shared with them, and only that: with the whole case
shared, on the case and any application; with one application shared, on that application only.
A lawyer reads the comments in the same bounds. Survivors never see comments: they are the
professionals' working notes.

The text is free and may say anything about the person, so it is encrypted under the case's data
key like a sensitive fact. The associated data ``case:<case public id>:comment:<comment public
id>`` binds each ciphertext to its case and comment: copied onto another comment or case, it
fails to decrypt rather than being read there. The audit trail records ``comment.added`` with
the comment's public id, never its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlmodel import Session, col, select

from api import access
from api.access import Actor, CaseAccess
from api.audit.service import record_event
from api.cases.checks import require_aware, saved_id
from api.cases.errors import AccessDenied, CaseInputError
from api.cases.facts_store import data_key_of
from api.cases.models import Application, CaseComment, LegalCase, new_public_id
from api.cases.permissions import authorise
from api.orgs.models import User
from api.security.crypto import decrypt_field, encrypt_field
from api.settings import Settings

BODY_MAX_LENGTH: Final = 5000
NOT_FOR_SURVIVORS: Final = "Comments are for the people working on the case."
ONLY_THE_SHARED_APPLICATION: Final = "Choose the application that was shared with you."
NO_SUCH_APPLICATION: Final = "Choose one of the case's applications, or the whole case."


@dataclass(frozen=True)
class CommentView:
    """One comment, decrypted, with its author's name and what it is about.

    ``application_public_id`` and ``workflow_id`` are None for a comment on the whole case.
    """

    public_id: str
    body: str
    author_user_id: int
    author_name: str
    application_public_id: str | None
    workflow_id: str | None
    created_at: datetime


def comment_aad(case_public_id: str, comment_public_id: str) -> bytes:
    """The associated data that binds a comment's ciphertext to its case and comment."""
    return f"case:{case_public_id}:comment:{comment_public_id}".encode()


def add_comment(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    *,
    body: str,
    application_public_id: str | None = None,
    now: datetime,
) -> CommentView:
    """Add ``body`` as the actor's comment on the case (or on application ``application_public_id``);
    record ``comment.added`` and commit.

    Surrounding spaces are dropped and line endings become ``\\n``; what remains must be 1 to
    ``BODY_MAX_LENGTH`` characters. Raises :class:`CaseNotFound` when the actor does not see the
    case, :class:`AccessDenied` when they may not comment on it (a survivor, a read-only token),
    and :class:`CaseInputError` naming ``body`` or ``application_id`` (an application the actor
    does not see is "no such application", whether or not it exists).
    """
    require_aware(now)
    facts = authorise(session, actor, case, access.may_comment)
    text = _clean_body(body)
    application = _target(session, actor, case, facts, application_public_id)

    public_id = new_public_id()
    sealed = encrypt_field(
        data_key_of(settings, case), text.encode(), aad=comment_aad(case.public_id, public_id)
    )
    comment = CaseComment(
        public_id=public_id,
        case_id=saved_id(case),
        application_id=None if application is None else saved_id(application),
        author_user_id=actor.user_id,
        body_encrypted=sealed,
        created_at=now,
    )
    session.add(comment)
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action="comment.added",
        subject=public_id,
        at=now,
    )
    session.commit()
    author = session.get(User, actor.user_id)
    return CommentView(
        public_id=public_id,
        body=text,
        author_user_id=actor.user_id,
        author_name=author.display_name if author is not None else "",
        application_public_id=None if application is None else application.public_id,
        workflow_id=None if application is None else application.workflow_id,
        created_at=now,
    )


def list_comments(session: Session, settings: Settings, actor: Actor, case: LegalCase) -> list[CommentView]:
    """The case's comments that ``actor`` may read, decrypted, oldest first.

    Caseworkers read them all; a lawyer those on the applications shared with them, and those on
    the case as a whole only when the whole case is shared. Raises :class:`CaseNotFound` when the
    actor does not see the case and :class:`AccessDenied` for a survivor. Reading is part of
    viewing the case, which the caller has recorded (:func:`api.cases.service.get_case`).
    """
    facts = authorise(session, actor, case)
    if not access.may_read_comments(actor, facts):
        raise AccessDenied(NOT_FOR_SURVIVORS)
    rows = session.exec(
        select(CaseComment, User.display_name, Application.public_id, Application.workflow_id)
        .join(User, col(User.id) == col(CaseComment.author_user_id))
        .outerjoin(Application, col(Application.id) == col(CaseComment.application_id))
        .where(col(CaseComment.case_id) == saved_id(case))
        .order_by(col(CaseComment.created_at), col(CaseComment.id))
    ).all()
    readable = [row for row in rows if _may_read(actor, facts, row[0])]
    if not readable:
        return []
    data_key = data_key_of(settings, case)
    return [
        CommentView(
            public_id=comment.public_id,
            body=decrypt_field(
                data_key, comment.body_encrypted, aad=comment_aad(case.public_id, comment.public_id)
            ).decode(),
            author_user_id=comment.author_user_id,
            author_name=author_name,
            application_public_id=application_public_id,
            workflow_id=workflow_id,
            created_at=comment.created_at,
        )
        for comment, author_name, application_public_id, workflow_id in readable
    ]


# --- internals ----------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise CaseInputError("body", "Enter your comment.")
    if len(text) > BODY_MAX_LENGTH:
        raise CaseInputError(
            "body", f"Use at most {BODY_MAX_LENGTH:,} characters for a comment ({len(text):,} now)."
        )
    return text


def _target(
    session: Session, actor: Actor, case: LegalCase, facts: CaseAccess, application_public_id: str | None
) -> Application | None:
    """The application the comment is about (None: the whole case), if the actor may comment on it."""
    if application_public_id is None:
        if not access.may_view_whole_case(actor, facts):
            raise CaseInputError("application_id", ONLY_THE_SHARED_APPLICATION)
        return None
    application = session.exec(
        select(Application).where(
            Application.case_id == saved_id(case), Application.public_id == application_public_id
        )
    ).first()
    if application is None or not access.may_view_application(actor, facts, saved_id(application)):
        raise CaseInputError("application_id", NO_SUCH_APPLICATION)
    return application


def _may_read(actor: Actor, facts: CaseAccess, comment: CaseComment) -> bool:
    if comment.application_id is None:
        return access.may_view_whole_case(actor, facts)
    return access.may_view_application(actor, facts, comment.application_id)
