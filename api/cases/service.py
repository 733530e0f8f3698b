"""Use cases of cases, applications and facts.

Each public function that writes owns its unit of work: it validates everything first, then
writes, records the audit events (:func:`api.audit.service.record_event`) and commits once, so
a refused request leaves nothing behind and every change is saved together with its audit
record. Access is checked with :mod:`api.access` through :func:`api.cases.permissions.authorise`.

Facts belong to the case, not to an application ("tell your story once"): an answer given while
working on ``uk.nrm`` is there for ``uk.cica`` too. Changing facts re-evaluates every
application of the case and reports what changed; answers that a change puts on a branch no
longer taken are kept (never deleted) and reported as unused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Final

from sqlalchemy import Table, bindparam, event, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from api import access
from api.access import Actor
from api.audit.service import insert_events, record_event
from api.cases import facts_store
from api.cases.changes import compare, next_deadline_on
from api.cases.checks import require_aware, saved_id
from api.cases.errors import (
    AccessDenied,
    ApplicationError,
    ApplicationNotFound,
    CaseInputError,
    CaseNotFound,
    ConcurrentChange,
    FactInputError,
)
from api.cases.facts_store import NewValue
from api.cases.models import (
    Application,
    ApplicationStatus,
    CaseStatus,
    FactSource,
    LegalCase,
    new_public_id,
)
from api.cases.permissions import authorise, authorise_answers
from api.cases.schemas import CasePage, CatalogueEntry, ChangeReport, FactRecord
from api.deadlines import service as deadlines_service
from api.documents.staleness import mark_documents_stale
from api.orgs.models import Organisation
from api.security.crypto import KeyRing, new_data_key, wrap_data_key
from api.settings import Settings
from workflows.catalogue import default_catalogue
from workflows.engine import Evaluation, EvaluationError, evaluate
from workflows.facts import FactDictionary, FactValueError, default_fact_dictionary
from workflows.model import Workflow

REFERENCE_MAX_LENGTH: Final = 60
MAX_PER_PAGE: Final = 100
COUNT_CAP: Final = 10_000  # beyond this a list says "10,000 or more" instead of counting on
LANGUAGE_FACT: Final = "person.preferred_language"
# ISO 3166-1 alpha-2, optionally with an ISO 3166-2 subdivision: GB, GB-ENG, US-CA.
_JURISDICTION_RE: Final = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_LOADED_ORGANISATIONS: Final = "redress_loaded_organisations"
_APPLICATIONS: Final = "redress_case_applications"
_APPLICATION_TABLE: Final[Table] = Application.__table__  # type: ignore[attr-defined]
_CASE_TABLE: Final[Table] = LegalCase.__table__  # type: ignore[attr-defined]
# The statements of every answer, built once: building one costs more than running it.
_CASE_WITH_ORGANISATION: Final = (
    select(LegalCase, Organisation)
    .join(Organisation, col(Organisation.id) == col(LegalCase.organisation_id))
    .where(col(LegalCase.public_id) == bindparam("public_id"))
)
_APPLICATIONS_OF_CASE: Final = (
    select(Application).where(col(Application.case_id) == bindparam("case_id")).order_by(col(Application.id))
)
# The columns to set are the parameters' other keys.
_UPDATE_APPLICATION: Final = update(_APPLICATION_TABLE).where(_APPLICATION_TABLE.c.id == bindparam("row_id"))
_UPDATE_CASE: Final = update(_CASE_TABLE).where(_CASE_TABLE.c.id == bindparam("row_id"))


# --- cases --------------------------------------------------------------------------------------


def create_case(
    session: Session,
    settings: Settings,
    actor: Actor,
    *,
    reference: str,
    preferred_language: str,
    jurisdiction: str,
    now: datetime,
    organisation_id: int | None = None,
) -> LegalCase:
    """Open a case in the actor's organisation (the actor must be its admin or an advocate).

    ``organisation_id`` is needed only by someone who works for several organisations; by
    default the case opens in the one organisation where the actor is an advocate or admin.

    The case gets its own data key, wrapped under the current key-encryption key and bound to
    the case's public id. The preferred language is also stored as the ``person.preferred_language``
    fact, so workflows that ask it find it answered. Raises :class:`CaseInputError` naming the
    field (``reference``, ``preferred_language``, ``jurisdiction``) and :class:`AccessDenied`.
    """
    require_aware(now)
    organisation_id = _case_organisation(actor, organisation_id)
    clean_reference = _clean_reference(reference)
    language = _check_language(preferred_language)
    clean_jurisdiction = _check_jurisdiction(jurisdiction)
    if _reference_taken(session, organisation_id, clean_reference):
        raise _reference_taken_error(clean_reference)

    dictionary = default_fact_dictionary()
    public_id = new_public_id()
    data_key = new_data_key()
    case = LegalCase(
        public_id=public_id,
        organisation_id=organisation_id,
        reference=clean_reference,
        preferred_language=language,
        jurisdiction=clean_jurisdiction,
        status=CaseStatus.OPEN.value,
        # The advocate who opens the case is its contact until someone reassigns it.
        assigned_user_id=actor.user_id,
        wrapped_data_key=wrap_data_key(KeyRing.from_settings(settings), data_key, case_public_id=public_id),
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    try:
        session.flush()
    except IntegrityError:  # another request took the reference between the check and here
        session.rollback()
        raise _reference_taken_error(clean_reference) from None
    value = NewValue(LANGUAGE_FACT, language, FactSource.ADVOCATE.value, actor.user_id)
    session.add(facts_store.encode(dictionary, case, data_key, value, now))
    _event(session, case, actor, "case.created", now)
    _event(session, case, actor, "fact.changed", now, subject=LANGUAGE_FACT)
    session.commit()
    session.refresh(case)
    return case


def get_case(
    session: Session, actor: Actor, public_id: str, *, now: datetime | None = None, record_view: bool = True
) -> LegalCase:
    """The case with ``public_id`` if ``actor`` may see it; records ``case.viewed`` and commits.

    :class:`CaseNotFound` for an unknown id and for a case the actor may not see alike.
    ``now`` (default: the current time) is the time of the ``case.viewed`` event. A caller about
    to change the case passes ``record_view=False``: the change is recorded as an event of its
    own (call :func:`record_view` if it ends up changing nothing), and a second write
    transaction per request would only make writers queue longer.
    """
    now = datetime.now(UTC) if now is None else now
    require_aware(now)
    # The organisation comes along: the pages that open a case need its time zone for "today",
    # and ``session.get(Organisation, …)`` then finds it without a query. The identity map only
    # holds weak references, so the session keeps one to it for its lifetime (one request).
    found = session.exec(_CASE_WITH_ORGANISATION, params={"public_id": public_id}).first()
    if found is None:
        raise CaseNotFound(public_id)
    case, organisation = found
    session.info.setdefault(_LOADED_ORGANISATIONS, {})[case.organisation_id] = organisation
    authorise(session, actor, case)
    if record_view:
        _record_view(session, actor, case, now)
    return case


def record_view(session: Session, actor: Actor, case: LegalCase, *, now: datetime) -> None:
    """Record that ``actor`` read ``case`` (a case got with ``record_view=False``); commits."""
    require_aware(now)
    authorise(session, actor, case)
    _record_view(session, actor, case, now)


def _record_view(session: Session, actor: Actor, case: LegalCase, now: datetime) -> None:
    _event(session, case, actor, "case.viewed", now)
    session.commit()
    if session.expire_on_commit:
        session.refresh(case)


def list_cases(
    session: Session,
    actor: Actor,
    *,
    today: date,
    search: str | None = None,
    status: str | None = None,
    deadline_within_days: int | None = None,
    page: int = 1,
    per_page: int = 25,
) -> CasePage:
    """The cases ``actor`` may see, most recently updated first, one page at a time.

    ``search`` matches the reference anywhere, ignoring case (references are pseudonyms, stored
    plain for this). ``deadline_within_days`` keeps cases whose next deadline falls between
    ``today`` and ``today + N`` days. ``per_page`` is capped at ``MAX_PER_PAGE``. The access
    filter restricts by organisation first, so the cost follows the actor's own cases (indexes
    ``(organisation_id, updated_at)`` and ``(organisation_id, next_deadline_on)``). Counting
    stops at ``COUNT_CAP`` matches: ``total`` is then ``COUNT_CAP``, ``pages`` a lower bound and
    ``total_is_exact`` False (show "10,000 or more"; later pages can still be asked for).
    """
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    page = max(1, page)
    conditions = [access.visible_case_filter(actor)]
    if search and search.strip():
        term = search.strip()[:REFERENCE_MAX_LENGTH]
        conditions.append(col(LegalCase.reference).icontains(term, autoescape=True))
    if status is not None:
        if status not in {s.value for s in CaseStatus}:
            raise CaseInputError("status", f"status must be one of: {', '.join(s.value for s in CaseStatus)}")
        conditions.append(col(LegalCase.status) == status)
    if deadline_within_days is not None:
        if deadline_within_days < 0:
            raise CaseInputError("deadline_within_days", "must be zero or more days")
        conditions.append(
            col(LegalCase.next_deadline_on).between(today, today + timedelta(days=deadline_within_days))
        )
    # Counting stops at COUNT_CAP: a list's cost must not grow with an organisation's whole history.
    matching = select(LegalCase.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    counted = session.exec(select(func.count()).select_from(matching)).one()
    total = min(counted, COUNT_CAP)
    items = session.exec(
        select(LegalCase)
        .where(*conditions)
        .order_by(col(LegalCase.updated_at).desc(), col(LegalCase.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return CasePage(
        items=list(items),
        total=total,
        page=page,
        pages=max(1, math.ceil(total / per_page)),
        total_is_exact=counted <= COUNT_CAP,
    )


# --- applications -------------------------------------------------------------------------------


US_STATE_FACT = "us.state"


def workflow_catalogue(case: LegalCase, today: date) -> list[CatalogueEntry]:
    """The workflows in force on ``today`` for the case's country (``GB-ENG`` → ``GB``), with the
    Council of Europe and EU ones whose list of countries includes it."""
    return [
        CatalogueEntry(id=w.id, title=w.title, summary=w.summary, process_kind=w.process_kind)
        for w in default_catalogue().for_country(today, case.jurisdiction)
    ]


def start_application(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    workflow_id: str,
    *,
    now: datetime,
    today: date,
) -> Application:
    """Start an application of ``workflow_id`` (one of :func:`workflow_catalogue`) for the case.

    One application per workflow per case: facts are shared, so a second one would only repeat
    the first. It is evaluated at once against the facts already known, so its progress and next
    deadline show straight away. Raises :class:`ApplicationError`, :class:`AccessDenied`.
    """
    require_aware(now)
    authorise(session, actor, case, access.may_manage)
    entries = {entry.id: entry for entry in workflow_catalogue(case, today)}
    if workflow_id not in entries:
        raise ApplicationError(f"{workflow_id!r} is not available for cases in {case.jurisdiction}.")
    existing = session.exec(
        select(Application.id).where(
            Application.case_id == saved_id(case), Application.workflow_id == workflow_id
        )
    ).first()
    if existing is not None:
        raise ApplicationError(f"This case already has an application for {entries[workflow_id].title}.")
    workflow = default_catalogue().get(workflow_id, today)
    _record_us_state(session, settings, actor, case, workflow, now=now, today=today)
    facts = _engine_facts(session, settings, case)
    try:
        evaluation = evaluate(workflow, facts, today)
    except EvaluationError as exc:
        raise ApplicationError(
            f"The case's answers cannot be evaluated for {workflow.title}: {exc}"
        ) from None
    application = Application(
        case_id=saved_id(case),
        workflow_id=workflow.id,
        workflow_version=workflow.version,
        created_at=now,
        updated_at=now,
    )
    _apply_evaluation(application, evaluation, today, promote=False)
    session.add(application)
    try:
        session.flush()
    except IntegrityError:  # started by another request at the same moment
        session.rollback()
        raise ApplicationError(f"This case already has an application for {workflow.title}.") from None
    session.info.pop(_APPLICATIONS, None)  # the new one joins the case's applications
    _event(session, case, actor, "application.started", now, subject=application.public_id)
    _refresh_case(session, case, now)
    deadlines_service.sync_deadlines(session, case, [application], [evaluation], now)
    session.commit()
    session.refresh(application)
    return application


def _record_us_state(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    workflow: Workflow,
    *,
    now: datetime,
    today: date,
) -> None:
    """A US workflow that asks the state gets it from a case opened in ``US-XX``, unless the
    case already has an answer: the advocate can still change it on the question's page."""
    asks_state = any(q.fact == US_STATE_FACT for q in workflow.questions)
    if not (asks_state and case.jurisdiction.startswith("US-")):
        return
    if US_STATE_FACT in read_facts(session, settings, case):
        return
    change_facts(
        session,
        settings,
        actor,
        case,
        {US_STATE_FACT: case.jurisdiction},
        source=FactSource.ADVOCATE.value,
        now=now,
        today=today,
    )


