"""Evidence files: a survivor uploads photos and papers from their phone; staff see and download
the case's files.

- ``GET /survivor/files``: what the survivor has sent, and the upload form with the limit and
  the accepted kinds shown before choosing a file (and what happens to hidden details).
- ``POST /survivor/files``: one file (multipart); refused files get a clear message in the
  survivor's language, and nothing is stored (:mod:`api.evidence.service`).
- ``GET /cases/{case_id}/evidence/{file_id}``: staff download one file (an attachment, never
  shown inline, so a crafted PDF or image cannot run in the site's origin).
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from api.access import Actor
from api.cases import service as cases_service
from api.cases.errors import AccessDenied
from api.cases.models import LegalCase
from api.cases.survivor_access import own_case_public_id
from api.deps import SessionDep, SettingsDep
from api.evidence import service as evidence_service
from api.settings import Settings
from web.forms import CsrfProtected, FormDep, FormErrors
from web.i18n import N_, chosen_language, local_number, translate
from web.identity import Identity, StaffIdentity, SurvivorIdentity, now_utc
from web.rendering import render

router = APIRouter(include_in_schema=False)

SURVIVOR_FILES: Final = "/survivor/files"
ACCEPT: Final = "image/jpeg,image/png,image/heic,image/heif,.heic,.heif,application/pdf"
CHOOSE_A_FILE: Final = N_("Choose a file to upload.")
NO_CASE: Final = N_("There is nothing to add files to yet. Ask your advocate about it.")


def _megabytes(size: int, language: str) -> str:
    """A size as people read it: "10 MB", "2.5 MB", "300 kB" (digits as the language writes them)."""
    if size >= 1_000_000:
        return f"{local_number(round(size / 1_000_000, 1), language)} MB"
    return f"{local_number(max(1, round(size / 1000)), language)} kB"


def _own_case(session: Session, actor: Actor) -> LegalCase | None:
    public_id = own_case_public_id(session, actor)
    if public_id is None:
        return None
    return cases_service.get_case(session, actor, public_id, now=now_utc())


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    *,
    errors: FormErrors | None = None,
    uploaded: bool = False,
    status_code: int = 200,
) -> Response:
    case = _own_case(session, identity.actor)
    files = evidence_service.list_files(session, settings, identity.actor, case) if case else []
    language = chosen_language(request)
    context = {
        "has_case": case is not None,
        "files": files,
        "limit_text": _megabytes(settings.evidence_max_bytes, language),
        "limit_bytes": settings.evidence_max_bytes,
        "accept": ACCEPT,
        "errors": errors or FormErrors(),
        "uploaded": uploaded,
        "file_size": lambda size: _megabytes(size, language),
    }
    return render(request, "survivor/files.html", context, status_code=status_code)


@router.get(SURVIVOR_FILES)
def files_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    identity: SurvivorIdentity,
    uploaded: bool = False,
) -> Response:
    """The survivor's files and the upload form."""
    return _page(request, session, settings, identity, uploaded=uploaded)


@router.post(SURVIVOR_FILES, dependencies=[CsrfProtected])
def upload_file(
    request: Request, session: SessionDep, settings: SettingsDep, identity: SurvivorIdentity, form: FormDep
) -> Response:
    """Store one file from the survivor; back to the list, or the form with a clear message."""
    upload = form.get("file")
    name, content = "", b""
    if isinstance(upload, UploadFile):  # spooled to disk by the form parser when large
        name, content = upload.filename or "", upload.file.read(settings.evidence_max_bytes + 1)
    errors = FormErrors()
    case = _own_case(session, identity.actor)
    if case is None:
        errors.add("file", NO_CASE)
    elif not name and not content:
        errors.add("file", CHOOSE_A_FILE)
    else:
        try:
            evidence_service.upload(
                session, settings, identity.actor, case, name=name, content=content, now=now_utc()
            )
        except evidence_service.EvidenceError as exc:
            language = chosen_language(request)
            limit = _megabytes(settings.evidence_max_bytes, language)
            errors.add("file", translate(language, exc.message) % {"limit": limit})
    if errors:
        return _page(request, session, settings, identity, errors=errors, status_code=422)
    return RedirectResponse(SURVIVOR_FILES + "?uploaded=1", status_code=303)


@router.get("/cases/{case_id}/evidence/{file_id}")
def download(
    case_id: str, file_id: str, session: SessionDep, settings: SettingsDep, identity: StaffIdentity
) -> Response:
    """One file of the case, as an attachment (recorded as ``evidence.downloaded``)."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    try:
        name, content_type, content = evidence_service.read_file(
            session, settings, identity.actor, case, file_id, now=now
        )
    except evidence_service.EvidenceNotFound:
        raise HTTPException(status_code=404) from None
    ascii_name = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in name)
    return Response(
        content,
        media_type=content_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


def evidence_context(
    session: Session, settings: Settings, identity: Identity, case: LegalCase
) -> dict[str, object]:
    """What the case page shows of the case's files (nothing for someone who may not see them)."""
    try:
        files = evidence_service.list_files(session, settings, identity.actor, case)
    except AccessDenied:  # a lawyer with only part of the case shared: the section is left out
        return {"evidence_files": None}
    return {"evidence_files": files}
