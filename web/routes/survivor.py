"""The survivor's pages: starting with an access code, signing in and out, and their simple view.

- ``GET/POST /survivor/start``: the access code from their advocate, a first name or codename,
  and a passphrase chosen twice. The account is made (:func:`api.cases.survivor_access.redeem_access_code`),
  the survivor is signed in, and ``/survivor?welcome=1`` shows the sign-in name made for them,
  to write down, before their view. Wrong, used and expired codes all get one message.
- ``GET/POST /survivor/sign-in``: sign-in name and passphrase
  (:func:`api.auth.service.authenticate_survivor`, throttled like staff sign-in).
- ``GET /survivor``: their own case only, in plain words: per application what it is for,
  where it stands, what happens next, the dates that matter, what to bring, and who to contact.
  Only answers the fact dictionary marks ``survivor_visible`` are ever shown
  (:func:`api.cases.service.read_facts_for` filters them for a survivor). A date an advocate
  entered from a letter wins over the computed one. It is the page a survivor opens most, so
  it is cheap: one statement reads the case and everything the view needs, the view is
  checked and recorded (:func:`api.cases.survivor_status.read_own_case`), and what the engine
  and the answers give it is kept per process until the facts, the applications or the day
  change (:data:`_DERIVED`).
- ``POST /survivor/sign-out``.

Safety (``reference/anchors.md`` §7): page titles and headings are neutral (nothing about the
process a person is going through, in case someone else sees the screen or the history), and
every page has an "Exit this page" button to a neutral site. The full quick exit (Shift pressed
three times, clearing the session first) comes in a later issue. A survivor never reaches staff
pages: they need a staff session (:data:`web.identity.StaffIdentity`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from api.access import Actor
from api.auth import service as auth_service
from api.cases import service as cases_service
from api.cases.checks import saved_id
from api.cases.errors import AccessCodeError, AccessCodeThrottled, CaseInputError
from api.cases.models import ApplicationStatus, LegalCase
from api.cases.schemas import FactRecord
from api.cases.survivor_access import redeem_access_code
from api.cases.survivor_status import DerivedMemo, OwnApplication, OwnCase, read_own_case
from api.contact_preferences.safe_times import BAD_HOUR, SafeTimes
from api.contact_preferences.service import (
    ContactInputError,
    ContactPreferences,
    preferences_for,
    save_preferences,
)
from api.deps import SessionDep, SettingsDep
from api.orgs.models import NAME_MAX_LENGTH, User
from api.reminders import notifications
from api.reminders.planning import organisation_zone
from api.settings import Settings
from web import question_widgets as widgets
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.i18n import LANGUAGES, N_, chosen_language
from web.identity import (
    Identity,
    OptionalIdentity,
    SurvivorIdentity,
    clear_session_cookie,
    now_utc,
    safe_next,
    set_session_cookie,
)
from web.rendering import render
from workflows.engine import Evaluation
from workflows.facts import default_fact_dictionary
from workflows.schema import ProcessKind

router = APIRouter(include_in_schema=False)

HOME: Final = "/survivor"
SIGN_IN: Final = "/survivor/sign-in"
# A site that shows nothing personal, as the GOV.UK "Exit this page" component suggests.
EXIT_URL: Final = "https://www.bbc.co.uk/weather"
CODE_MAX_LENGTH: Final = 60
PASSPHRASE_MAX_LENGTH: Final = 1000
SIGN_IN_NAME_FIELD_MAX_LENGTH: Final = 100
NEXT_MAX_LENGTH: Final = 2000
WORKING_ON_IT: Final = N_("Your advocate is working on this.")
TOO_MANY_ATTEMPTS: Final = N_("Too many attempts. Wait a few minutes, then try again.")
MORE_QUESTIONS: Final = N_("Your advocate will ask you a few more questions.")

NextQuery = Annotated[str | None, Query(max_length=NEXT_MAX_LENGTH)]

# Every text below is an English msgid, translated where it is shown (web.i18n, the templates).
# Headings say what an application does for the person, never the name of the process.
NEUTRAL_HEADINGS: Final = {
    ProcessKind.COMPENSATION: N_("A claim for money for the harm done to you"),
    ProcessKind.REFLECTION: N_("Support and time to recover"),
    ProcessKind.IMMIGRATION: N_("Your right to stay"),
    ProcessKind.SUPPORT: N_("Support"),
    ProcessKind.LEGAL_AID: N_("Help with the cost of legal advice"),
}
# What each kind of application is for, in plain words (the definitions' summaries are for staff).
PLAIN_PURPOSE: Final = {
    ProcessKind.COMPENSATION: N_("To ask for money for the harm that was done to you."),
    ProcessKind.REFLECTION: N_(
        "To have what happened to you recognised, so that you get support, a safe place to stay "
        "and time to recover."
    ),
    ProcessKind.IMMIGRATION: N_("To ask for permission to stay in the country."),
    ProcessKind.SUPPORT: N_("To get support while you recover."),
    ProcessKind.LEGAL_AID: N_("To get help with paying for legal advice."),
}
PLAIN_STATUS: Final = {
    ApplicationStatus.DRAFT: N_("Not started yet"),
    ApplicationStatus.IN_PROGRESS: N_("Your advocate is preparing it"),
    ApplicationStatus.READY_FOR_REVIEW: N_("Being checked before it is sent"),
    ApplicationStatus.CHANGES_REQUESTED: N_("Being corrected before it is sent"),
    ApplicationStatus.APPROVED: N_("Ready to send"),
    ApplicationStatus.FILED: N_("Sent: waiting for a decision"),
    ApplicationStatus.DECIDED: N_("A decision has been made"),
    ApplicationStatus.REVIEW_APPEAL: N_("The decision is being challenged"),
    ApplicationStatus.CLOSED: N_("Finished"),
}


# --- what the survivor sees -----------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationSummary:
    """One application, as the survivor reads it."""

    heading: str
    purpose: str
    status: str
    next_step: str
    dates: tuple[tuple[str, date], ...]  # (what, when), soonest first
    to_bring: tuple[str, ...]


@dataclass(frozen=True)
class SurvivorView:
    """Everything on the survivor's page; ``has_case`` False when no case is linked (any more)."""

    name: str
    has_case: bool
    advocate: str | None
    applications: tuple[ApplicationSummary, ...]
    answers: tuple[tuple[str, str], ...]  # (question, answer), survivor-visible facts only
    unread_messages: int = 0  # the advocates' messages not read yet
    questions_waiting: int = 0  # the advocate's questions not answered yet
    questions_asked: int = 0  # the advocate's questions, answered or not