def list_applications(session: Session, actor: Actor, case: LegalCase) -> list[Application]:
    """The case's applications that ``actor`` may see (a lawyer: those shared), oldest first."""
    return applications_of_cases(session, actor, [case])[saved_id(case)]


def applications_of_cases(
    session: Session, actor: Actor, cases: Sequence[LegalCase]
) -> dict[int, list[Application]]:
    """:func:`list_applications` of many cases at once (a page of the case list), by case id.

    A fixed number of queries whatever the number of cases: one for the applications of them
    all and, for a lawyer, one for their shares (:func:`api.access.case_accesses`).
    :class:`CaseNotFound` if any of the cases is one the actor may not see.
    """
    if not cases:
        return {}
    case_ids = [saved_id(case) for case in cases]
    facts = dict(zip(case_ids, access.case_accesses(session, actor, cases), strict=True))
    for case in cases:
        if not access.may_view(actor, facts[saved_id(case)]):
            raise CaseNotFound(case.public_id)
    visible: dict[int, list[Application]] = {case_id: [] for case_id in case_ids}
    applications = session.exec(
        select(Application).where(col(Application.case_id).in_(case_ids)).order_by(col(Application.id))
    ).all()
    for application in applications:
        if access.may_view_application(actor, facts[application.case_id], saved_id(application)):
            visible[application.case_id].append(application)
    return visible


