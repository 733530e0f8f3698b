"""The lawyer's review of a generated document, and the advocate's record of its filing.

- **Comments** on a version, or on one paragraph of it (the preview block's number), by the
  caseworkers and the lawyers who may read the document; encrypted under the case's data key
  like case comments (:mod:`api.cases.comments`), bound to their version and comment.
- **Decisions**: only a lawyer the case is shared with reviews (requests changes or approves),
  only a finished, current version (not stale, not superseded by a newer one), and only once.
  Approving freezes the version: its SHA-256 (of the DOCX, exactly the downloaded bytes) is
  stored, and it is never regenerated in place; new facts make a new version.
- **Filing**: an advocate records that an approved version was filed (date, method, recipient);
  it is a case event (``document.filed``).
- **Differences** from the last reviewed version of the same template, paragraph by paragraph,
  so a lawyer re-reads only what changed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlmodel import Session, col, select

from api import access
from api.access import Actor, CaseAccess
from api.audit.service import record_event
from api.cases.checks import require_aware, saved_id
from api.cases.errors import AccessDenied, CaseInputError
from api.cases.facts_store import data_key_of
from api.cases.models import ApplicationStatus, LegalCase, new_public_id
from api.cases.status import follow_document
from api.documents import service
from api.documents.models import (
    DocumentComment,
    DocumentFiling,
    DocumentVersion,
    FilingMethod,
    GenerationStatus,
    ReviewStatus,
)
from api.documents.preview import Block
from api.orgs.models import User
from api.security.crypto import decrypt_field, encrypt_field
from api.settings import Settings
from workflows.manifests import Audience

BODY_MAX_LENGTH: Final = 5000
RECIPIENT_MAX_LENGTH: Final = 200
ONLY_LAWYERS: Final = "Only a lawyer the case is shared with can review its documents."


@dataclass(frozen=True)
class DocumentCommentView:
    """One comment, decrypted, with its author's name."""

    public_id: str
    body: str
    paragraph: int | None
    author_name: str
    created_at: datetime


def comment_aad(case: LegalCase, version: DocumentVersion, comment_public_id: str) -> bytes:
    """Binds a comment's ciphertext to its case, version and comment."""
    return f"case:{case.public_id}:document:{version.public_id}:comment:{comment_public_id}".encode()


def may_review(actor: Actor, facts: CaseAccess) -> bool:
    """Whether the actor reviews: a lawyer with an active share of the case, through a session
    or a token that may write."""
    return (
        actor.may_write and actor.is_lawyer and any(s.lawyer_user_id == actor.user_id for s in facts.shares)
    )


def add_comment(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    version: DocumentVersion,
    *,
    body: str,
    paragraph: int | None,
    now: datetime,
) -> DocumentCommentView:
    """Comment on the version (or its block ``paragraph``); record ``document.commented``; commit."""
    require_aware(now)
    service.get_version(session, actor, case, version.public_id)  # may read it
    facts = access.case_access(session, actor, case)
    if not access.may_comment(actor, facts):
        raise AccessDenied("You may read this document but not comment on it.")
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise CaseInputError("body", "Enter your comment.")
    if len(text) > BODY_MAX_LENGTH:
        raise CaseInputError("body", f"Use at most {BODY_MAX_LENGTH:,} characters ({len(text):,} now).")
    if paragraph is not None and paragraph not in {
        b.index for b in service.read_blocks(settings, case, version)
    }:
        raise CaseInputError("paragraph", "Choose a paragraph of this document, or the whole document.")
    public_id = new_public_id()
    comment = DocumentComment(
        public_id=public_id,
        version_id=saved_id(version),
        paragraph=paragraph,
        author_user_id=actor.user_id,
        body_encrypted=encrypt_field(
            data_key_of(settings, case), text.encode(), aad=comment_aad(case, version, public_id)
        ),
        created_at=now,
    )
    session.add(comment)
    _event(session, case, actor, "document.commented", version, now)
    session.commit()
    author = session.get(User, actor.user_id)
    return DocumentCommentView(public_id, text, paragraph, author.display_name if author else "", now)


def list_comments(
    session: Session, settings: Settings, case: LegalCase, version: DocumentVersion
) -> list[DocumentCommentView]:
    """The version's comments, oldest first (the caller has checked that the actor may read it)."""
    rows = session.exec(
        select(DocumentComment, User.display_name)
        .join(User, col(User.id) == col(DocumentComment.author_user_id))
        .where(DocumentComment.version_id == saved_id(version))
        .order_by(col(DocumentComment.created_at), col(DocumentComment.id))
    ).all()
    if not rows:
        return []
    key = data_key_of(settings, case)
    return [
        DocumentCommentView(
            comment.public_id,
            decrypt_field(
                key, comment.body_encrypted, aad=comment_aad(case, version, comment.public_id)
            ).decode(),
            comment.paragraph,
            name,
            comment.created_at,
        )
        for comment, name in rows
    ]


