"""Questions an advocate asks the survivor, and the survivor's answers on their own pages.

Staff (the case's advocates and admins):

- ``GET  /cases/{case_id}/survivor-questions``: the questions asked, answered or waiting (with
  the answer and who gave it), a form to ask another (only facts the dictionary marks
  ``ask_survivor``) with an optional note, and a button to withdraw each. Each question shows
  the words the survivor reads (the fact's ``ask``) beside the staff label.
- ``POST /cases/{case_id}/survivor-questions``: ask one.
- ``POST /cases/{case_id}/survivor-questions/{question_id}/withdraw``.

The survivor:

- ``GET  /survivor/questions``: "Questions from your advocate", each answered or waiting.
- ``GET/POST /survivor/questions/{question_id}``: one question per page in their language, in
  the words written to them (the fact's ``ask`` and ``ask_help``, never the staff label), with
  the interview's widgets (``web/templates/interview/widgets.html``), "I don't know", the error
  summary in their language (what they typed is shown again), and "Save and come back later".
  The answer is saved by :func:`api.survivor_questions.service.answer` (through
  ``change_facts``, as theirs).

Addresses carry the question's random id, never the fact key (``exploitation.start_date`` in an
address or the history would say what the person went through); page titles are neutral.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.cases import service as cases_service
from api.cases.errors import ConcurrentChange, FactInputError
from api.cases.models import FactSource, LegalCase
from api.cases.survivor_access import own_case_public_id
from api.deps import SessionDep, SettingsDep
from api.orgs import service as orgs_service
from api.settings import Settings
from api.survivor_questions import service
from web import question_widgets as widgets
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.i18n import N_, chosen_language, translate
from web.identity import Identity, StaffIdentity, SurvivorIdentity, now_utc
from web.rendering import render
from web.routes.cases import today_for
from workflows.facts import FactSpec, Sensitivity

router = APIRouter(include_in_schema=False)

SURVIVOR_QUESTIONS: Final = "/survivor/questions"
THEN_LATER: Final = "later"
NOTE_FIELD_MAX_LENGTH: Final = service.NOTE_MAX_LENGTH + 500  # beyond it, the form is cut
# "Who will see this", for the survivor: where the answer may go follows from its sensitivity.
WHO_SEES_CONFIDENTIAL: Final = N_(
    "Only your advocate and the people who work on your case with them. "
    "It is never written in papers sent to the other side."
)
WHO_SEES: Final = N_(
    "Your advocate and the people who work on your case with them. It may be written in the "
    "papers they send for you, for example to the people who decide your applications."
)
DOES_NOT_FIT: Final = N_(
    "This answer does not fit with something already written down. Check it, or ask your advocate."
)
CHANGED_MEANWHILE: Final = N_("Someone changed this answer at the same moment. Check it and save it again.")


def survivor_question_url(public_id: str) -> str:
    """The page of one question, for the survivor."""
    return f"{SURVIVOR_QUESTIONS}/{public_id}"


def staff_questions_url(case_id: str) -> str:
    """The case's page of questions for the survivor."""
    return f"/cases/{case_id}/survivor-questions"


# --- the survivor ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurvivorQuestionView:
    """One question page, as the interview widgets take it (see ``interview/widgets.html``)."""

    asked: service.AskedQuestion
    widget: widgets.Widget
    values: widgets.FormValues
    why: str
    who_sees: str

    @property
    def shows_as_text(self) -> bool:
        """See :func:`web.question_widgets.shows_as_text`."""
        return widgets.shows_as_text(self.widget, self.values)

    @property
    def post_url(self) -> str:
        """Where the form posts (this page's own address)."""
        return survivor_question_url(self.asked.public_id)


def _own_case(session: Session, identity: Identity) -> LegalCase | None:
    public_id = own_case_public_id(session, identity.actor)
    if public_id is None:
        return None
    return cases_service.get_case(session, identity.actor, public_id, now=now_utc())


