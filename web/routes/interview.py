"""The guided interview: one question per page, "check your answers", and changing an answer.

Pages (``{case_id}`` and ``{application_id}`` are public ids):

- ``GET  /cases/{case_id}/applications/{application_id}`` redirects to the next question the
  engine asks, or to "check your answers" when none is left: the interview resumes wherever
  it was left, by anyone, on any device.
- ``GET  …/questions/{fact_key}`` asks one question, with its answer so far filled in.
  ``POST`` saves it through :func:`api.cases.service.change_facts` and redirects (303) to the
  next question. With ``?change=1`` (the "Change" links) it returns to "check your answers"
  instead, with a "What changed" panel (:mod:`web.change_notice` explains how that report
  crosses the redirect).
- ``GET  …/check-answers`` lists every answer in use, by step, with who gave it and when and a
  "Change" link; answers on branches no longer taken are listed apart as "Not used now (kept)";
  then the outcomes, deadlines and evidence as they stand.

Facts belong to the case, so a question answered for one application is never asked again for
another: the engine skips it, and "check your answers" shows it where this application uses it.

Plain forms work without JavaScript (Post/Redirect/Get: refresh and back never re-send an
answer). With htmx the form posts in place and the answer is the next page's main block (the
next question, or "check your answers") with ``HX-Push-Url`` set to that page's real URL, so
back, forward and refresh behave as without it. The interview's container is marked
``hx-history="false"``: htmx then never copies a page of answers into the browser's local
storage for its history cache, and asks the server again instead.

Interviewing through an interpreter, the advocate can show each question also in the case's
preferred language, beside the English (:mod:`web.interpreter`).

Who: staff who may change the case's answers (its organisation's advocates and admins) answer
questions; a lawyer the application is shared with may read "check your answers" (without
"Change" links); survivors use their own simple view (:mod:`web.routes.survivor`) and are sent
to sign in as staff here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Final

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api import access
from api.cases import service as cases_service
from api.cases.errors import AccessDenied, ConcurrentChange, FactInputError
from api.cases.models import Application, FactSource, LegalCase
from api.cases.schemas import ChangeReport, FactRecord
from api.deps import SessionDep, SettingsDep
from api.orgs import service as orgs_service
from api.settings import Settings
from web import change_notice, interpreter
from web import question_widgets as widgets
from web.forms import CsrfProtected, FormDep, FormErrors
from web.identity import Identity, StaffIdentity, now_utc, require_staff
from web.rendering import is_htmx, render
from web.routes.cases import today_for
from workflows.engine import Evaluation
from workflows.facts import default_fact_dictionary
from workflows.model import Question, Step, Workflow

router = APIRouter(include_in_schema=False)

APPLICATION_PATH: Final = "/cases/{case_id}/applications/{application_id}"
QUESTION_BLOCK: Final = "question"
CHECK_ANSWERS_BLOCK: Final = "check_answers"
DEFAULT_WHO_SEES: Final = "Your organisation's advocates, and anyone you share the case with"
THEN_LATER: Final = "later"  # the "Save and come back later" button's value (field ``then``)
NONCE_MAX_LENGTH: Final = 32

ChangeQuery = Annotated[bool, Query()]
ChangedQuery = Annotated[str | None, Query(max_length=NONCE_MAX_LENGTH)]


# --- addresses ------------------------------------------------------------------------------------


def application_url(case_id: str, application_id: str) -> str:
    """The interview's entry: redirects to the next question or to "check your answers"."""
    return f"/cases/{case_id}/applications/{application_id}"


def question_url(case_id: str, application_id: str, fact_key: str, *, change: bool = False) -> str:
    """The page of one question (``change``: return to "check your answers" after saving)."""
    url = f"{application_url(case_id, application_id)}/questions/{fact_key}"
    return f"{url}?change=1" if change else url


def check_answers_url(case_id: str, application_id: str, *, changed: str | None = None) -> str:
    """The "check your answers" page (``changed``: the nonce of a "What changed" panel)."""
    url = f"{application_url(case_id, application_id)}/check-answers"
    return f"{url}?changed={changed}" if changed else url


