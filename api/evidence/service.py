"""Evidence files of a case: upload (checked by content, hidden details removed, encrypted with
the case's data key), list, read, and the attachments for a documents bundle.

Who may do what (checked here, recorded as case events without names or content):

- upload: the case's caseworkers (its organisation's admin and advocates) and its survivor;
- list and download: the caseworkers, and a lawyer the whole case is shared with, see every
  file; the survivor sees the files they uploaded themselves.

A file that is too large, empty, of a kind not accepted or a damaged image is refused with an
:class:`EvidenceError` whose ``message`` says what is wrong and what to do; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlmodel import Session, col, select

from api import access
from api.access import Actor
from api.audit.service import record_event
from api.cases.checks import require_aware, saved_id
from api.cases.errors import AccessDenied, CaseNotFound
from api.cases.facts_store import data_key_of
from api.cases.models import LegalCase
from api.cases.permissions import authorise
from api.evidence.file_types import FileKind, UnreadableImage, detect, without_hidden_details
from api.evidence.models import EvidenceFile
from api.security.crypto import decrypt_field, encrypt_field
from api.settings import Settings

NAME_MAX_LENGTH: Final = 120
EXTENSIONS: Final = {FileKind.JPEG: "jpg", FileKind.PNG: "png", FileKind.HEIC: "heic", FileKind.PDF: "pdf"}
# The messages a survivor may see (web.survivor_texts lists them for translation).
TOO_BIG: Final = "The file is too big. Choose a file smaller than %(limit)s."
EMPTY: Final = "The file is empty. Choose another file."
WRONG_TYPE: Final = "This kind of file cannot be uploaded. Choose a photo (JPEG, PNG or HEIC) or a PDF."
DAMAGED: Final = (
    "The picture could not be read. It may be damaged. Take the photo again or choose another file."
)


class EvidenceError(ValueError):
    """An upload refused; ``message`` says why and what to do (``%(limit)s``: the caller fills it in)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class EvidenceNotFound(LookupError):
    """No such file on this case for this person (another case's included)."""


@dataclass(frozen=True)
class EvidenceSummary:
    """A file as a list shows it (the name decrypted)."""

    public_id: str
    name: str
    content_type: str
    size_bytes: int
    metadata_removed: bool
    uploaded_by_user_id: int
    created_at: datetime


def _is_survivor_of(actor: Actor, case: LegalCase) -> bool:
    return case.survivor_user_id is not None and case.survivor_user_id == actor.user_id


def may_upload(actor: Actor, case_access: access.CaseAccess, case: LegalCase) -> bool:
    """Caseworkers with write access, and the case's own survivor."""
    return access.may_edit_facts(actor, case_access) or (actor.may_write and _is_survivor_of(actor, case))


def _sees_every_file(actor: Actor, case_access: access.CaseAccess, case: LegalCase) -> bool:
    return not _is_survivor_of(actor, case) and access.may_view_whole_case(actor, case_access)


def _name_aad(case: LegalCase, public_id: str) -> bytes:
    return f"case:{case.public_id}:evidence:{public_id}:name".encode()


def _content_aad(case: LegalCase, public_id: str) -> bytes:
    return f"case:{case.public_id}:evidence:{public_id}:content".encode()


def _clean_name(name: str, kind: FileKind) -> str:
    # Only the last path part, printable, short; a name that says nothing gets a neutral one.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()[:NAME_MAX_LENGTH]
    return base or f"file.{EXTENSIONS[kind]}"


def upload(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    *,
    name: str,
    content: bytes,
    now: datetime,
) -> EvidenceFile:
    """Check, clean, encrypt and store one file; record ``evidence.uploaded``; commit."""
    require_aware(now)
    case_access = authorise(session, actor, case)
    if not may_upload(actor, case_access, case):
        raise AccessDenied()
    if not content:
        raise EvidenceError(EMPTY)
    if len(content) > settings.evidence_max_bytes:
        raise EvidenceError(TOO_BIG)
    kind = detect(content)
    if kind is None:
        raise EvidenceError(WRONG_TYPE)
    try:
        clean = without_hidden_details(kind, content)
    except UnreadableImage:
        raise EvidenceError(DAMAGED) from None
    data_key = data_key_of(settings, case)
    row = EvidenceFile(
        case_id=saved_id(case),
        uploaded_by_user_id=actor.user_id,
        content_type=kind.value,
        size_bytes=len(clean.content),
        name_encrypted=b"",
        content_encrypted=b"",
        metadata_removed=clean.metadata_removed,
        created_at=now,
    )
    row.name_encrypted = encrypt_field(
        data_key, _clean_name(name, kind).encode(), aad=_name_aad(case, row.public_id)
    )
    row.content_encrypted = encrypt_field(data_key, clean.content, aad=_content_aad(case, row.public_id))
    session.add(row)
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action="evidence.uploaded",
        subject=row.public_id,
        at=now,
    )
    session.commit()
    session.refresh(row)
    return row