@dataclass(frozen=True)
class _Derived:
    """What one application's evaluation gives the page (the same for every view of the same
    facts, workflow version and day)."""

    heading: str
    purpose: str
    next_step: str
    deadlines: tuple[tuple[str, str, date], ...]  # (rule id, label, due) as the engine computed them
    to_bring: tuple[str, ...]


# What the engine and the answers give the status page, kept per process by the case's
# derived key (:attr:`api.cases.survivor_status.OwnCase.derived_key`): a repeat view of
# unchanged facts on the same day skips decryption and evaluation. Statuses and the dates
# entered from letters are read on every view, never kept.
_DERIVED: Final[DerivedMemo[tuple[dict[int, _Derived], tuple[tuple[str, str], ...]]]] = DerivedMemo()


def _derived(evaluation: Evaluation) -> _Derived:
    dictionary = default_fact_dictionary()
    workflow = evaluation.workflow
    next_key = evaluation.next_question
    next_step = WORKING_ON_IT
    if next_key is not None and dictionary.get(next_key).survivor_visible:
        next_step = MORE_QUESTIONS
    return _Derived(
        heading=NEUTRAL_HEADINGS.get(workflow.process_kind, N_("Your application")),
        purpose=PLAIN_PURPOSE.get(workflow.process_kind, WORKING_ON_IT),
        next_step=next_step,
        deadlines=tuple((deadline.id, deadline.label, deadline.due) for deadline in evaluation.deadlines),
        to_bring=tuple(rule.label for rule, certain in evaluation.checklist if certain),
    )


def _summary(own: OwnCase, application: OwnApplication, derived: _Derived) -> ApplicationSummary:
    # A date a person entered from a letter wins over the computed one (and stays when the rule
    # no longer applies, as it does for reminders).
    entered = {d.rule_id: d for d in own.entered_dates if d.application_id == application.id}
    dates = [
        (label, entered.pop(rule).due if rule in entered else due) for rule, label, due in derived.deadlines
    ]
    dates += [(d.label, d.due) for d in entered.values()]
    try:
        plain_status = PLAIN_STATUS[ApplicationStatus(application.status)]
    except ValueError:
        plain_status = WORKING_ON_IT
    return ApplicationSummary(
        heading=derived.heading,
        purpose=derived.purpose,
        status=plain_status,
        next_step=derived.next_step,
        # Only what is still ahead, with its label and date: the legal basis is for the advocate.
        dates=tuple(sorted(((label, due) for label, due in dates if due >= own.today), key=lambda d: d[1])),
        to_bring=derived.to_bring,
    )