# --- what the pages show --------------------------------------------------------------------------


@dataclass(frozen=True)
class Interview:
    """The case and application a request is about, and today's date where the case is worked."""

    case: LegalCase
    application: Application
    today: date

    def question_url(self, fact_key: str, *, change: bool = False) -> str:
        """See :func:`question_url`."""
        return question_url(self.case.public_id, self.application.public_id, fact_key, change=change)

    def check_answers_url(self, *, changed: str | None = None) -> str:
        """See :func:`check_answers_url`."""
        return check_answers_url(self.case.public_id, self.application.public_id, changed=changed)

    @property
    def case_url(self) -> str:
        """The case's task list."""
        return f"/cases/{self.case.public_id}"


@dataclass(frozen=True)
class QuestionView:
    """One question page."""

    interview: Interview
    workflow: Workflow
    step: Step
    question: Question
    widget: widgets.Widget
    values: widgets.FormValues
    change: bool
    back_url: str
    position: int  # 1-based, among the questions that apply now
    applicable: int

    @property
    def post_url(self) -> str:
        """Where the form posts (this page's own address)."""
        return self.interview.question_url(self.question.fact, change=self.change)

    @property
    def who_sees(self) -> str:
        """The question's "who will see this" line."""
        return self.question.who_sees or DEFAULT_WHO_SEES

    @property
    def why(self) -> str:
        """The question's "why we ask" line."""
        return self.question.why

    @property
    def shows_as_text(self) -> bool:
        """See :func:`web.question_widgets.shows_as_text`."""
        return widgets.shows_as_text(self.widget, self.values)


@dataclass(frozen=True)
class AnswerRow:
    """One answer on "check your answers"."""

    label: str
    answer: str
    given_by: str
    given_at: datetime
    change_url: str | None
    from_survivor: bool = False  # the person answered it on their own pages


@dataclass(frozen=True)
class StepAnswers:
    """The answers of one step."""

    title: str
    rows: tuple[AnswerRow, ...]


@dataclass(frozen=True)
class CheckAnswersView:
    """The "check your answers" page."""

    interview: Interview
    evaluation: Evaluation
    steps: tuple[StepAnswers, ...]
    unused: tuple[AnswerRow, ...]
    may_change: bool
    notice: change_notice.ChangeNotice | None
    remaining: int  # questions that apply and have no answer yet ("I don't know" is an answer)

    @property
    def title(self) -> str:
        """The application's title."""
        return self.evaluation.workflow.title

    @property
    def continue_url(self) -> str:
        """Where the remaining questions start."""
        return application_url(self.interview.case.public_id, self.interview.application.public_id)


# --- loading --------------------------------------------------------------------------------------


