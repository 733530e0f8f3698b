"""Use cases of generated documents: ask for one, generate it in the worker, read it back.

The web request only *asks* (:func:`request_generation` adds a ``queued`` version row after
checking that the facts the template needs are there) and returns at once; a Celery worker
generates (:func:`run_generation`). Work is rows, not messages: a task carries only a version id,
claims rows with a conditional UPDATE (``status = 'queued'``), and is harmless when repeated or
lost, because the beat sweep (:func:`sweep`) re-offers what is still queued and resets what a
dead worker left running. A worker takes up to ``BATCH_SIZE`` queued versions at once and
converts them to PDF with one LibreOffice call (:mod:`api.documents.pdf`).

Who (see :mod:`api.access`): the organisation's advocates and admins generate; they and the
lawyers the case (or an application using the template) is shared with read; survivors never
see the documents here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from api import access
from api.access import Actor, CaseAccess
from api.audit.service import record_event
from api.cases import facts_store
from api.cases.checks import require_aware, saved_id
from api.cases.errors import AccessDenied, CaseInputError, CaseNotFound
from api.cases.models import Application, LegalCase, new_public_id
from api.cases.permissions import authorise
from api.documents import findings, preview
from api.documents.bundle import Attachment, IndexEntry, build_pdf, build_zip
from api.documents.models import DocumentVersion, GenerationStatus, ReviewStatus
from api.documents.pdf import convert_docx_batch
from api.documents.rendering import (
    MissingFacts,
    RenderError,
    build_context,
    format_date,
    missing_facts,
    render_docx,
)
from api.evidence import service as evidence_service
from api.orgs.models import DEFAULT_TIMEZONE, Organisation, User
from api.security.crypto import decrypt_field, encrypt_field
from api.settings import Settings
from api.wages import service as wages_service
from workflows.catalogue import TEMPLATES_ROOT
from workflows.facts import default_fact_dictionary
from workflows.manifests import TemplateManifest, load_manifests
from workflows.wages.uk_minimum_wage import PayPeriodError, periods_from_json
from workflows.wages.uk_minimum_wage import calculate as calculate_minimum_wage

BATCH_SIZE: Final = 10
# A version still queued this long after it was asked for lost its task: the sweep offers it again.
REQUEUE_AFTER: Final = timedelta(seconds=30)
# A version running this long belongs to a dead worker: the sweep puts it back in the queue.
STUCK_AFTER: Final = timedelta(minutes=10)
MAX_ATTEMPTS: Final = 3
DOCX_TYPE: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOT_YOURS: Final = "Only the organisation's advocates and administrators can generate documents."


class DocumentNotFound(CaseNotFound):
    """No such document version for this actor (a 404, like a case they may not see)."""


@cache
def template_catalogue() -> dict[str, TemplateManifest]:
    """Every valid template by name (``redress check`` reports the invalid ones)."""
    manifests, _problems = load_manifests(TEMPLATES_ROOT, default_fact_dictionary())
    return manifests


def templates_for(case: LegalCase) -> list[TemplateManifest]:
    """The templates for the case's country (``GB-ENG`` → ``GB``), by title."""
    country = case.jurisdiction.split("-", 1)[0]
    return sorted(
        (m for m in template_catalogue().values() if m.jurisdiction == country), key=lambda m: m.title
    )


def version_aad(case: LegalCase, version: DocumentVersion, part: str) -> bytes:
    """Binds an encrypted output (``docx``, ``pdf``, ``preview``) to its case and version."""
    return f"case:{case.public_id}:document:{version.public_id}:{part}".encode()


# --- who sees what --------------------------------------------------------------------------------


def _shared_workflows(session: Session, case: LegalCase, facts: CaseAccess) -> set[str]:
    ids = [share.application_id for share in facts.shares if share.application_id is not None]
    if not ids:
        return set()
    rows = session.exec(
        select(Application.workflow_id).where(
            Application.case_id == saved_id(case), col(Application.id).in_(ids)
        )
    ).all()
    return set(rows)