def _answers(facts: dict[str, FactRecord]) -> tuple[tuple[str, str], ...]:
    dictionary = default_fact_dictionary()
    shown = []
    for key in dictionary:  # the dictionary's order: the person's details first
        record = facts.get(key)
        spec = dictionary.get(key)
        if record is None or not spec.survivor_visible:  # read_facts_for filtered already; twice is safe
            continue
        shown.append((spec.label, widgets.display_answer(spec, record.value, is_unknown=record.is_unknown)))
    return tuple(shown)


def _derive(
    session: Session, settings: Settings, actor: Actor, own: OwnCase
) -> tuple[dict[int, _Derived], tuple[tuple[str, str], ...]]:
    """Decrypt and evaluate: what :data:`_DERIVED` keeps for ``own.derived_key`` (the
    applications' part by application id)."""
    wanted = {a.id for a in own.applications}
    # Exactly the applications of the key (one started since that read waits for the next view).
    applications = [
        a for a in cases_service.list_applications(session, actor, own.case) if saved_id(a) in wanted
    ]
    evaluations = cases_service.evaluate_applications(
        session, settings, own.case, applications, today=own.today
    )
    facts = cases_service.read_facts_for(session, settings, actor, own.case)
    derived = {saved_id(a): _derived(e) for a, e in zip(applications, evaluations, strict=True)}
    return derived, _answers(facts)


def _survivor_view(session: Session, settings: Settings, identity: Identity) -> SurvivorView:
    """The survivor's own case (a survivor account belongs to one case), read as them."""
    actor = identity.actor
    # Checked by the access policy and recorded in the case's audit trail, like every read.
    own = read_own_case(session, actor, now=now_utc())
    if own is None:
        return SurvivorView(identity.user.display_name, False, None, (), ())
    derived, answers = _DERIVED.get(own.derived_key, lambda: _derive(session, settings, actor, own))
    summaries = tuple(
        _summary(own, application, derived[application.id])
        for application in own.applications
        if application.id in derived  # not one that went while the page was being made
    )
    return SurvivorView(
        name=identity.user.display_name,
        has_case=True,
        advocate=own.advocate_name,
        applications=summaries,
        answers=answers,
        unread_messages=own.unread_messages,
        questions_waiting=own.questions_waiting,
        questions_asked=own.questions_asked,
    )


# --- helpers --------------------------------------------------------------------------------------


def _sign_in_as(
    session: Session, settings: Settings, identity: Identity | None, user: User, target: str
) -> Response:
    """Sign the browser in as ``user`` (a fresh session; any earlier one on it ends)."""
    now = now_utc()
    if identity is not None:
        auth_service.end_session(session, identity.token, now)
    token = auth_service.start_session(session, settings, user, now)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, token, settings)
    return response


def _survivor_next(next_path: str | None) -> str:
    """Where to go after sign-in: a survivor page asked for, else their view."""
    target = safe_next(next_path, HOME)
    return (
        target if target == HOME or target.startswith(HOME + "/") or target.startswith(HOME + "?") else HOME
    )


# --- start with an access code --------------------------------------------------------------------


@router.get("/survivor/start")
def start_form(request: Request, identity: OptionalIdentity) -> Response:
    """The form to start with an access code (a signed-in survivor goes to their view)."""
    if identity is not None and identity.is_survivor:
        return RedirectResponse(HOME, status_code=303)
    return render(request, "survivor/start.html", {"values": {}, "errors": FormErrors()})


