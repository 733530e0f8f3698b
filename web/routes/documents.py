"""Pages of a case's completed documents: ask for one, watch it being made, review and file it.

- ``/cases/{case}/documents``: the templates for the case, each with its versions; an advocate
  asks for a new version (queued for the worker: nothing is generated inside the request) or,
  when facts are missing, is told which and sent to answer them
  (``/cases/{case}/documents/{template}/answers``).
- ``/cases/{case}/documents/versions/{version}``: progress while the worker runs (htmx polls
  the ``progress`` block; without JavaScript, a "check again" link), then the accessible preview
  beside the facts it was built from, the differences from the last reviewed version, comments
  (on the document or a paragraph), the lawyer's decision, the SHA-256 of an approved version,
  downloads, and the advocate's filing record.

The services decide who may do what (:mod:`api.documents.service`, :mod:`api.documents.review`).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api import access
from api.cases import service as cases_service
from api.cases.errors import AccessDenied, CaseInputError, FactInputError
from api.cases.models import FactSource, LegalCase
from api.cases.schemas import FactRecord
from api.deps import SessionDep, SettingsDep
from api.documents import review, service
from api.documents.bundle import Attachment
from api.documents.models import DocumentVersion, FilingMethod, GenerationStatus, ReviewStatus
from api.documents.rendering import MissingFacts
from api.evidence import service as evidence_service
from api.settings import Settings
from web.forms import CsrfProtected, FormDep, FormErrors, list_field, text_field
from web.identity import Identity, StaffIdentity, now_utc
from web.question_widgets import display_answer
from web.rendering import is_htmx, render
from web.routes.cases import timezone_of, today_for
from workflows.facts import FactSpec, default_fact_dictionary
from workflows.types import FactType

router = APIRouter(include_in_schema=False)

BODY_READ_LIMIT: Final = 10 * review.BODY_MAX_LENGTH
FILING_METHODS: Final = (
    (FilingMethod.ONLINE.value, "Online service"),
    (FilingMethod.EMAIL.value, "Email"),
    (FilingMethod.POST.value, "Post"),
    (FilingMethod.BY_HAND.value, "By hand"),
)
LONG_TEXT: Final = 300  # text facts allowing more than this get a text area
CONTENT_TYPES: Final = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def documents_url(case: LegalCase) -> str:
    """The case's documents page."""
    return f"/cases/{case.public_id}/documents"


def version_url(case: LegalCase, version: DocumentVersion) -> str:
    """One version's page."""
    return f"/cases/{case.public_id}/documents/versions/{version.public_id}"


def field_id(key: str) -> str:
    """The input id of a fact on the answers form (``person.full_name`` → ``fact-person-full_name``)."""
    return "fact-" + key.replace(".", "-")


# --- the list -------------------------------------------------------------------------------------


def _list_page(
    request: Request,
    session: Session,
    identity: Identity,
    case: LegalCase,
    *,
    errors: FormErrors | None = None,
    missing_template: str | None = None,
    status_code: int = 200,
) -> Response:
    summaries = service.list_documents(session, identity.actor, case)
    dictionary = default_fact_dictionary()
    context = {
        "case": case,
        "summaries": summaries,
        "may_generate": access.can_edit_facts(session, identity.actor, case),
        "has_approved": any(
            v.review_status == ReviewStatus.APPROVED.value for summary in summaries for v in summary.versions
        ),
        "errors": errors or FormErrors(),
        "missing_template": missing_template,
        "stale_names": {
            version.public_id: [
                dictionary.get(key).label for key in service.stale_facts(version) if key in dictionary
            ]
            for summary in summaries
            for version in summary.versions
        },
        "timezone": timezone_of(session, case.organisation_id),
    }
    return render(request, "documents/list.html", context, status_code=status_code)


@router.get("/cases/{case_id}/documents")
def documents_page(request: Request, case_id: str, session: SessionDep, identity: StaffIdentity) -> Response:
    """The case's documents and their versions."""
    case = cases_service.get_case(session, identity.actor, case_id, now=now_utc())
    return _list_page(request, session, identity, case)