def _question_view(
    session: Session,
    settings: Settings,
    identity: Identity,
    case: LegalCase,
    asked: service.AskedQuestion,
    language: str,
    values: widgets.FormValues | None = None,
) -> SurvivorQuestionView:
    spec = asked.spec
    if values is None:
        record = cases_service.read_facts_for(session, settings, identity.actor, case).get(spec.key)
        values = widgets.form_values(spec, record.value, is_unknown=record.is_unknown) if record else {}
    who = WHO_SEES_CONFIDENTIAL if spec.sensitivity is Sensitivity.CONFIDENTIAL else WHO_SEES
    return SurvivorQuestionView(
        asked=asked,
        widget=widgets.survivor_widget(spec, language),
        values=values,
        why=translate(language, spec.why or ""),
        who_sees=translate(language, who),
    )


def _render_question(
    request: Request, view: SurvivorQuestionView, errors: FormErrors, *, status_code: int = 200
) -> Response:
    context = {"q": view, "errors": errors, "fragment": False}
    return render(request, "survivor/question.html", context, status_code=status_code)


@router.get(SURVIVOR_QUESTIONS)
def survivor_questions(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    identity: SurvivorIdentity,
    saved: bool = False,
) -> Response:
    """The questions the survivor's advocate asked them, answered or waiting."""
    case = _own_case(session, identity)
    asked = service.questions(session, settings, identity.actor, case) if case else []
    language = chosen_language(request)
    rows = [(question, translate(language, question.spec.survivor_question)) for question in asked]
    return render(
        request, "survivor/questions.html", {"rows": rows, "saved": saved, "has_case": case is not None}
    )


def _asked_or_404(
    session: Session, settings: Settings, identity: Identity, question_id: str
) -> tuple[LegalCase, service.AskedQuestion]:
    case = _own_case(session, identity)
    if case is None:
        raise HTTPException(status_code=404)
    try:
        return case, service.question(session, settings, identity.actor, case, question_id)
    except service.QuestionNotFound:
        raise HTTPException(status_code=404) from None


@router.get(SURVIVOR_QUESTIONS + "/{question_id}")
def survivor_question(
    request: Request, question_id: str, session: SessionDep, settings: SettingsDep, identity: SurvivorIdentity
) -> Response:
    """One question, in the survivor's language, with their answer so far."""
    case, asked = _asked_or_404(session, settings, identity, question_id)
    view = _question_view(session, settings, identity, case, asked, chosen_language(request))
    return _render_question(request, view, FormErrors())


@router.post(SURVIVOR_QUESTIONS + "/{question_id}", dependencies=[CsrfProtected])
def survivor_answer(
    request: Request,
    question_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: SurvivorIdentity,
    form: FormDep,
) -> Response:
    """Save the survivor's answer; then the next waiting question, or the list. With a problem,
    the same question again with what they entered and the message in their language."""
    case, asked = _asked_or_404(session, settings, identity, question_id)
    language = chosen_language(request)
    now = now_utc()
    today = today_for(session, case.organisation_id, now)
    answer = widgets.read_answer(asked.spec, form, today=today)
    later = form.get("then") == THEN_LATER
    if later and answer.blank:
        return RedirectResponse(SURVIVOR_QUESTIONS, status_code=303)
    errors = FormErrors()
    field = answer.error_input_id or widgets.input_id_of(asked.spec.key)
    if answer.error is not None:
        errors.add(field, widgets.error_in(answer, language) or answer.error)
    else:
        try:
            service.answer(
                session, settings, identity.actor, case, asked.public_id, answer.raw, now=now, today=today
            )
        except FactInputError:
            errors.add(field, translate(language, DOES_NOT_FIT))
        except ConcurrentChange:
            errors.add(field, translate(language, CHANGED_MEANWHILE))
    if errors:
        view = _question_view(session, settings, identity, case, asked, language, values=answer.values)
        return _render_question(request, view, errors, status_code=422)
    if not later:
        waiting = [q for q in service.questions(session, settings, identity.actor, case) if not q.answered]
        if waiting:
            return RedirectResponse(survivor_question_url(waiting[0].public_id), status_code=303)
    return RedirectResponse(SURVIVOR_QUESTIONS + "?saved=1", status_code=303)