def may_read_template(
    session: Session, actor: Actor, case: LegalCase, facts: CaseAccess, manifest: TemplateManifest | None
) -> bool:
    """Whether the actor may read the case's documents of ``manifest``: caseworkers; a lawyer with
    the whole case shared, or an application whose workflow uses the template. Never a survivor."""
    if not access.may_read_comments(actor, facts):  # caseworkers and lawyers with a share, never survivors
        return False
    if access.is_caseworker(actor, case.organisation_id) or access.may_view_whole_case(actor, facts):
        return True
    return manifest is not None and bool(_shared_workflows(session, case, facts) & set(manifest.workflows))


def authorise_documents(session: Session, actor: Actor, case: LegalCase) -> CaseAccess:
    """The actor's access to the case, if they may read any of its documents (else AccessDenied)."""
    facts = authorise(session, actor, case)
    if not access.may_read_comments(actor, facts):
        raise AccessDenied("Documents are for the people working on the case.")
    return facts


# --- asking for a document ------------------------------------------------------------------------


def request_generation(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, template: str, *, now: datetime
) -> DocumentVersion:
    """Ask for a new version of ``template`` for the case; it is generated in the background.

    Refused at once, with nothing saved, when the template needs facts the case does not have
    (:class:`MissingFacts`, naming them) or is not for the case's country (:class:`CaseInputError`).
    Records ``document.requested`` and commits.
    """
    require_aware(now)
    authorise(session, actor, case, access.may_edit_facts)
    manifest = {m.name: m for m in templates_for(case)}.get(template)
    if manifest is None:
        raise CaseInputError("template", "Choose one of the documents offered for this case.")
    dictionary = default_fact_dictionary()
    values = fact_values(session, settings, case)
    missing = missing_facts(dictionary, manifest, values)
    if missing:
        raise MissingFacts(manifest, missing, dictionary)
    number = session.exec(
        select(func.max(DocumentVersion.number)).where(
            DocumentVersion.case_id == saved_id(case), DocumentVersion.template == template
        )
    ).one()
    version = DocumentVersion(
        case_id=saved_id(case),
        template=template,
        template_version=manifest.version,
        number=(number or 0) + 1,
        requested_by_user_id=actor.user_id,
        requested_at=now,
    )
    session.add(version)
    session.flush()
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action="document.requested",
        subject=version.public_id,
        at=now,
    )
    session.commit()
    session.refresh(version)
    return version


# --- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentSummary:
    """One template of a case: its manifest and its versions, newest first."""

    manifest: TemplateManifest
    versions: tuple[DocumentVersion, ...]

    @property
    def latest(self) -> DocumentVersion | None:
        """The newest version, if any."""
        return self.versions[0] if self.versions else None


def list_documents(session: Session, actor: Actor, case: LegalCase) -> list[DocumentSummary]:
    """The case's templates the actor may read, each with its versions (newest first)."""
    facts = authorise_documents(session, actor, case)
    rows = session.exec(
        select(DocumentVersion)
        .where(DocumentVersion.case_id == saved_id(case))
        .order_by(col(DocumentVersion.template), col(DocumentVersion.number).desc())
    ).all()
    by_template: dict[str, list[DocumentVersion]] = {}
    for row in rows:
        by_template.setdefault(row.template, []).append(row)
    return [
        DocumentSummary(manifest, tuple(by_template.get(manifest.name, ())))
        for manifest in templates_for(case)
        if may_read_template(session, actor, case, facts, manifest)
    ]


def get_version(session: Session, actor: Actor, case: LegalCase, public_id: str) -> DocumentVersion:
    """The version ``public_id`` of the case, if the actor may read it (else DocumentNotFound)."""
    facts = authorise_documents(session, actor, case)
    version = session.exec(
        select(DocumentVersion).where(
            DocumentVersion.case_id == saved_id(case), DocumentVersion.public_id == public_id
        )
    ).first()
    if version is None or not may_read_template(
        session, actor, case, facts, template_catalogue().get(version.template)
    ):
        raise DocumentNotFound(public_id)
    return version


def read_part(settings: Settings, case: LegalCase, version: DocumentVersion, part: str) -> bytes | None:
    """A decrypted output of the version (``docx``, ``pdf`` or ``preview``), or None if it has none."""
    blob = {
        "docx": version.docx_encrypted,
        "pdf": version.pdf_encrypted,
        "preview": version.preview_encrypted,
    }[part]
    if blob is None:
        return None
    return decrypt_field(facts_store.data_key_of(settings, case), blob, aad=version_aad(case, version, part))