def _open(
    session: Session, identity: Identity, case_id: str, application_id: str, *, record_view: bool = True
) -> Interview:
    """The case and application, if the person may see them (else 404, via the services)."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now, record_view=record_view)
    application = cases_service.get_application(session, identity.actor, case, application_id)
    return Interview(case, application, today_for(session, case.organisation_id, now))


def _open_question(
    session: Session,
    settings: Settings,
    identity: Identity,
    case_id: str,
    application_id: str,
    fact_key: str,
    *,
    record_view: bool = True,
) -> tuple[Interview, Evaluation]:
    """The interview and its evaluation today, for someone who may answer ``fact_key`` there.

    404 for a fact the application never asks; 403 for someone who may only read the case.
    """
    interview = _open(session, identity, case_id, application_id, record_view=record_view)
    if not access.can_edit_facts(session, identity.actor, interview.case):
        raise AccessDenied("Only the organisation's advocates and admins can answer the questions.")
    evaluation = cases_service.evaluate_application(
        session, settings, interview.case, interview.application, today=interview.today
    )
    _find_question(evaluation.workflow, fact_key)
    return interview, evaluation


def _find_question(workflow: Workflow, fact_key: str) -> tuple[Step, Question]:
    for step in workflow.steps:
        for question in step.questions:
            if question.fact == fact_key:
                return step, question
    raise HTTPException(status_code=404)


def _next_url(interview: Interview, evaluation: Evaluation) -> str:
    if evaluation.next_question is None:
        return interview.check_answers_url()
    return interview.question_url(evaluation.next_question)


def _question_view(
    interview: Interview,
    evaluation: Evaluation,
    facts: dict[str, FactRecord],
    fact_key: str,
    *,
    change: bool,
    values: widgets.FormValues | None = None,
) -> QuestionView:
    step, question = _find_question(evaluation.workflow, fact_key)
    spec = default_fact_dictionary().get(fact_key)
    if values is None:
        record = facts.get(fact_key)
        values = (
            widgets.form_values(spec, record.value, is_unknown=record.is_unknown)
            if record is not None
            else {}
        )
    applicable = list(evaluation.applicable)
    position = applicable.index(fact_key) + 1 if fact_key in applicable else 0
    if change:
        back_url = interview.check_answers_url()
    elif position > 1:
        back_url = interview.question_url(applicable[position - 2])
    else:
        back_url = interview.case_url
    return QuestionView(
        interview=interview,
        workflow=evaluation.workflow,
        step=step,
        question=question,
        widget=widgets.widget_for(spec),
        values=values or {},
        change=change,
        back_url=back_url,
        position=position,
        applicable=len(applicable),
    )


def _display_names(session: Session, user_ids: set[int | None]) -> dict[int, str]:
    names = {}
    for user_id in user_ids:
        if user_id is None:
            continue
        try:
            names[user_id] = orgs_service.get_user(session, user_id).display_name
        except orgs_service.OrgError:  # an account erased since: the answer stays
            names[user_id] = "Someone no longer here"
    return names


def _check_answers_view(
    session: Session,
    interview: Interview,
    evaluation: Evaluation,
    facts: dict[str, FactRecord],
    *,
    may_change: bool,
    notice: change_notice.ChangeNotice | None,
) -> CheckAnswersView:
    dictionary = default_fact_dictionary()
    names = _display_names(session, {record.given_by_user_id for record in facts.values()})
    applicable = set(evaluation.applicable)

    def row(key: str, *, changeable: bool) -> AnswerRow:
        record = facts[key]
        spec = dictionary.get(key)
        by = names.get(record.given_by_user_id or -1, "Unknown")
        return AnswerRow(
            label=spec.label,
            answer=widgets.display_answer(spec, record.value, is_unknown=record.is_unknown),
            given_by=by,
            given_at=record.given_at,
            change_url=interview.question_url(key, change=True) if changeable and may_change else None,
            from_survivor=record.source == FactSource.SURVIVOR.value,
        )

    steps = []
    for step in evaluation.workflow.steps:
        rows = tuple(
            row(q.fact, changeable=True) for q in step.questions if q.fact in applicable and q.fact in facts
        )
        if rows:
            steps.append(StepAnswers(step.title, rows))
    unused = tuple(row(key, changeable=False) for key in evaluation.unused if key in facts)
    return CheckAnswersView(
        interview=interview,
        evaluation=evaluation,
        steps=tuple(steps),
        unused=unused,
        may_change=may_change,
        notice=notice,
        remaining=sum(1 for key in evaluation.applicable if key not in facts),
    )


# --- rendering ------------------------------------------------------------------------------------


def _render_question(
    request: Request, view: QuestionView, errors: FormErrors, *, status_code: int = 200
) -> Response:
    fragment = is_htmx(request)
    if fragment and errors:
        status_code = 200  # htmx swaps only successful answers: the page with its errors is one
    case = view.interview.case
    spec = default_fact_dictionary().get(view.question.fact)
    context = {
        "q": view,
        "errors": errors,
        "fragment": fragment,
        "interpreter": interpreter.view_for(request, case.preferred_language, spec, view.post_url),
    }
    response = render(
        request, "interview/question.html", context, status_code=status_code, block=QUESTION_BLOCK
    )
    interpreter.remember(
        request, response, application_url(case.public_id, view.interview.application.public_id)
    )
    return response


def _render_check_answers(request: Request, view: CheckAnswersView) -> Response:
    return render(
        request,
        "interview/check_answers.html",
        {"c": view, "fragment": is_htmx(request)},
        block=CHECK_ANSWERS_BLOCK,
    )


def _go(request: Request, url: str) -> Response:
    """Go to ``url`` as a whole page: a 303, or for htmx an ``HX-Redirect`` (a redirect that
    the browser's XHR followed by itself would put a whole page inside the interview's box)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _binding(interview: Interview, identity: Identity) -> str:
    return f"{interview.case.public_id}:{interview.application.public_id}:{identity.actor.user_id}"


