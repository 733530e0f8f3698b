"""Staff pages of cases: the case list, a new case, the case's task list (with the comments on
the case, posted through :mod:`web.routes.comments`), starting an application and issuing a
survivor's access code.

The routes parse the request, call the cases services (which check access: another
organisation's case is :class:`~api.cases.errors.CaseNotFound`, a 404) and render. What a person
may do on a case (start applications, share, issue codes) comes from :mod:`api.access`, so a
lawyer sees the same page without the controls they may not use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Final
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api import access
from api.cases import comments as comments_service
from api.cases import service as cases_service
from api.cases import survivor_access
from api.cases.checks import saved_id
from api.cases.errors import AccessDenied, ApplicationError, CaseInputError
from api.cases.models import Application, CaseStatus, LegalCase
from api.cases.schemas import CatalogueEntry
from api.cases.status import STAFF_CHOICES
from api.deps import SessionDep, SettingsDep
from api.orgs.models import DEFAULT_TIMEZONE, Organisation
from api.settings import Settings
from web.european_countries import EUROPEAN_COUNTRY_NAMES
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.identity import Identity, StaffIdentity, now_utc
from web.rendering import is_htmx, render
from web.routes.messages import messages_context
from web.routes.survivor_data import deletion_context
from web.routes.survivor_evidence import evidence_context
from workflows.catalogue import default_catalogue
from workflows.engine import Evaluation
from workflows.facts import default_fact_dictionary

router = APIRouter(include_in_schema=False)

PER_PAGE: Final = 25
DEADLINE_WINDOWS: Final = (7, 30, 90)
# The jurisdictions a case can be opened in: the UK's nations, and the US states we have met.
JURISDICTIONS: Final = (
    (
        "United Kingdom",
        (
            ("GB-ENG", "England"),
            ("GB-WLS", "Wales"),
            ("GB-SCT", "Scotland"),
            ("GB-NIR", "Northern Ireland"),
        ),
    ),
    (
        "United States",
        (
            ("US-CA", "California"),
            ("US-FL", "Florida"),
            ("US-IL", "Illinois"),
            ("US-NY", "New York"),
            ("US-TX", "Texas"),
            ("US-WA", "Washington"),
        ),
    ),
)
JurisdictionGroups = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


@cache
def jurisdiction_groups() -> JurisdictionGroups:
    """:data:`JURISDICTIONS`, then the countries where only Council of Europe and EU workflows
    apply (from the definitions' ``applies_in``), by name."""
    codes = {code for workflow in default_catalogue() for code in workflow.applies_in} - {"GB"}
    european = sorted(((c, EUROPEAN_COUNTRY_NAMES.get(c, c)) for c in codes), key=lambda pair: pair[1])
    return (*JURISDICTIONS, ("Other countries (Council of Europe, EU)", tuple(european)))


@cache
def jurisdiction_names() -> dict[str, str]:
    """Every jurisdiction a case can be opened in, code to name."""
    return {code: name for _, group in jurisdiction_groups() for code, name in group}


LANGUAGE_FACT: Final = "person.preferred_language"
SEARCH_MAX_LENGTH: Final = 60
PAGE_DIGITS: Final = 9


@cache
def language_options() -> tuple[tuple[str, str], ...]:
    """The choices of ``person.preferred_language``, as (code, name) pairs."""
    return tuple(default_fact_dictionary().get(LANGUAGE_FACT).options.items())


@cache
def workflow_titles() -> dict[str, str]:
    """Every workflow's title by id (any version: the titles of one workflow do not change)."""
    return {workflow.id: workflow.title for workflow in default_catalogue()}


def timezone_of(session: Session, organisation_id: int) -> str:
    """The IANA time zone the organisation works in (times are shown on its clock)."""
    organisation = session.get(Organisation, organisation_id)
    return organisation.timezone if organisation is not None else DEFAULT_TIMEZONE


def today_for(session: Session, organisation_id: int, now: datetime) -> date:
    """Today's date where the organisation works (deadlines fall on its calendar days)."""
    return now.astimezone(ZoneInfo(timezone_of(session, organisation_id))).date()


def _home_organisation(identity: Identity) -> int | None:
    """The organisation whose calendar the person's lists use: their first caseworker one, or any."""
    memberships = identity.actor.memberships
    for organisation_id in memberships:
        if access.is_caseworker(identity.actor, organisation_id):
            return organisation_id
    return next(iter(memberships), None)


def _may_open_cases(identity: Identity) -> bool:
    return any(access.is_caseworker(identity.actor, org) for org in identity.actor.memberships)


# --- the case list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseListFilters:
    """The case list's query, as understood (unknown values fall back to "all")."""

    q: str = ""
    status: str = ""
    deadline_within: int | None = None

    @property
    def active(self) -> bool:
        """Whether anything narrows the list."""
        return bool(self.q or self.status or self.deadline_within is not None)

    def url(self, page: int = 1) -> str:
        """The list's address with these filters on ``page`` (for pagination links)."""
        query: dict[str, str | int] = {}
        if self.q:
            query["q"] = self.q
        if self.status:
            query["status"] = self.status
        if self.deadline_within is not None:
            query["deadline_within"] = self.deadline_within
        if page > 1:
            query["page"] = page
        return "/cases" + (f"?{urlencode(query)}" if query else "")


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list."""

    case: LegalCase
    applications: list[Application]


def _filters(q: str | None, status: str | None, deadline_within: str | None) -> CaseListFilters:
    window = int(deadline_within) if deadline_within and deadline_within.isdigit() else None
    return CaseListFilters(
        q=" ".join((q or "").split())[:SEARCH_MAX_LENGTH],
        status=status if status in {s.value for s in CaseStatus} else "",
        deadline_within=window if window in DEADLINE_WINDOWS else None,
    )


@router.get("/cases")
def case_list(
    request: Request,
    session: SessionDep,
    identity: StaffIdentity,
    q: str | None = None,
    status: str | None = None,
    deadline_within: str | None = None,
    page: str | None = None,
    erased: str | None = None,
) -> Response:
    """The cases the person may see, searched, filtered and one page at a time (``erased``: just
    after a case was erased, a notice says so).

    Odd query values (typed into the address bar, or from an old link) fall back to "all"
    rather than failing. An htmx request (the filter form, the page links) gets only the ``case_list`` block.
    """
    filters = _filters(q, status, deadline_within)
    page_number = int(page) if page and page.isdigit() and len(page) <= PAGE_DIGITS and int(page) > 0 else 1
    home = _home_organisation(identity)
    today = today_for(session, home, now_utc()) if home is not None else now_utc().date()
    result = cases_service.list_cases(
        session,
        identity.actor,
        today=today,
        search=filters.q or None,
        status=filters.status or None,
        deadline_within_days=filters.deadline_within,
        page=page_number,
        per_page=PER_PAGE,
    )
    # One query for the whole page's applications, not one per case.
    applications = cases_service.applications_of_cases(session, identity.actor, result.items)
    rows = [CaseRow(case, applications[saved_id(case)]) for case in result.items]
    context = {
        "result": result,
        "rows": rows,
        "filters": filters,
        "deadline_windows": DEADLINE_WINDOWS,
        "may_open_cases": _may_open_cases(identity),
        "titles": workflow_titles(),
        "htmx": is_htmx(request),
        "erased": erased == "1",
    }
    return render(request, "cases/list.html", context, block="case_list")


# --- a new case -----------------------------------------------------------------------------------


def _new_case_page(
    request: Request, values: dict[str, str], errors: FormErrors, status_code: int = 200
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "languages": language_options(),
        "jurisdictions": jurisdiction_groups(),
    }
    return render(request, "cases/new.html", context, status_code=status_code)


@router.get("/cases/new")
def new_case_form(request: Request, identity: StaffIdentity) -> Response:
    """The form to open a case (advocates and admins)."""
    _require_caseworker(identity)
    return _new_case_page(request, {"jurisdiction": "GB-ENG", "preferred_language": "en"}, FormErrors())


@router.post("/cases/new", dependencies=[CsrfProtected])
def new_case(
    request: Request, session: SessionDep, settings: SettingsDep, identity: StaffIdentity, form: FormDep
) -> Response:
    """Open the case and go to its task list; on a problem, the form again with what was typed."""
    _require_caseworker(identity)
    values = {
        "reference": text_field(form, "reference", max_length=200),
        "preferred_language": text_field(form, "preferred_language", max_length=20),
        "jurisdiction": text_field(form, "jurisdiction", max_length=20),
    }
    errors = FormErrors()
    if not values["reference"]:
        errors.add("reference", "Enter a reference or pseudonym for the case.")
    if values["preferred_language"] not in dict(language_options()):
        errors.add("preferred_language", "Choose the language the person prefers.")
    if values["jurisdiction"] not in jurisdiction_names():
        errors.add("jurisdiction", "Choose where the case will be dealt with.")
    if not errors:
        try:
            case = cases_service.create_case(
                session,
                settings,
                identity.actor,
                reference=values["reference"],
                preferred_language=values["preferred_language"],
                jurisdiction=values["jurisdiction"],
                now=now_utc(),
            )
        except CaseInputError as exc:
            # The organisation's choice ("organisation_id") has no field here: show it at the top.
            errors.add(exc.field if exc.field in values else "reference", exc.message)
        else:
            return RedirectResponse(f"/cases/{case.public_id}", status_code=303)
    return _new_case_page(request, values, errors, status_code=422)


def _require_caseworker(identity: Identity) -> None:
    if not _may_open_cases(identity):
        raise AccessDenied("Only advocates and administrators can open cases.")


# --- the case's task list -------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationView:
    """One application on the task list, with the engine's verdict for today."""

    application: Application
    title: str
    evaluation: Evaluation

    @property
    def complete(self) -> bool:
        """Whether every applicable question is answered."""
        return self.evaluation.next_question is None


WHOLE_CASE: Final = ""  # the comment form's value for "about the whole case"


def _comments_context(
    session: Session,
    settings: Settings,
    identity: Identity,
    case: LegalCase,
    views: list[ApplicationView],
    comment_values: dict[str, str] | None,
) -> dict[str, object]:
    """The comments the person may read, and the comment form: what they may comment on (the
    whole case, if they see it all, then each application they see) and what was typed."""
    actor = identity.actor
    facts = access.case_access(session, actor, case)
    targets = [(WHOLE_CASE, "The whole case")] if access.may_view_whole_case(actor, facts) else []
    targets += [(view.application.public_id, view.title) for view in views]
    may_read = access.may_read_comments(actor, facts)
    return {
        "comments": comments_service.list_comments(session, settings, actor, case) if may_read else [],
        "may_read_comments": may_read,
        "may_comment": access.may_comment(actor, facts) and bool(targets),
        "comment_targets": targets,
        "comment_values": comment_values
        or {"body": "", "application_id": targets[0][0] if targets else WHOLE_CASE},
        "comment_max_length": comments_service.BODY_MAX_LENGTH,
    }


def render_case_page(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    case_id: str,
    *,
    errors: FormErrors | None = None,
    extra: dict[str, object] | None = None,
    comment_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The case's task list (also with a refused form's ``errors`` and what was typed in the
    comment form, ``comment_values``), as the person may see it: a lawyer sees only the
    applications shared with them and the comments on those, and never the management controls."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    today = today_for(session, case.organisation_id, now)
    applications = cases_service.list_applications(session, identity.actor, case)
    titles = workflow_titles()
    views = [
        ApplicationView(
            application,
            titles.get(application.workflow_id, application.workflow_id),
            cases_service.evaluate_application(session, settings, case, application, today=today),
        )
        for application in applications
    ]
    may_manage = access.can_manage_case(session, identity.actor, case)
    started = {application.workflow_id for application in applications}
    catalogue: list[CatalogueEntry] = (
        [e for e in cases_service.workflow_catalogue(case, today) if e.id not in started]
        if may_manage
        else []
    )
    context = {
        "case": case,
        "today": today,
        "timezone": timezone_of(session, case.organisation_id),
        "applications": views,
        "titles": titles,
        **_comments_context(session, settings, identity, case, views, comment_values),
        "catalogue": catalogue,
        "may_manage": may_manage,
        "status_choices": [(s.value, s.value.replace("_", " ").capitalize()) for s in STAFF_CHOICES],
        "may_share": access.can_share(session, identity.actor, case),
        "may_edit_facts": access.can_edit_facts(session, identity.actor, case),
        **evidence_context(session, settings, identity, case),  # issue 6: uploaded files
        **messages_context(session, settings, identity, case),  # issue 6: messages with the survivor
        **deletion_context(session, settings, identity, case),  # issue 6: the survivor's deletion request
        "jurisdiction_name": jurisdiction_names().get(case.jurisdiction, case.jurisdiction),
        "language_name": dict(language_options()).get(case.preferred_language, case.preferred_language),
        "errors": errors or FormErrors(),
        **(extra or {}),
    }
    return render(request, "cases/task_list.html", context, status_code=status_code)


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    started: str | None = None,
) -> Response:
    """The case as a task list: each application's status, progress, next step, outcomes,
    evidence and deadlines. ``started`` names an application just started (for the notice)."""
    return render_case_page(request, session, settings, identity, case_id, extra={"started": started})