def download(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    version: DocumentVersion,
    part: str,
    *,
    now: datetime,
) -> bytes | None:
    """The ``docx`` or ``pdf`` of a version the actor may read (see :func:`get_version`), recording
    ``document.downloaded`` (the version, never the content) and committing; None if it has none."""
    require_aware(now)
    data = read_part(settings, case, version, part)
    if data is not None:
        record_event(
            session,
            organisation_id=case.organisation_id,
            case_id=saved_id(case),
            actor_user_id=actor.user_id,
            action="document.downloaded",
            subject=version.public_id,
            at=now,
        )
        session.commit()
    return data


def read_blocks(settings: Settings, case: LegalCase, version: DocumentVersion) -> list[preview.Block]:
    """The version's preview blocks (empty until it is generated)."""
    data = read_part(settings, case, version, "preview")
    return preview.from_json(data) if data is not None else []


def facts_used(version: DocumentVersion) -> dict[str, str | None]:
    """What the version was built from: fact key → when its value was given (None: unanswered)."""
    loaded: dict[str, str | None] = json.loads(version.facts_used)
    return loaded


def stale_facts(version: DocumentVersion) -> list[str]:
    """The facts changed since the version was generated (empty: it is up to date)."""
    return list(json.loads(version.stale_facts)) if version.stale_facts else []


# --- generating (the worker) ----------------------------------------------------------------------


def run_generation(session: Session, settings: Settings, version_id: int, *, now: datetime) -> list[int]:
    """Generate version ``version_id`` if it is still queued, with up to ``BATCH_SIZE - 1`` other
    queued versions, converting them to PDF in one LibreOffice call; the ids generated.

    Safe to repeat: a version someone else claimed (or finished) is left alone.
    """
    require_aware(now)
    others = session.exec(
        select(DocumentVersion.id)
        .where(DocumentVersion.status == GenerationStatus.QUEUED.value, DocumentVersion.id != version_id)
        .order_by(col(DocumentVersion.requested_at))
        .limit(BATCH_SIZE - 1)
    ).all()
    token = new_public_id()
    session.execute(
        update(DocumentVersion)
        .where(
            col(DocumentVersion.id).in_([version_id, *others]),
            col(DocumentVersion.status) == GenerationStatus.QUEUED.value,
        )
        .values(
            status=GenerationStatus.RUNNING.value,
            claim_token=token,
            started_at=now,
            attempts=col(DocumentVersion.attempts) + 1,
        )
    )
    session.commit()
    claimed = session.exec(
        select(DocumentVersion).where(DocumentVersion.claim_token == token).order_by(col(DocumentVersion.id))
    ).all()
    if not claimed:
        return []
    # Render first and write nothing until the PDFs are made: a write would hold SQLite's lock
    # (blocking every page that records a view) for the seconds LibreOffice takes.
    rendered: list[tuple[DocumentVersion, LegalCase, _Rendered]] = []
    failed: list[tuple[DocumentVersion, str]] = []
    with session.no_autoflush:
        for version in claimed:
            case = session.get_one(LegalCase, version.case_id)
            try:
                rendered.append((version, case, _render(session, settings, case, version, now)))
            except (MissingFacts, RenderError) as exc:
                failed.append((version, str(exc)))
    session.commit()  # nothing to write yet: ends the read transaction during the conversion
    conversions = convert_docx_batch([result.docx for _, _, result in rendered])
    for version, message in failed:
        _fail(version, message, now)
        session.add(version)
    for (version, case, result), conversion in zip(rendered, conversions, strict=True):
        data_key = facts_store.data_key_of(settings, case)
        version.template_version = result.template_version
        version.facts_used = result.facts_used
        version.docx_encrypted = encrypt_field(data_key, result.docx, aad=version_aad(case, version, "docx"))
        version.docx_sha256 = hashlib.sha256(result.docx).hexdigest()
        blocks = preview.blocks_of(result.docx)
        version.preview_encrypted = encrypt_field(
            data_key, preview.to_json(blocks), aad=version_aad(case, version, "preview")
        )
        if conversion.pdf is not None:
            version.pdf_encrypted = encrypt_field(
                data_key, conversion.pdf, aad=version_aad(case, version, "pdf")
            )
            version.pdf_sha256 = hashlib.sha256(conversion.pdf).hexdigest()
        version.pdf_note = conversion.problem
        version.stale_facts = _changed_since(session, case, result.facts_used)
        version.status = GenerationStatus.DONE.value
        version.finished_at = now
        version.claim_token = None
        session.add(version)
    session.commit()
    return [saved_id(version) for version, _, _ in rendered]