def _set_notice_cookie(response: Response, settings: Settings, interview: Interview, value: str) -> None:
    response.set_cookie(
        change_notice.COOKIE_NAME,
        value,
        max_age=int(change_notice.LIFETIME.total_seconds()),
        path=change_notice.cookie_path(interview.case.public_id, interview.application.public_id),
        httponly=True,
        secure=settings.environment == "production",
        samesite="strict",
    )


def _after_change(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    interview: Interview,
    report: ChangeReport,
) -> Response:
    """Back to "check your answers", with what the change did (see :mod:`web.change_notice`)."""
    nonce, sealed = change_notice.seal(settings, report, binding=_binding(interview, identity), now=now_utc())
    url = interview.check_answers_url(changed=nonce)
    if is_htmx(request):
        evaluation = _evaluation_of(report, interview)
        facts = cases_service.read_facts(session, settings, interview.case)
        view = _check_answers_view(
            session,
            interview,
            evaluation,
            facts,
            may_change=True,
            notice=change_notice.notice_from_report(report),
        )
        response = _render_check_answers(request, view)
        response.headers["HX-Push-Url"] = url
    else:
        response = RedirectResponse(url, status_code=303)
    _set_notice_cookie(response, settings, interview, sealed)
    return response


def _next_page(
    request: Request, session: Session, settings: Settings, interview: Interview, after: Evaluation
) -> Response:
    """After an answer: a 303 to the next question (or "check your answers"); for htmx, that
    page's main block at once, with its address pushed to the browser's history."""
    url = _next_url(interview, after)
    if not is_htmx(request):
        return RedirectResponse(url, status_code=303)
    if after.next_question is None:
        facts = cases_service.read_facts(session, settings, interview.case)
        view = _check_answers_view(session, interview, after, facts, may_change=True, notice=None)
        response = _render_check_answers(request, view)
    else:
        # The engine's next question is one without an answer among the facts it was given
        # (the case's facts just saved), so it has no answer to fill in: no need to read and
        # decrypt the case's facts again for it.
        question = _question_view(interview, after, {}, after.next_question, change=False)
        response = _render_question(request, question, FormErrors())
    response.headers["HX-Push-Url"] = url
    return response


def _evaluation_of(report: ChangeReport, interview: Interview) -> Evaluation:
    for changes in report.applications:
        if changes.application_public_id == interview.application.public_id:
            return changes.evaluation
    raise RuntimeError("the change report has no evaluation of this application")


# --- routes ---------------------------------------------------------------------------------------


@router.get(APPLICATION_PATH)
def resume(
    case_id: str,
    application_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
) -> Response:
    """Go to the next question, or to "check your answers" when none is left (or for readers)."""
    interview = _open(session, identity, case_id, application_id)
    if not access.can_edit_facts(session, identity.actor, interview.case):
        return RedirectResponse(interview.check_answers_url(), status_code=303)
    evaluation = cases_service.evaluate_application(
        session, settings, interview.case, interview.application, today=interview.today
    )
    return RedirectResponse(_next_url(interview, evaluation), status_code=303)


