"""Pages for filling a copy of the official Form I-914 PDF with a case's answers.

- ``/cases/{case}/documents/i914-pdf``: what the filling does and does not do, the upload form
  for the blank fillable I-914 (an advocate or a lawyer who may read the case's I-914 worksheet),
  and each filling: its progress, what was filled, what is left to complete by hand, the download.
- ``/cases/{case}/documents/i914-pdf/{fill}/download``: the filled, still editable PDF.

The request only checks and keeps the upload; the worker fills it (:mod:`api.documents.form_fill`).
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from api.cases import service as cases_service
from api.cases.errors import CaseInputError
from api.cases.models import LegalCase
from api.deps import SessionDep, SettingsDep
from api.documents import form_fill
from api.documents.pdf_form import FormFileError
from api.documents.service import DocumentNotFound
from api.settings import Settings
from web.forms import CsrfProtected, FormDep, FormErrors
from web.identity import Identity, StaffIdentity, now_utc
from web.rendering import render
from web.routes.cases import timezone_of
from workflows.forms.i914_pdf import load_pdf_fields

FORM_UPLOAD_SUFFIX: Final = "/documents/i914-pdf"
CHOOSE_A_FILE: Final = "Choose the blank fillable Form I-914 (a PDF) to upload."

router = APIRouter(include_in_schema=False)


def page_url(case: LegalCase) -> str:
    """The case's I-914 filling page."""
    return f"/cases/{case.public_id}{FORM_UPLOAD_SUFFIX}"


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    case: LegalCase,
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    fills = form_fill.list_fills(session, identity.actor, case)
    context = {
        "case": case,
        "fills": [(fill, form_fill.report_of(fill)) for fill in fills],
        "is_us": case.jurisdiction.split("-", 1)[0] == "US",
        "table": load_pdf_fields(),
        "limit_mb": settings.evidence_max_bytes // 1_000_000,
        "errors": errors or FormErrors(),
        "timezone": timezone_of(session, case.organisation_id),
        "uploaded": request.query_params.get("uploaded") == "1",
    }
    return render(request, "documents/i914_pdf.html", context, status_code=status_code)


@router.get("/cases/{case_id}" + FORM_UPLOAD_SUFFIX)
def form_page(
    request: Request, case_id: str, session: SessionDep, settings: SettingsDep, identity: StaffIdentity
) -> Response:
    """The upload form and the case's fillings."""
    case = cases_service.get_case(session, identity.actor, case_id, now=now_utc())
    return _page(request, session, settings, identity, case)


@router.post("/cases/{case_id}" + FORM_UPLOAD_SUFFIX, dependencies=[CsrfProtected])
def upload_form(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """Keep the uploaded blank form and queue its filling; or the page with what is wrong."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    form_fill.list_fills(session, identity.actor, case)  # the access check, before reading the file
    upload = form.get("file")
    content = b""
    if isinstance(upload, UploadFile):  # spooled to disk by the form parser when large
        content = upload.file.read(settings.evidence_max_bytes + 1)
    errors = FormErrors()
    if not content and not (isinstance(upload, UploadFile) and upload.filename):
        errors.add("file", CHOOSE_A_FILE)
    else:
        try:
            fill = form_fill.request_fill(session, settings, identity.actor, case, content, now=now)
        except (FormFileError, CaseInputError) as exc:
            errors.add("file", exc.message if isinstance(exc, CaseInputError) else str(exc))
        else:
            _enqueue(settings, fill.id)
    if errors:
        return _page(request, session, settings, identity, case, errors=errors, status_code=422)
    return RedirectResponse(page_url(case) + "?uploaded=1", status_code=303)


def _enqueue(settings: Settings, fill_id: int | None) -> None:
    """Wake a worker (the Celery app only where it is used); if the broker is down, the sweep will."""
    from api.tasks.documents import enqueue_fill

    if fill_id is not None:
        enqueue_fill(settings, fill_id)


@router.get("/cases/{case_id}" + FORM_UPLOAD_SUFFIX + "/{fill_id}/download")
def download(
    case_id: str, fill_id: str, session: SessionDep, settings: SettingsDep, identity: StaffIdentity
) -> Response:
    """The filled form, as an attachment (recorded as ``form_fill.downloaded``)."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    data = form_fill.download_filled(session, settings, identity.actor, case, fill_id, now=now)
    if data is None:
        raise DocumentNotFound(fill_id)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="i-914-filled-{fill_id[:8]}.pdf"',
            "Cache-Control": "no-store",
        },
    )