def _changed_since(session: Session, case: LegalCase, facts_used: str) -> str | None:
    """The facts answered again while the version was being made (JSON list), or None: a change
    that came in between rendering and saving must not leave the version looking current."""
    used: dict[str, str | None] = json.loads(facts_used)
    current = facts_store.current_rows(session, case)
    changed = sorted(
        key
        for key, given in used.items()
        if (current[key].given_at.isoformat() if key in current else None) != given
    )
    return json.dumps(changed) if changed else None


@dataclass(frozen=True)
class _Rendered:
    docx: bytes
    template_version: str
    facts_used: str  # JSON: fact key -> when its value was given


def _fail(version: DocumentVersion, message: str, now: datetime) -> None:
    version.status = GenerationStatus.FAILED.value
    version.error = message
    version.finished_at = now
    version.claim_token = None


def fact_values(session: Session, settings: Settings, case: LegalCase) -> dict[str, object]:
    """The case's current answers, typed and decrypted (for background work already authorised)."""
    rows = facts_store.current_rows(session, case)
    if not rows:
        return {}
    records = facts_store.decode_all(
        default_fact_dictionary(), case, facts_store.data_key_of(settings, case), rows
    )
    return {key: record.value for key, record in records.items()}


def _minimum_wage_working(values: Mapping[str, object], today: date, jurisdiction: str) -> list[str]:
    """The minimum wage calculator's working, one line per pay period, for the documents that
    claim the arrears (``doc.nmw_working``). Empty when no periods are saved or they cannot be
    calculated now (the calculator page says why); the document then gives the totals alone."""
    stored, birth = values.get(wages_service.PERIODS_FACT), values.get(wages_service.BIRTH_FACT)
    if not isinstance(stored, str) or not stored or not isinstance(birth, date):
        return []
    try:
        calculation = calculate_minimum_wage(tuple(periods_from_json(stored)), birth, today)
    except PayPeriodError:
        return []
    lines = []
    for row in calculation.periods:
        period = row.period
        rate = f"£{row.rate:,.2f} an hour" if row.rate is not None else "no minimum wage band"
        uplift = ", uplifted to today's rate" if row.uplifted else ""
        outside = "" if row.within_et_two_years else " (outside the tribunal's two years)"
        lines.append(
            f"{format_date(period.start, jurisdiction)} to {format_date(period.end, jurisdiction)}: "
            f"{period.hours} hours at {rate}; due £{row.due:,.2f}, counted as paid £{row.nmw_pay:,.2f}; "
            f"arrears £{row.arrears:,.2f}{uplift}{outside}."
        )
    return lines


def _render(
    session: Session, settings: Settings, case: LegalCase, version: DocumentVersion, now: datetime
) -> _Rendered:
    """Fill the template with the case's current facts; record which facts, as given when."""
    manifest = template_catalogue().get(version.template)
    if manifest is None:
        raise RenderError(f"the template {version.template} is no longer installed")
    dictionary = default_fact_dictionary()
    rows = facts_store.current_rows(session, case)
    records = (
        facts_store.decode_all(dictionary, case, facts_store.data_key_of(settings, case), rows)
        if rows
        else {}
    )
    values = {key: record.value for key, record in records.items()}
    organisation = session.get(Organisation, case.organisation_id)
    advocate = session.get(User, version.requested_by_user_id)
    timezone = organisation.timezone if organisation is not None else DEFAULT_TIMEZONE
    today = now.astimezone(ZoneInfo(timezone)).date()
    organisation_name = organisation.name if organisation is not None else ""
    builtins = {
        "date": format_date(today, manifest.jurisdiction),
        "advocate_name": advocate.display_name if advocate is not None else "",
        "organisation_name": organisation_name,
        "evidence": evidence_service.file_names_of_case(session, settings, case),
        "nmw_working": _minimum_wage_working(values, today, manifest.jurisdiction),
        "findings": findings.workflow_findings(manifest, values, today),
        "i914": findings.i914_worksheet(dictionary, values, organisation_name),
    }
    context = build_context(dictionary, manifest, values, builtins)
    facts_used = json.dumps(
        {key: records[key].given_at.isoformat() if key in records else None for key in manifest.facts},
        sort_keys=True,
    )
    return _Rendered(render_docx(manifest, context), manifest.version, facts_used)