@router.post("/survivor/start", dependencies=[CsrfProtected])
def start(
    request: Request, session: SessionDep, settings: SettingsDep, identity: OptionalIdentity, form: FormDep
) -> Response:
    """Redeem the code, make the account, sign in, and show the sign-in name once."""
    code = text_field(form, "code", max_length=CODE_MAX_LENGTH)
    name = text_field(form, "display_name", max_length=NAME_MAX_LENGTH + 1)
    passphrase = text_field(form, "passphrase", strip=False, max_length=PASSPHRASE_MAX_LENGTH)
    again = text_field(form, "passphrase_again", strip=False, max_length=PASSPHRASE_MAX_LENGTH)
    errors = FormErrors()
    if not code:
        errors.add("code", N_("Enter the access code your advocate gave you"))
    if not name:
        errors.add("display_name", N_("Enter a first name, or any name you would like us to use"))
    if not passphrase:
        errors.add("passphrase", N_("Choose a passphrase"))
    elif passphrase != again:
        errors.add(
            "passphrase_again", N_("The two passphrases are not the same. Type it again in both boxes")
        )
    if not errors:
        try:
            user = redeem_access_code(
                session, settings, code=code, passphrase=passphrase, display_name=name, now=now_utc()
            )
        except AccessCodeThrottled:  # its message counts minutes; the survivor's is translatable
            errors.add("code", TOO_MANY_ATTEMPTS)
        except AccessCodeError as exc:  # wrong, used or expired: one message (web.survivor_texts)
            errors.add("code", exc.message)
        except CaseInputError as exc:
            errors.add(exc.field if exc.field in ("passphrase", "display_name") else "code", exc.message)
    if errors:
        values = {"code": code, "display_name": name}
        return render(request, "survivor/start.html", {"values": values, "errors": errors}, status_code=422)
    return _sign_in_as(session, settings, identity, user, HOME + "?welcome=1")


# --- sign in and out ------------------------------------------------------------------------------


@router.get("/survivor/sign-in")
def sign_in_form(
    request: Request,
    identity: OptionalIdentity,
    next: NextQuery = None,
    signed_out: Annotated[bool, Query()] = False,
) -> Response:
    """The survivor's sign-in form (a signed-in survivor goes straight on)."""
    if identity is not None and identity.is_survivor:
        return RedirectResponse(_survivor_next(next), status_code=303)
    context = {"values": {}, "errors": FormErrors(), "next": next, "signed_out": signed_out}
    return render(request, "survivor/sign_in.html", context)


@router.post("/survivor/sign-in", dependencies=[CsrfProtected])
def sign_in(
    request: Request, session: SessionDep, settings: SettingsDep, identity: OptionalIdentity, form: FormDep
) -> Response:
    """Check the sign-in name and passphrase; sign in."""
    name = text_field(form, "sign_in_name", max_length=SIGN_IN_NAME_FIELD_MAX_LENGTH)
    passphrase = text_field(form, "passphrase", strip=False, max_length=PASSPHRASE_MAX_LENGTH)
    next_path = text_field(form, "next", max_length=NEXT_MAX_LENGTH) or None
    errors = FormErrors()
    if not name:
        errors.add("sign_in_name", N_("Enter your sign-in name"))
    if not passphrase:
        errors.add("passphrase", N_("Enter your passphrase"))
    if not errors:
        try:
            user = auth_service.authenticate_survivor(
                session, settings, sign_in_name=name, passphrase=passphrase, now=now_utc()
            )
        except auth_service.ThrottledError:
            errors.add("sign_in_name", TOO_MANY_ATTEMPTS)
        except auth_service.AuthError as exc:
            errors.add("sign_in_name", exc.message)
    if errors:
        context = {"values": {"sign_in_name": name}, "errors": errors, "next": next_path}
        return render(request, "survivor/sign_in.html", context, status_code=422)
    return _sign_in_as(session, settings, identity, user, _survivor_next(next_path))


@router.post("/survivor/sign-out", dependencies=[CsrfProtected])
def sign_out(session: SessionDep, identity: OptionalIdentity) -> Response:
    """End this browser's session; back to the (neutral) sign-in page."""
    if identity is not None:
        auth_service.end_session(session, identity.token, now_utc())
    response = RedirectResponse(SIGN_IN + "?signed_out=1", status_code=303)
    clear_session_cookie(response)
    return response


# --- the survivor's view --------------------------------------------------------------------------


@router.get("/survivor")
def home(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    identity: SurvivorIdentity,
    welcome: Annotated[bool, Query()] = False,
) -> Response:
    """Their own case in plain words; just after starting, first their sign-in name."""
    if welcome and identity.user.sign_in_name:
        return render(request, "survivor/welcome.html", {"sign_in_name": identity.user.sign_in_name})
    # The notices first: the view's commit is then the last database work of a repeat view, so
    # the connection goes back to the pool before the page is rendered, not after.
    notices = notifications.latest(session, identity.actor.user_id, limit=5)
    view = _survivor_view(session, settings, identity)
    return render(request, "survivor/home.html", {"view": view, "date_notices": notices})