def get_application(session: Session, actor: Actor, case: LegalCase, public_id: str) -> Application:
    """The application ``public_id`` of ``case``, if ``actor`` may see it.

    :class:`ApplicationNotFound` also when it exists but is not shared with the actor.
    """
    facts = authorise(session, actor, case)
    # All of the case's applications (a handful), kept for the transaction: a change of facts
    # that follows re-evaluates every one of them.
    application = next((a for a in _applications(session, case) if a.public_id == public_id), None)
    if application is None or not access.may_view_application(actor, facts, saved_id(application)):
        raise ApplicationNotFound(public_id)
    return application


def evaluate_application(
    session: Session, settings: Settings, case: LegalCase, application: Application, *, today: date
) -> Evaluation:
    """The engine's result for the application on ``today`` with the case's current facts.

    ``Evaluation.unused`` lists answers on branches the application no longer takes; they stay
    in the table. The caller has checked access (the case came from :func:`get_case`).
    """
    facts = facts_store.current_facts(session, settings, default_fact_dictionary(), case)
    return _evaluate_memo(facts, application, today)


def evaluate_applications(
    session: Session, settings: Settings, case: LegalCase, applications: Sequence[Application], *, today: date
) -> list[Evaluation]:
    """:func:`evaluate_application` for several applications of one case, reading its facts once."""
    facts = _engine_facts(session, settings, case)
    return [evaluate(_workflow_of(application, today), facts, today) for application in applications]