def sweep(session: Session, *, now: datetime) -> list[int]:
    """The beat task's pass: reset versions stuck ``running`` (their worker died) to ``queued``,
    fail those tried ``MAX_ATTEMPTS`` times, and return the ids queued long enough to re-offer."""
    require_aware(now)
    stuck = session.exec(
        select(DocumentVersion).where(
            DocumentVersion.status == GenerationStatus.RUNNING.value,
            col(DocumentVersion.started_at) < now - STUCK_AFTER,
        )
    ).all()
    for version in stuck:
        if version.attempts >= MAX_ATTEMPTS:
            _fail(version, "Generation kept stopping part-way; ask for the document again.", now)
        else:
            version.status = GenerationStatus.QUEUED.value
            version.claim_token = None
        session.add(version)
    session.commit()
    waiting = session.exec(
        select(DocumentVersion.id)
        .where(
            DocumentVersion.status == GenerationStatus.QUEUED.value,
            col(DocumentVersion.requested_at) < now - REQUEUE_AFTER,
        )
        .order_by(col(DocumentVersion.requested_at))
        .limit(BATCH_SIZE * 10)
    ).all()
    # One task per batch is enough: each claims up to BATCH_SIZE queued versions.
    return [version_id for version_id in waiting if version_id is not None][::BATCH_SIZE]


def today_of(session: Session, case: LegalCase, now: datetime) -> date:
    """Today in the case's organisation (filing dates are its calendar days)."""
    organisation = session.get(Organisation, case.organisation_id)
    return now.astimezone(ZoneInfo(organisation.timezone if organisation else DEFAULT_TIMEZONE)).date()


def versions_by_ids(session: Session, ids: Sequence[int]) -> list[DocumentVersion]:
    """Versions by id (for the tests and the bundle)."""
    return list(session.exec(select(DocumentVersion).where(col(DocumentVersion.id).in_(ids))).all())


# --- the filing bundle ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bundle:
    """The filing bundle of a case: the zip, the paginated PDF and its index."""

    zip_bytes: bytes
    pdf_bytes: bytes
    index: tuple[IndexEntry, ...]


def approved_versions(session: Session, actor: Actor, case: LegalCase) -> list[DocumentVersion]:
    """The newest approved version of each template the actor may read, by title."""
    chosen = []
    for summary in list_documents(session, actor, case):
        approved = [v for v in summary.versions if v.review_status == ReviewStatus.APPROVED.value]
        if approved:
            chosen.append(approved[0])
    return chosen


def build_bundle(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    *,
    evidence: Sequence[Attachment] = (),
) -> Bundle:
    """The case's approved documents (their PDF, or the Word file without one), then ``evidence``
    (uploaded files as :class:`Attachment`: PDFs and JPEGs are paginated in, the rest zip only).

    :class:`DocumentNotFound` when no document of the case is approved yet.
    """
    versions = approved_versions(session, actor, case)
    if not versions:
        raise DocumentNotFound("bundle")
    titles = {name: manifest.title for name, manifest in template_catalogue().items()}
    for_pdf: list[Attachment] = []
    for_zip: list[Attachment] = []
    for version in versions:
        title = f"{titles.get(version.template, version.template)} (version {version.number})"
        docx = read_part(settings, case, version, "docx")
        pdf = read_part(settings, case, version, "pdf")
        if docx is not None:
            for_zip.append(Attachment(f"{title}.docx", DOCX_TYPE, docx))
        if pdf is not None:
            for_pdf.append(Attachment(f"{title}.pdf", "application/pdf", pdf))
            for_zip.append(Attachment(f"{title}.pdf", "application/pdf", pdf))
        elif docx is not None:
            for_pdf.append(Attachment(f"{title}.docx", DOCX_TYPE, docx))
    pdf_bytes, index = build_pdf(f"Filing bundle: {case.reference}", [*for_pdf, *evidence])
    return Bundle(build_zip([*for_zip, *evidence]), pdf_bytes, tuple(index))