@router.get(APPLICATION_PATH + "/questions/{fact_key}")
def question_page(
    request: Request,
    case_id: str,
    application_id: str,
    fact_key: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    change: ChangeQuery = False,
) -> Response:
    """One question, with the answer so far. A question that does not apply now (an earlier
    answer took the interview elsewhere) leads on to the next one that does."""
    interview, evaluation = _open_question(session, settings, identity, case_id, application_id, fact_key)
    if fact_key not in evaluation.applicable:
        return RedirectResponse(application_url(case_id, application_id), status_code=303)
    facts = cases_service.read_facts(session, settings, interview.case)
    view = _question_view(interview, evaluation, facts, fact_key, change=change)
    return _render_question(request, view, FormErrors())


@router.post(APPLICATION_PATH + "/questions/{fact_key}", dependencies=[CsrfProtected])
def answer_question(
    request: Request,
    case_id: str,
    application_id: str,
    fact_key: str,
    session: SessionDep,
    settings: SettingsDep,
    form: FormDep,
    change: ChangeQuery = False,
) -> Response:
    """Save the answer (all or nothing) and go on; with errors, the same question again.

    "Save and come back later" with nothing entered saves nothing and goes back to the case.
    """
    # Staff only, as StaffIdentity would check, but in this route's own worker thread: every
    # answer comes here, and a dependency would hand over to a thread of its own first.
    identity = require_staff(request, session, settings)
    # The answer is recorded as a change of its own; only an answer that changes nothing is
    # recorded as a view (below), so a step costs one write transaction, not two.
    interview, evaluation = _open_question(
        session, settings, identity, case_id, application_id, fact_key, record_view=False
    )
    if fact_key not in evaluation.applicable:
        return _go(request, application_url(case_id, application_id))
    spec = default_fact_dictionary().get(fact_key)
    answer = widgets.read_answer(spec, form, today=interview.today)
    later = form.get("then") == THEN_LATER
    if later and answer.blank:
        return _go(request, interview.case_url)
    errors = FormErrors()
    if answer.error is not None:
        errors.add(answer.error_input_id or widgets.input_id_of(fact_key), answer.error)
    else:
        try:
            report = cases_service.change_facts(
                session,
                settings,
                identity.actor,
                interview.case,
                {fact_key: answer.raw},
                source=FactSource.ADVOCATE.value,
                now=now_utc(),
                today=interview.today,
            )
        except FactInputError as exc:
            errors.add(widgets.input_id_of(fact_key), _sentence(exc.errors.get(fact_key, exc.message)))
        except ConcurrentChange as exc:
            errors.add(widgets.input_id_of(fact_key), str(exc))
    if errors or not report.changed_keys:
        cases_service.record_view(session, identity.actor, interview.case, now=now_utc())
    if errors:
        facts = cases_service.read_facts(session, settings, interview.case)
        view = _question_view(interview, evaluation, facts, fact_key, change=change, values=answer.values)
        return _render_question(request, view, errors, status_code=422)
    if later:
        return _go(request, interview.case_url)
    if change:
        return _after_change(request, session, settings, identity, interview, report)
    return _next_page(request, session, settings, interview, _evaluation_of(report, interview))


@router.get(APPLICATION_PATH + "/check-answers")
def check_answers(
    request: Request,
    case_id: str,
    application_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    changed: ChangedQuery = None,
) -> Response:
    """Every answer in use with a "Change" link, the unused ones kept apart, and where the
    application stands; after a change, what it did (when ``changed`` matches the cookie)."""
    interview = _open(session, identity, case_id, application_id)
    evaluation = cases_service.evaluate_application(
        session, settings, interview.case, interview.application, today=interview.today
    )
    facts = cases_service.read_facts_for(session, settings, identity.actor, interview.case)
    notice = change_notice.open_sealed(
        settings,
        request.cookies.get(change_notice.COOKIE_NAME),
        binding=_binding(interview, identity),
        nonce=changed,
        now=now_utc(),
    )
    view = _check_answers_view(
        session,
        interview,
        evaluation,
        facts,
        may_change=access.can_edit_facts(session, identity.actor, interview.case),
        notice=notice,
    )
    return _render_check_answers(request, view)


def _sentence(message: str) -> str:
    """A service's message as a sentence for the error summary."""
    return message[:1].upper() + message[1:] if message else message