# --- staff ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    """One asked question on the staff page."""

    asked: service.AskedQuestion
    asked_by: str
    answer: str | None  # the current answer, once the survivor gave one
    answer_from_survivor: bool

    @property
    def survivor_reads(self) -> str:
        """The question as the survivor reads it (in English)."""
        return self.asked.spec.survivor_question


@dataclass(frozen=True)
class OfferedQuestion:
    """A question the advocate may ask, with what the survivor would read."""

    key: str
    label: str  # for staff
    survivor_reads: str
    survivor_hint: str | None

    @classmethod
    def of(cls, spec: FactSpec) -> OfferedQuestion:
        """The offer of ``spec``'s question."""
        return cls(spec.key, spec.label, spec.survivor_question, spec.ask_help)


def _name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return "Unknown"
    try:
        return orgs_service.get_user(session, user_id).display_name
    except orgs_service.OrgError:
        return "Someone no longer here"


def _staff_page(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    case_id: str,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    asked_one: bool = False,
    status_code: int = 200,
) -> Response:
    case = cases_service.get_case(session, identity.actor, case_id, now=now_utc())
    asked = service.questions(session, settings, identity.actor, case)
    facts = cases_service.read_facts(session, settings, case)
    rows = []
    for question in asked:
        record = facts.get(question.spec.key)
        shown = None
        if question.answered and record is not None:
            shown = widgets.display_answer(question.spec, record.value, is_unknown=record.is_unknown)
        from_survivor = record is not None and record.source == FactSource.SURVIVOR.value
        rows.append(StaffRow(question, _name(session, question.asked_by_user_id), shown, from_survivor))
    taken = {question.spec.key for question in asked}
    context = {
        "case": case,
        "rows": rows,
        "offered": [OfferedQuestion.of(spec) for spec in service.askable_facts() if spec.key not in taken],
        "errors": errors or FormErrors(),
        "values": values or {},
        "asked_one": asked_one,
    }
    return render(request, "cases/survivor_questions.html", context, status_code=status_code)


@router.get("/cases/{case_id}/survivor-questions")
def staff_questions(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    asked: bool = False,
) -> Response:
    """The questions asked of the survivor and the form to ask another (403 for a lawyer)."""
    return _staff_page(request, session, settings, identity, case_id, asked_one=asked)


@router.post("/cases/{case_id}/survivor-questions", dependencies=[CsrfProtected])
def staff_ask(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """Ask the survivor one question; back to the list, or the form with what is wrong."""
    case = cases_service.get_case(session, identity.actor, case_id, record_view=False)
    fact_key = text_field(form, "fact", max_length=200)
    note = text_field(form, "note", max_length=NOTE_FIELD_MAX_LENGTH)
    try:
        service.ask(session, settings, identity.actor, case, fact_key=fact_key, note=note, now=now_utc())
    except service.QuestionInputError as exc:
        errors = FormErrors.of(exc.field, exc.message)
        values = {"fact": fact_key, "note": note}
        return _staff_page(
            request, session, settings, identity, case_id, errors=errors, values=values, status_code=422
        )
    return RedirectResponse(staff_questions_url(case_id) + "?asked=1", status_code=303)


@router.post("/cases/{case_id}/survivor-questions/{question_id}/withdraw", dependencies=[CsrfProtected])
def staff_withdraw(case_id: str, question_id: str, session: SessionDep, identity: StaffIdentity) -> Response:
    """Withdraw a question: the survivor no longer sees it or may answer it."""
    case = cases_service.get_case(session, identity.actor, case_id, record_view=False)
    try:
        service.withdraw(session, identity.actor, case, question_id, now=now_utc())
    except service.QuestionNotFound:
        raise HTTPException(status_code=404) from None
    return RedirectResponse(staff_questions_url(case_id), status_code=303)