# --- facts --------------------------------------------------------------------------------------


def read_facts(
    session: Session, settings: Settings, case: LegalCase, *, survivor_view: bool = False
) -> dict[str, FactRecord]:
    """The case's current facts, decrypted and typed, by key.

    With ``survivor_view``, only facts the dictionary marks ``survivor_visible``: what a survivor
    may see of their own case. The caller has checked access.
    """
    dictionary = default_fact_dictionary()
    records = facts_store.current_facts(session, settings, dictionary, case).records
    if survivor_view:
        return {key: record for key, record in records.items() if dictionary.get(key).survivor_visible}
    return dict(records)


def read_facts_for(
    session: Session, settings: Settings, actor: Actor, case: LegalCase
) -> dict[str, FactRecord]:
    """The case's facts as ``actor`` may see them: a survivor only the ``survivor_visible`` ones.

    Prefer this to :func:`read_facts` wherever the reader is a person: the filter then follows
    from who they are instead of from a flag each caller must remember.
    """
    authorise(session, actor, case)
    survivor_view = not access.is_caseworker(actor, case.organisation_id) and (
        case.survivor_user_id == actor.user_id
    )
    return read_facts(session, settings, case, survivor_view=survivor_view)


def change_facts(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    raw: Mapping[str, object],
    *,
    source: str,
    now: datetime,
    today: date,
) -> ChangeReport:
    """Set facts of the case from raw JSON-style values (``None`` = "don't know"); all or nothing.

    Every value is validated with the fact dictionary, then the dates are checked for order
    together with the facts already known. If anything is wrong, :class:`FactInputError` names
    every bad field and *nothing* is saved: a half-applied change could leave the applications
    evaluated on a mix of old and new answers.

    Caseworkers may change any fact; the case's survivor only the facts an advocate asked them
    (:func:`api.access.may_answer`), with ``source`` ``survivor``.

    Changed values supersede the current rows (history is kept; nothing is deleted), one
    ``fact.changed`` event per key (the key only, never the value), and every application of the
    case is re-evaluated: progress, next deadline and ``draft`` → ``in_progress`` are updated and
    the report says, per application, what appeared, went or moved. Values equal to the stored
    ones are not changes and write nothing.
    """
    require_aware(now)
    authorise_answers(session, actor, case, raw.keys())
    if source not in {s.value for s in FactSource}:
        raise CaseInputError("source", f"source must be one of: {', '.join(s.value for s in FactSource)}")
    if not access.is_caseworker(actor, case.organisation_id) and source != FactSource.SURVIVOR.value:
        raise AccessDenied("A survivor's own answers are recorded as given by the survivor.")
    dictionary = default_fact_dictionary()
    parsed = _parse_all(dictionary, raw, today)

    known = facts_store.current_facts(session, settings, dictionary, case)
    data_key, rows, current = known.data_key, known.rows, known.records
    before = known.values()
    after = {**before, **parsed}
    try:
        dictionary.check_order(after)
    except FactValueError as exc:
        raise _order_error(dictionary, after, parsed, exc) from None
    changed = [key for key in parsed if key not in current or current[key].value != parsed[key]]

    applications = _applications(session, case)
    workflows = [_workflow_of(application, today) for application in applications]
    evaluations_before = [_evaluate_memo(known, application, today) for application in applications]
    try:
        evaluations_after = [evaluate(w, after, today) for w in workflows]
    except EvaluationError as exc:
        key = changed[0] if changed else next(iter(parsed), LANGUAGE_FACT)
        raise FactInputError(key, str(exc)) from None
    report = ChangeReport(
        changed_keys=tuple(changed),
        applications=tuple(
            compare(application, old, new)
            for application, old, new in zip(applications, evaluations_before, evaluations_after, strict=True)
        ),
    )
    if not changed:
        return report

    # Everything is read and worked out before the first write: on SQLite, the write
    # transaction holds the database's one write lock, for which other answers queue.
    mark_documents_stale(session, saved_id(case), changed)
    deadlines_service.sync_deadlines(session, case, applications, evaluations_after, now)
    changed_set = set(changed)
    application_columns = []
    for application, workflow, evaluation in zip(applications, workflows, evaluations_after, strict=True):
        answered_here = bool(changed_set & {q.fact for q in workflow.questions})
        columns = _evaluated_columns(application, evaluation, today, promote=answered_here)
        if columns or answered_here:
            application_columns.append((application, {**columns, "updated_at": now}))
    new_values = [NewValue(key, parsed[key], source, actor.user_id) for key in changed]
    try:
        facts_store.supersede_and_add(session, dictionary, case, data_key, rows, new_values, now)
    except IntegrityError:  # another request superseded the same fact first (one current row)
        session.rollback()
        raise ConcurrentChange from None
    # Plain statements rather than unit-of-work flushes for what every answer writes (see
    # facts_store.supersede_and_add); the objects in hand are kept in step with them.
    insert_events(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action="fact.changed",
        subjects=changed,
        at=now,
    )
    for application, columns in application_columns:
        _write_columns(session, application, columns)
    _write_columns(session, case, {"next_deadline_on": _next_case_deadline(applications), "updated_at": now})
    try:
        session.commit()
    except IntegrityError:  # another request superseded the same fact first (one current row)
        session.rollback()
        raise ConcurrentChange from None
    return report