# --- the survivor's contact preferences -------------------------------------------------------------

CONTACT_PATH: Final = "/survivor/contact-preferences"
CHOOSE_YES_OR_NO: Final = N_("Choose yes or no.")
# The form's language field is not called "language": the header's language switcher has that id.
MESSAGE_LANGUAGE_FIELD: Final = "message_language"


def _own_case(session: Session, identity: Identity) -> LegalCase | None:
    found = cases_service.list_cases(session, identity.actor, today=now_utc().date(), per_page=1).items
    return found[0] if found else None


def _contact_page(
    request: Request,
    preferences: ContactPreferences | None,
    *,
    time_zone: str = "",
    errors: FormErrors | None = None,
    saved: bool = False,
) -> Response:
    context = {
        "preferences": preferences,
        # Each language named in itself, as the switcher does; not "languages", which the
        # switcher in the header reads.
        "message_languages": list(LANGUAGES.items()),
        "hours": [(str(hour), f"{hour:02d}:00") for hour in range(24)],
        "time_zone": time_zone,
        "errors": errors or FormErrors(),
        "saved": saved,
    }
    return render(request, "survivor/contact.html", context, status_code=422 if errors else 200)


@router.get(CONTACT_PATH)
def contact_preferences(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    identity: SurvivorIdentity,
    saved: str | None = None,
) -> Response:
    """Whether and how the person wants reminders of their dates."""
    case = _own_case(session, identity)
    if case is None:
        return _contact_page(request, None)
    current = preferences_for(session, settings, identity.actor, case, now=now_utc())
    if current == ContactPreferences():
        # Nothing chosen yet: offer the language they read these pages in, not English.
        current = replace(current, language=chosen_language(request))
    zone = str(organisation_zone(session, case.organisation_id))
    return _contact_page(request, current, time_zone=zone, saved=saved == "1")


@router.post(CONTACT_PATH, dependencies=[CsrfProtected])
def save_contact_preferences(
    request: Request, session: SessionDep, settings: SettingsDep, identity: SurvivorIdentity, form: FormDep
) -> Response:
    """Save the person's choices; on a problem, the form again with what they chose."""
    from_hour, until_hour = _hour_field(form, "safe_from"), _hour_field(form, "safe_until")
    tampered = _NOT_AN_HOUR in (from_hour, until_hour)
    chosen = ContactPreferences(
        reminders_opt_in=text_field(form, "reminders") == "yes",
        email=text_field(form, "email", max_length=400),
        email_safe=text_field(form, "email_safe") == "yes",
        in_app_safe=text_field(form, "in_app_safe") == "yes",
        name=text_field(form, "name", max_length=200),
        org_name_allowed=text_field(form, "org_name") == "yes",
        language=text_field(form, MESSAGE_LANGUAGE_FIELD, max_length=10),
        safe_times=SafeTimes(
            None if tampered else from_hour,
            None if tampered else until_hour,
            weekdays_only=text_field(form, "weekdays_only") == "yes",
        ),
    )
    case = _own_case(session, identity)
    if case is None:
        return _contact_page(request, None)
    zone = str(organisation_zone(session, case.organisation_id))
    if text_field(form, "reminders") not in {"yes", "no"}:
        errors = FormErrors.of("reminders", CHOOSE_YES_OR_NO)
        return _contact_page(request, chosen, time_zone=zone, errors=errors)
    if tampered:
        return _contact_page(request, chosen, time_zone=zone, errors=FormErrors.of("safe_from", BAD_HOUR))
    try:
        save_preferences(session, settings, identity.actor, case, chosen, now=now_utc())
    except ContactInputError as exc:
        field = MESSAGE_LANGUAGE_FIELD if exc.field == "language" else exc.field
        return _contact_page(request, chosen, time_zone=zone, errors=FormErrors.of(field, exc.message))
    return RedirectResponse(CONTACT_PATH + "?saved=1", status_code=303)


_NOT_AN_HOUR: Final = -1


def _hour_field(form: FormData, name: str) -> int | None:
    """A whole hour from a time list; None for "Any time", :data:`_NOT_AN_HOUR` if tampered with."""
    value = text_field(form, name, max_length=4)
    if not value:
        return None
    return int(value) if value.isdigit() and int(value) <= 23 else _NOT_AN_HOUR