@router.post("/cases/{case_id}/documents", dependencies=[CsrfProtected])
def request_document(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """Queue a new version of the chosen template and go to its page (it is made in the background)."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    if not access.can_edit_facts(session, identity.actor, case):
        raise AccessDenied(service.NOT_YOURS)
    template = text_field(form, "template", max_length=64)
    try:
        version = service.request_generation(session, settings, identity.actor, case, template, now=now)
    except CaseInputError as exc:
        return _list_page(
            request, session, identity, case, errors=FormErrors.of("template", exc.message), status_code=422
        )
    except MissingFacts as exc:
        errors = FormErrors.of(f"answers-{template}", str(exc))
        return _list_page(
            request, session, identity, case, errors=errors, missing_template=template, status_code=422
        )
    _enqueue(settings, version)
    return RedirectResponse(version_url(case, version), status_code=303)


def _enqueue(settings: Settings, version: DocumentVersion) -> None:
    """Wake a worker (the Celery app only where it is used); if the broker is down, the sweep will."""
    from api.tasks.documents import enqueue_generation

    if version.id is not None:
        enqueue_generation(settings, version.id)


@router.get("/cases/{case_id}/documents/bundle/{bundle_format}")
def bundle(
    case_id: str, bundle_format: str, session: SessionDep, settings: SettingsDep, identity: StaffIdentity
) -> Response:
    """The filing bundle of the approved documents and the case's uploaded evidence: ``zip``
    (every file) or ``pdf`` (one paginated PDF with an index; photos other than JPEG go in the
    zip only). Assembled from stored files: nothing is generated here."""
    if bundle_format not in ("zip", "pdf"):
        raise service.DocumentNotFound(bundle_format)
    case = cases_service.get_case(session, identity.actor, case_id, now=now_utc())
    try:
        uploads = evidence_service.evidence_attachments(session, settings, identity.actor, case)
    except AccessDenied:  # a lawyer shown one application sees its documents, not the case's files
        uploads = []
    evidence = [Attachment(name, content_type, content) for name, content_type, content in uploads]
    made = service.build_bundle(session, settings, identity.actor, case, evidence=evidence)
    data, media_type = (
        (made.zip_bytes, "application/zip") if bundle_format == "zip" else (made.pdf_bytes, "application/pdf")
    )
    filename = f"filing-bundle-{case.public_id[:8]}.{bundle_format}"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


# --- answering the facts a template needs ---------------------------------------------------------


def _answers_page(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    case: LegalCase,
    template: str,
    *,
    typed: dict[str, object] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    manifest = {m.name: m for m in service.templates_for(case)}.get(template)
    if manifest is None:
        raise service.DocumentNotFound(template)
    if not access.can_edit_facts(session, identity.actor, case):
        raise AccessDenied("Only the organisation's advocates and administrators can change the answers.")
    dictionary = default_fact_dictionary()
    current = cases_service.read_facts(session, settings, case)
    fields = []
    for key in manifest.facts:
        spec = dictionary.get(key)
        record = current.get(key)
        value: object = record.value if record is not None else None
        if typed is not None and key in typed:
            value = typed[key]
        fields.append(
            {
                "key": key,
                "id": field_id(key),
                "spec": spec,
                "kind": _kind(spec.type, spec.max_length),
                "value": "" if value is None else value,
                "required": key in manifest.required,
            }
        )
    context = {"case": case, "manifest": manifest, "fields": fields, "errors": errors or FormErrors()}
    return render(request, "documents/answers.html", context, status_code=status_code)


def _kind(fact_type: FactType, max_length: int | None) -> str:
    if fact_type is FactType.TEXT:
        return "textarea" if (max_length or 5000) > LONG_TEXT else "text"
    return fact_type.value


@router.get("/cases/{case_id}/documents/{template}/answers")
def answers_form(
    request: Request,
    case_id: str,
    template: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
) -> Response:
    """Every fact the template uses, with the current answers, to fill in or correct."""
    case = cases_service.get_case(session, identity.actor, case_id, now=now_utc())
    return _answers_page(request, session, settings, identity, case, template)


@router.post("/cases/{case_id}/documents/{template}/answers", dependencies=[CsrfProtected])
def save_answers(
    request: Request,
    case_id: str,
    template: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """Save the answers given (blank ones are left as they were) and go back to the documents."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    manifest = {m.name: m for m in service.templates_for(case)}.get(template)
    if manifest is None:
        raise service.DocumentNotFound(template)
    if not access.can_edit_facts(session, identity.actor, case):
        raise AccessDenied("Only the organisation's advocates and administrators can change the answers.")
    dictionary = default_fact_dictionary()
    raw: dict[str, object] = {}
    for key in manifest.facts:
        spec = dictionary.get(key)
        if spec.type is FactType.LIST:
            chosen = list_field(form, field_id(key), max_length=100)
            if chosen:
                raw[key] = chosen
            continue
        text = text_field(form, field_id(key), max_length=(spec.max_length or 5000) + 1, strip=False).strip()
        if not text:
            continue
        raw[key] = {"true": True, "false": False}.get(text, text) if spec.type is FactType.BOOL else text
    if not raw:
        errors = FormErrors.of(field_id(manifest.facts[0]), "Answer at least one question, or go back.")
        return _answers_page(
            request, session, settings, identity, case, template, errors=errors, status_code=422
        )
    try:
        cases_service.change_facts(
            session,
            settings,
            identity.actor,
            case,
            raw,
            source=FactSource.ADVOCATE.value,
            now=now,
            today=today_for(session, case.organisation_id, now),
        )
    except FactInputError as exc:
        errors = FormErrors()
        for key, message in exc.errors.items():
            errors.add(field_id(key), message)
        return _answers_page(
            request, session, settings, identity, case, template, typed=raw, errors=errors, status_code=422
        )
    return RedirectResponse(f"{documents_url(case)}?saved={template}#document-{template}", status_code=303)


# --- one version ----------------------------------------------------------------------------------


def _version_page(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    case_id: str,
    version_id: str,
    *,
    errors: FormErrors | None = None,
    comment_values: dict[str, str] | None = None,
    filing_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    version = service.get_version(session, identity.actor, case, version_id)
    manifest = service.template_catalogue().get(version.template)
    finished = version.status in (GenerationStatus.DONE.value, GenerationStatus.FAILED.value)
    if is_htmx(request) and request.headers.get("hx-target") == "progress":
        headers = {"HX-Refresh": "true"} if finished else None
        return render(
            request,
            "documents/version.html",
            {"case": case, "version": version},
            block="progress",
            headers=headers,
        )
    facts = access.case_access(session, identity.actor, case)
    dictionary = default_fact_dictionary()
    blocks = service.read_blocks(settings, case, version)
    previous = review.last_reviewed_before(session, version)
    current = cases_service.read_facts(session, settings, case)
    used = service.facts_used(version)
    context = {
        "case": case,
        "version": version,
        "manifest": manifest,
        "finished": finished,
        "blocks": blocks,
        "facts_rows": [
            (dictionary.get(key).label, _shown(dictionary.get(key), current.get(key)))
            for key in used
            if key in dictionary
        ],
        "stale_names": [dictionary.get(k).label for k in service.stale_facts(version) if k in dictionary],
        "previous": previous,
        "changes": review.differences(service.read_blocks(settings, case, previous), blocks)
        if previous
        else [],
        "comments": review.list_comments(session, settings, case, version),
        "may_comment": access.may_comment(identity.actor, facts),
        "may_review": review.may_review(identity.actor, facts),
        "may_file": access.may_manage(identity.actor, facts),
        "filings": review.filings_of(session, version),
        "filing_methods": FILING_METHODS,
        "errors": errors or FormErrors(),
        "comment_values": comment_values or {"body": "", "paragraph": ""},
        "filing_values": filing_values or {"filed_on": "", "method": "", "recipient": ""},
        "timezone": timezone_of(session, case.organisation_id),
    }
    return render(request, "documents/version.html", context, status_code=status_code)


@router.get("/cases/{case_id}/documents/versions/{version_id}")
def version_page(
    request: Request,
    case_id: str,
    version_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
) -> Response:
    """The version: its progress, then the preview, facts, differences, comments and decisions."""
    return _version_page(request, session, settings, identity, case_id, version_id)


@router.get("/cases/{case_id}/documents/versions/{version_id}/download/{kind}")
def download(
    case_id: str,
    version_id: str,
    kind: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
) -> Response:
    """The Word file or the PDF, exactly as stored (an approved version's SHA-256 is of these bytes)."""
    if kind not in CONTENT_TYPES:
        raise service.DocumentNotFound(kind)
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    version = service.get_version(session, identity.actor, case, version_id)
    data = service.download(session, settings, identity.actor, case, version, kind, now=now)
    if data is None:
        raise service.DocumentNotFound(version_id)
    filename = f"{version.template}-v{version.number}.{kind}"
    return Response(
        data,
        media_type=CONTENT_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.post("/cases/{case_id}/documents/versions/{version_id}/comments", dependencies=[CsrfProtected])
def comment(
    request: Request,
    case_id: str,
    version_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """Comment on the version or one of its paragraphs."""
    values = {
        "body": text_field(form, "body", max_length=BODY_READ_LIMIT, strip=False),
        "paragraph": text_field(form, "paragraph", max_length=9),
    }
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    version = service.get_version(session, identity.actor, case, version_id)
    paragraph = int(values["paragraph"]) if values["paragraph"].isdigit() else None
    try:
        review.add_comment(
            session,
            settings,
            identity.actor,
            case,
            version,
            body=values["body"],
            paragraph=paragraph,
            now=now,
        )
    except CaseInputError as exc:
        errors = FormErrors.of(exc.field, exc.message)
        return _version_page(
            request,
            session,
            settings,
            identity,
            case_id,
            version_id,
            errors=errors,
            comment_values=values,
            status_code=422,
        )
    return RedirectResponse(version_url(case, version) + "#comments", status_code=303)


@router.post("/cases/{case_id}/documents/versions/{version_id}/review", dependencies=[CsrfProtected])
def decide(
    request: Request,
    case_id: str,
    version_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """The lawyer approves the version or requests changes."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    version = service.get_version(session, identity.actor, case, version_id)
    decision = text_field(form, "decision", max_length=20)
    if not review.may_review(identity.actor, access.case_access(session, identity.actor, case)):
        raise AccessDenied(review.ONLY_LAWYERS)
    try:
        if decision not in ("approve", "request_changes"):
            raise CaseInputError("decision", "Choose whether to approve the document or ask for changes.")
        review.decide(session, identity.actor, case, version, approve=decision == "approve", now=now)
    except CaseInputError as exc:
        errors = FormErrors.of("decision", exc.message)
        return _version_page(
            request, session, settings, identity, case_id, version_id, errors=errors, status_code=422
        )
    return RedirectResponse(version_url(case, version) + "#review", status_code=303)


@router.post("/cases/{case_id}/documents/versions/{version_id}/filing", dependencies=[CsrfProtected])
def record_filing(
    request: Request,
    case_id: str,
    version_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """The advocate records when, how and with whom the approved version was filed."""
    values = {
        "filed_on": text_field(form, "filed_on", max_length=20),
        "method": text_field(form, "method", max_length=20),
        "recipient": text_field(form, "recipient", max_length=400),
    }
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    version = service.get_version(session, identity.actor, case, version_id)
    if not access.can_manage_case(session, identity.actor, case):
        raise AccessDenied("Only the case's advocates and administrators record filings.")
    try:
        filed_on = _parse_date(values["filed_on"])
        review.record_filing(
            session,
            identity.actor,
            case,
            version,
            filed_on=filed_on,
            method=values["method"],
            recipient=values["recipient"],
            today=today_for(session, case.organisation_id, now),
            now=now,
        )
    except CaseInputError as exc:
        errors = FormErrors.of(exc.field, exc.message)
        return _version_page(
            request,
            session,
            settings,
            identity,
            case_id,
            version_id,
            errors=errors,
            filing_values=values,
            status_code=422,
        )
    return RedirectResponse(version_url(case, version) + "#filing", status_code=303)


def _shown(spec: FactSpec, record: FactRecord | None) -> str:
    if record is None:
        return "Not answered"
    return display_answer(spec, record.value, is_unknown=record.is_unknown)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise CaseInputError(
            "filed_on", "Enter the date as year-month-day, for example 2026-11-22."
        ) from None