# --- internals ----------------------------------------------------------------------------------


def _parse_all(dictionary: FactDictionary, raw: Mapping[str, object], today: date) -> dict[str, object]:
    """Every value typed, or :class:`FactInputError` listing every bad one (nothing saved)."""
    parsed: dict[str, object] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        try:
            parsed[key] = dictionary.parse_value(key, value, today=today)
        except FactValueError as exc:
            errors[key] = exc.reason
    if errors:
        first = next(iter(errors))
        raise FactInputError(first, errors[first], errors=errors)
    return parsed


def _order_error(
    dictionary: FactDictionary, after: Mapping[str, object], parsed: Mapping[str, object], exc: FactValueError
) -> FactInputError:
    """Blame the date being changed, not the stored date it now contradicts."""
    if exc.key in parsed:
        return FactInputError(exc.key, exc.reason)
    later = after.get(exc.key)
    for earlier_key in dictionary.get(exc.key).not_before:
        earlier = parsed.get(earlier_key)
        if isinstance(earlier, date) and isinstance(later, date) and later < earlier:
            label = dictionary.get(exc.key).label.lower()
            message = f"{earlier.isoformat()} is after the {label} ({later.isoformat()}, {exc.key})"
            return FactInputError(earlier_key, message)
    return FactInputError(exc.key, exc.reason)