def _visible_rows(session: Session, actor: Actor, case: LegalCase) -> Sequence[EvidenceFile]:
    case_access = authorise(session, actor, case)
    query = select(EvidenceFile).where(EvidenceFile.case_id == saved_id(case))
    if not _sees_every_file(actor, case_access, case):
        if not _is_survivor_of(actor, case):
            raise AccessDenied()
        query = query.where(EvidenceFile.uploaded_by_user_id == actor.user_id)
    return session.exec(query.order_by(col(EvidenceFile.created_at), col(EvidenceFile.id))).all()


def list_files(session: Session, settings: Settings, actor: Actor, case: LegalCase) -> list[EvidenceSummary]:
    """The case's files ``actor`` may see, oldest first, with their names decrypted."""
    rows = _visible_rows(session, actor, case)
    if not rows:
        return []
    data_key = data_key_of(settings, case)
    return [
        EvidenceSummary(
            public_id=row.public_id,
            name=decrypt_field(data_key, row.name_encrypted, aad=_name_aad(case, row.public_id)).decode(),
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            metadata_removed=row.metadata_removed,
            uploaded_by_user_id=row.uploaded_by_user_id,
            created_at=row.created_at,
        )
        for row in rows
    ]


def read_file(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, public_id: str, *, now: datetime
) -> tuple[str, str, bytes]:
    """(name, content type, content) of one file; records ``evidence.downloaded``; commits.

    :class:`EvidenceNotFound` for a file that is not this case's or not one ``actor`` may see.
    """
    require_aware(now)
    row = next((row for row in _visible_rows(session, actor, case) if row.public_id == public_id), None)
    if row is None:
        raise EvidenceNotFound(public_id)
    data_key = data_key_of(settings, case)
    name = decrypt_field(data_key, row.name_encrypted, aad=_name_aad(case, row.public_id)).decode()
    content = decrypt_field(data_key, row.content_encrypted, aad=_content_aad(case, row.public_id))
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action="evidence.downloaded",
        subject=row.public_id,
        at=now,
    )
    session.commit()
    return name, row.content_type, content


def file_names_of_case(session: Session, settings: Settings, case: LegalCase) -> list[str]:
    """The names of every file of the case, oldest first: the evidence index of a generated
    document. For background work on behalf of someone already authorised (the person who asked
    for the document); pages use :func:`list_files`, which checks the reader."""
    rows = session.exec(
        select(EvidenceFile)
        .where(EvidenceFile.case_id == saved_id(case))
        .order_by(col(EvidenceFile.created_at), col(EvidenceFile.id))
    ).all()
    if not rows:
        return []
    data_key = data_key_of(settings, case)
    return [
        decrypt_field(data_key, row.name_encrypted, aad=_name_aad(case, row.public_id)).decode()
        for row in rows
    ]


def evidence_attachments(
    session: Session, settings: Settings, actor: Actor, case: LegalCase
) -> list[tuple[str, str, bytes]]:
    """Every file of the case ``actor`` may see as (name, content type, content), oldest first:
    the uploads for a documents bundle. Names are made unique (``2-photo.jpg``) within the list.

    Raises :class:`api.cases.errors.CaseNotFound` / ``AccessDenied`` as the other functions.
    """
    rows = _visible_rows(session, actor, case)
    data_key = data_key_of(settings, case) if rows else b""
    attachments: list[tuple[str, str, bytes]] = []
    used: set[str] = set()
    for position, row in enumerate(rows, start=1):
        name = decrypt_field(data_key, row.name_encrypted, aad=_name_aad(case, row.public_id)).decode()
        if name in used:
            name = f"{position}-{name}"
        used.add(name)
        content = decrypt_field(data_key, row.content_encrypted, aad=_content_aad(case, row.public_id))
        attachments.append((name, row.content_type, content))
    return attachments


__all__ = [
    "CaseNotFound",
    "EvidenceError",
    "EvidenceNotFound",
    "EvidenceSummary",
    "evidence_attachments",
    "file_names_of_case",
    "list_files",
    "read_file",
    "upload",
]