@router.post("/cases/{case_id}/applications", dependencies=[CsrfProtected])
def start_application(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """Start the chosen workflow on the case, then show the task list with it."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    # Before reading the form: someone who may only read the case gets 403, not a form error.
    if not access.can_manage_case(session, identity.actor, case):
        raise AccessDenied("Only the case's advocates and administrators can start applications.")
    workflow_id = text_field(form, "workflow_id", max_length=100)
    errors = FormErrors()
    if not workflow_id:
        errors.add("workflow_id", "Choose the application to start.")
    else:
        try:
            application = cases_service.start_application(
                session,
                settings,
                identity.actor,
                case,
                workflow_id,
                now=now,
                today=today_for(session, case.organisation_id, now),
            )
        except ApplicationError as exc:
            errors.add("workflow_id", str(exc))
        else:
            return RedirectResponse(
                f"/cases/{case_id}?started={application.public_id}#application-{application.public_id}",
                status_code=303,
            )
    return render_case_page(request, session, settings, identity, case_id, errors=errors, status_code=422)


@router.post("/cases/{case_id}/access-code", dependencies=[CsrfProtected])
def issue_access_code(
    request: Request, case_id: str, session: SessionDep, settings: SettingsDep, identity: StaffIdentity
) -> Response:
    """Issue a one-time access code for the case's survivor and show it, this once."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    code = survivor_access.issue_access_code(session, settings, identity.actor, case, now=now)
    context = {
        "case": case,
        "code": code,
        "expires_at": now + timedelta(hours=settings.access_code_hours),
        "hours": settings.access_code_hours,
    }
    return render(request, "cases/access_code.html", context)