def _engine_facts(session: Session, settings: Settings, case: LegalCase) -> dict[str, object]:
    """The case's facts as the engine takes them: typed values, None for "don't know"."""
    return facts_store.current_facts(session, settings, default_fact_dictionary(), case).values()


def _evaluate_memo(facts: facts_store.CurrentFacts, application: Application, today: date) -> Evaluation:
    """The application evaluated on ``facts``, once per set of facts (a request asks twice)."""
    key = ("evaluation", application.id, application.workflow_id, application.workflow_version, today)
    found = facts.memo.get(key)
    if found is None:
        found = facts.memo[key] = evaluate(_workflow_of(application, today), facts.values(), today)
    assert isinstance(found, Evaluation)
    return found


def _applications(session: Session, case: LegalCase) -> Sequence[Application]:
    """The case's applications, oldest first; read once per transaction of ``session``."""
    cache: dict[int, Sequence[Application]] = session.info.setdefault(_APPLICATIONS, {})
    found = cache.get(saved_id(case))
    if found is None:
        found = cache[saved_id(case)] = session.exec(
            _APPLICATIONS_OF_CASE, params={"case_id": saved_id(case)}
        ).all()
    return found


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_applications(session: Session) -> None:
    # Another transaction may start an application once this one ends: read them again then.
    session.info.pop(_APPLICATIONS, None)


def _workflow_of(application: Application, today: date) -> Workflow:
    """The definition version the application was started on, or the one in force today if
    that version is no longer shipped."""
    for workflow in default_catalogue():
        if workflow.id == application.workflow_id and workflow.version == application.workflow_version:
            return workflow
    return default_catalogue().get(application.workflow_id, today)


def _apply_evaluation(
    application: Application, evaluation: Evaluation, today: date, *, promote: bool
) -> bool:
    """Cache progress and the next deadline on the application; whether anything changed.

    With ``promote``, a ``draft`` with answers becomes ``in_progress``: when a question of this
    application was just answered, not when it starts or another application's question was
    (answers shared from other applications don't mean anyone has worked on this one yet).
    """
    columns = _evaluated_columns(application, evaluation, today, promote=promote)
    for name, value in columns.items():
        setattr(application, name, value)
    return bool(columns)