def decide(
    session: Session,
    actor: Actor,
    case: LegalCase,
    version: DocumentVersion,
    *,
    approve: bool,
    now: datetime,
) -> DocumentVersion:
    """The lawyer approves the version (freezing it with its SHA-256) or requests changes; commit."""
    require_aware(now)
    service.get_version(session, actor, case, version.public_id)
    if not may_review(actor, access.case_access(session, actor, case)):
        raise AccessDenied(ONLY_LAWYERS)
    if version.status != GenerationStatus.DONE.value or version.docx_sha256 is None:
        raise CaseInputError("decision", "This version is not ready yet: wait until it is generated.")
    if version.review_status != ReviewStatus.NOT_REVIEWED.value:
        raise CaseInputError("decision", "This version has been reviewed already.")
    if service.stale_facts(version):
        raise CaseInputError(
            "decision", "Answers this version uses have changed since it was made: ask for a new version."
        )
    newer = session.exec(
        select(DocumentVersion.id).where(
            DocumentVersion.case_id == version.case_id,
            DocumentVersion.template == version.template,
            DocumentVersion.number > version.number,
        )
    ).first()
    if newer is not None:
        raise CaseInputError("decision", "A newer version of this document exists: review that one.")
    version.review_status = (ReviewStatus.APPROVED if approve else ReviewStatus.CHANGES_REQUESTED).value
    version.reviewed_by_user_id = actor.user_id
    version.reviewed_at = now
    if approve:
        version.approved_sha256 = version.docx_sha256
    session.add(version)
    _event(
        session, case, actor, "document.approved" if approve else "document.changes_requested", version, now
    )
    decided = ApplicationStatus.APPROVED if approve else ApplicationStatus.CHANGES_REQUESTED
    follow_document(session, case, _filed_for(version), decided, actor_user_id=actor.user_id, now=now)
    session.commit()
    session.refresh(version)
    return version


def _filed_for(version: DocumentVersion) -> tuple[str, ...]:
    """The workflows whose applications a review or filing of ``version`` moves on: those of its
    template, unless the document is a note for the file (it is never filed with anyone)."""
    manifest = service.template_catalogue().get(version.template)
    if manifest is None or manifest.audience is Audience.INTERNAL:
        return ()
    return manifest.workflows


def record_filing(
    session: Session,
    actor: Actor,
    case: LegalCase,
    version: DocumentVersion,
    *,
    filed_on: date | None,
    method: str,
    recipient: str,
    today: date,
    now: datetime,
) -> DocumentFiling:
    """The advocate records that the approved version was filed; a ``document.filed`` case event."""
    require_aware(now)
    service.get_version(session, actor, case, version.public_id)
    if not access.can_manage_case(session, actor, case):
        raise AccessDenied("Only the case's advocates and administrators record filings.")
    if version.review_status != ReviewStatus.APPROVED.value:
        raise CaseInputError("filed_on", "Only an approved version can be filed.")
    if filed_on is None:
        raise CaseInputError("filed_on", "Enter the date it was filed, for example 2026-11-22.")
    if filed_on > today:
        raise CaseInputError("filed_on", "The date it was filed cannot be in the future.")
    if method not in {m.value for m in FilingMethod}:
        raise CaseInputError("method", "Choose how it was filed.")
    clean = " ".join(recipient.split())
    if not clean:
        raise CaseInputError("recipient", "Enter who it was filed with, for example CICA.")
    if len(clean) > RECIPIENT_MAX_LENGTH:
        raise CaseInputError("recipient", f"Use at most {RECIPIENT_MAX_LENGTH} characters.")
    filing = DocumentFiling(
        version_id=saved_id(version),
        filed_on=filed_on,
        method=method,
        recipient=clean,
        recorded_by_user_id=actor.user_id,
        recorded_at=now,
    )
    session.add(filing)
    _event(session, case, actor, "document.filed", version, now)
    follow_document(
        session, case, _filed_for(version), ApplicationStatus.FILED, actor_user_id=actor.user_id, now=now
    )
    session.commit()
    session.refresh(filing)
    return filing


def filings_of(session: Session, version: DocumentVersion) -> list[DocumentFiling]:
    """The filings recorded for the version, oldest first."""
    return list(
        session.exec(
            select(DocumentFiling)
            .where(DocumentFiling.version_id == saved_id(version))
            .order_by(col(DocumentFiling.id))
        ).all()
    )


def last_reviewed_before(session: Session, version: DocumentVersion) -> DocumentVersion | None:
    """The newest earlier version of the same template that a lawyer reviewed."""
    return session.exec(
        select(DocumentVersion)
        .where(
            DocumentVersion.case_id == version.case_id,
            DocumentVersion.template == version.template,
            DocumentVersion.number < version.number,
            DocumentVersion.review_status != ReviewStatus.NOT_REVIEWED.value,
        )
        .order_by(col(DocumentVersion.number).desc())
    ).first()


@dataclass(frozen=True)
class DiffLine:
    """One paragraph of a comparison: ``same``, ``added`` or ``removed``."""

    change: str
    text: str


def differences(before: list[Block], after: list[Block]) -> list[DiffLine]:
    """What changed between two versions' paragraphs (only the changes, in document order)."""
    old = [block.text for block in before]
    new = [block.text for block in after]
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lines.extend(DiffLine("removed", text) for text in old[i1:i2])
        lines.extend(DiffLine("added", text) for text in new[j1:j2])
    return lines


def _event(
    session: Session, case: LegalCase, actor: Actor, action: str, version: DocumentVersion, now: datetime
) -> None:
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action=action,
        subject=version.public_id,
        at=now,
    )