def _evaluated_columns(
    application: Application, evaluation: Evaluation, today: date, *, promote: bool
) -> dict[str, object]:
    """The columns :func:`_apply_evaluation` would change, with their new values."""
    new: dict[str, object] = {
        "progress_answered": evaluation.answered,
        "progress_applicable": len(evaluation.applicable),
        "next_deadline_on": next_deadline_on(evaluation, today),
    }
    if promote and application.status == ApplicationStatus.DRAFT.value and evaluation.answered > 0:
        new["status"] = ApplicationStatus.IN_PROGRESS.value
    return {name: value for name, value in new.items() if getattr(application, name) != value}


def _write_columns(session: Session, row: Application | LegalCase, columns: Mapping[str, object]) -> None:
    """Update ``columns`` of ``row`` with one plain statement now (in the caller's transaction),
    and the object in hand with it, without the unit of work's bookkeeping."""
    statement = _UPDATE_APPLICATION if isinstance(row, Application) else _UPDATE_CASE
    session.execute(statement, {"row_id": saved_id(row), **columns})
    for name, value in columns.items():
        set_committed_value(row, name, value)


def _next_case_deadline(applications: Sequence[Application]) -> date | None:
    """The case's next deadline: the earliest of its applications'."""
    return min((a.next_deadline_on for a in applications if a.next_deadline_on is not None), default=None)


def _refresh_case(
    session: Session, case: LegalCase, now: datetime, applications: Sequence[Application] | None = None
) -> None:
    """Set the case's next deadline (the earliest of its applications') and ``updated_at``."""
    if applications is None:
        session.flush()
        applications = _applications(session, case)
    case.next_deadline_on = _next_case_deadline(applications)
    case.updated_at = now
    session.add(case)


def _event(
    session: Session, case: LegalCase, actor: Actor, action: str, now: datetime, *, subject: str | None = None
) -> None:
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action=action,
        subject=subject,
        at=now,
    )


def _case_organisation(actor: Actor, organisation_id: int | None) -> int:
    """The organisation a new case opens in; the actor must be its advocate or admin."""
    if not actor.may_write:
        raise AccessDenied("This API token may only read cases.")
    if organisation_id is not None:
        if not access.is_caseworker(actor, organisation_id):
            raise AccessDenied("Only the organisation's advocates and admins can open cases.")
        return organisation_id
    candidates = [org for org in actor.memberships if access.is_caseworker(actor, org)]
    if not candidates:
        raise AccessDenied("Only an organisation's advocates and admins can open cases.")
    if len(candidates) > 1:
        raise CaseInputError("organisation_id", "Choose the organisation the case belongs to.")
    return candidates[0]


def _clean_reference(reference: str) -> str:
    clean = " ".join(reference.split())
    if not clean:
        raise CaseInputError("reference", "Enter a reference or pseudonym for the case.")
    if len(clean) > REFERENCE_MAX_LENGTH:
        raise CaseInputError(
            "reference",
            f"Use at most {REFERENCE_MAX_LENGTH} characters for the reference ({len(clean)} now).",
        )
    return clean


def _check_language(language: str) -> str:
    options = default_fact_dictionary().get(LANGUAGE_FACT).options
    if language not in options:
        raise CaseInputError("preferred_language", f"Choose one of: {', '.join(options.values())}.")
    return language


def _check_jurisdiction(jurisdiction: str) -> str:
    clean = jurisdiction.strip().upper()
    if not _JURISDICTION_RE.fullmatch(clean):
        raise CaseInputError(
            "jurisdiction", "Enter a jurisdiction code such as GB-ENG, GB-SCT or US-CA (ISO 3166-2)."
        )
    return clean


def _reference_taken(session: Session, organisation_id: int, reference: str) -> bool:
    found = session.exec(
        select(LegalCase.id).where(
            LegalCase.organisation_id == organisation_id, LegalCase.reference == reference
        )
    ).first()
    return found is not None


def _reference_taken_error(reference: str) -> CaseInputError:
    return CaseInputError(
        "reference", f"Your organisation already has a case with the reference {reference!r}. Choose another."
    )
