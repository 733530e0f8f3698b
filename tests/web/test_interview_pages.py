"""The guided interview pages: next question, each kind of answer, errors, check your answers,
changing an answer (and what that changed), and "tell your story once" (all data fictional)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.routing import APIRoute, APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session
from starlette.datastructures import FormData

import web.routes
from api.app import API_PREFIX
from api.auth import service as auth_service
from api.cases import service as cases_service
from api.cases.models import Application, LegalCase
from api.cases.sharing import share_case
from api.orgs.models import User
from api.settings import Settings
from tests.api.cases.builders import CICA_FACTS, World, actor, make_world, new_case
from tests.sql_recording import recorded_statements
from web import change_notice
from web import question_widgets as widgets
from web.app import FIRST_ROUTERS, create_app
from web.identity import SESSION_COOKIE
from workflows.facts import FactSpec, Sensitivity
from workflows.types import FactType, Money

TODAY = date(2026, 11, 22)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture
def fast_settings(migrated_settings: Settings) -> Settings:
    """The test's settings with the cheapest Argon2 (people are created and sign in)."""
    return migrated_settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
    )


@pytest.fixture
def app_client(fast_settings: Settings) -> Iterator[TestClient]:
    """A client on the whole site; it follows no redirects, so each 303 can be checked."""
    with TestClient(create_app(fast_settings), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def world(db_session: Session, fast_settings: Settings) -> World:
    """The organisations and people of :mod:`tests.api.cases.builders`."""
    return make_world(db_session, fast_settings)


def sign_in(client: TestClient, session: Session, settings: Settings, user: User) -> None:
    """Give ``client`` a session of ``user`` (signing in itself is tested with its pages)."""
    token = auth_service.start_session(session, settings, user, datetime.now(UTC))
    client.cookies.set(SESSION_COOKIE, token)


def csrf(client: TestClient, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    response = client.get(url)
    assert response.status_code == 200, response.text
    found = CSRF_FIELD.search(response.text)
    assert found is not None
    return found.group(1)


@dataclass
class Interview:
    """A case with both UK applications, and the advocate's client on it."""

    client: TestClient
    session: Session
    settings: Settings
    world: World
    case: LegalCase
    cica: Application
    nrm: Application

    def base(self, application: Application | None = None) -> str:
        application = application or self.cica
        return f"/cases/{self.case.public_id}/applications/{application.public_id}"

    def question(self, key: str, application: Application | None = None, *, change: bool = False) -> str:
        return f"{self.base(application)}/questions/{key}" + ("?change=1" if change else "")

    def answer(
        self,
        key: str,
        data: dict[str, str | list[str]],
        application: Application | None = None,
        *,
        change: bool = False,
        headers: dict[str, str] | None = None,
    ) -> object:
        url = self.question(key, application, change=change)
        token = csrf(self.client, url)
        return self.client.post(url, data={**data, "csrf_token": token}, headers=headers or {})

    def facts(self) -> dict[str, object]:
        self.session.expire_all()
        records = cases_service.read_facts(self.session, self.settings, self.case)
        return {key: record.value for key, record in records.items()}

    def record(self, key: str) -> object:
        self.session.expire_all()
        return cases_service.read_facts(self.session, self.settings, self.case)[key]

    def seed(self, facts: dict[str, object]) -> None:
        cases_service.change_facts(
            self.session,
            self.settings,
            actor(self.session, self.world.advocate),
            self.case,
            facts,
            source="advocate",
            now=datetime.now(UTC),
            today=TODAY,
        )


@pytest.fixture
def interview(
    app_client: TestClient, db_session: Session, fast_settings: Settings, world: World
) -> Interview:
    case = new_case(db_session, fast_settings, world)
    advocate = actor(db_session, world.advocate)
    now = datetime.now(UTC)
    cica = cases_service.start_application(
        db_session, fast_settings, advocate, case, "uk.cica", now=now, today=TODAY
    )
    nrm = cases_service.start_application(
        db_session, fast_settings, advocate, case, "uk.nrm", now=now, today=TODAY
    )
    sign_in(app_client, db_session, fast_settings, world.advocate)
    return Interview(app_client, db_session, fast_settings, world, case, cica, nrm)


# --- the next question ----------------------------------------------------------------------------


def test_the_application_page_sends_to_the_next_question_then_to_check_answers(interview: Interview) -> None:
    response = interview.client.get(interview.base())

    # The preferred language was given when the case was opened: it is not asked again.
    assert response.status_code == 303
    assert response.headers["location"] == interview.question("person.date_of_birth")

    interview.seed(CICA_FACTS | {"cica.unspent_listed_conviction": False, "cica.injury_physical": True})
    interview.seed({"cica.injury_mental": False, "cica.loss_of_earnings": False})
    interview.seed({"cica.other_compensation": False, "cica.decision_date": None})
    response = interview.client.get(interview.base())

    assert response.status_code == 303
    assert response.headers["location"] == f"{interview.base()}/check-answers"


def test_a_question_page_has_its_heading_hint_why_and_who_sees(interview: Interview) -> None:
    response = interview.client.get(interview.question("incident.date"))

    assert response.status_code == 200
    html = response.text
    assert (
        '<h1 class="label-wrapper"><label for="q-incident-date">Date of the violent incident</label></h1>'
        in html
    )
    assert "For a period of abuse, the date of the last incident." in html
    assert "Why we ask:</strong> The two-year time limit runs from the incident" in html
    assert (
        "Who will see this:</strong> Your organisation&#39;s advocates, and anyone you share the case with"
        in html
    )
    assert "What happened" in html  # the step's title is the caption
    assert 'type="date"' in html
    assert "Save and continue" in html
    assert "Save and come back later" in html
    assert (
        "<title>Date of the violent incident – Criminal injuries compensation (CICA) – Redress</title>"
        in html
    )
    # A question's own "who sees" line replaces the default.
    dob = interview.client.get(interview.question("person.date_of_birth")).text
    assert "Who will see this:</strong> The advocate, and CICA when the claim is made." in dob


def test_grouped_inputs_have_the_question_as_legend(interview: Interview) -> None:
    html = interview.client.get(interview.question("police.reported")).text

    assert '<legend class="page-heading"><h1>Has the crime been reported to the police?</h1></legend>' in html
    for value, label in (("yes", "Yes"), ("no", "No"), ("_unknown", "I don&#39;t know")):
        assert f'value="{value}"' in html
        assert f"<span>{label}</span>" in html


# --- each kind of answer --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "workflow", "data", "expected"),
    [
        ("incident.date", "cica", {"answer": "10/03/2025"}, date(2025, 3, 10)),
        ("incident.date", "cica", {"answer": "2025-03-10"}, date(2025, 3, 10)),
        ("incident.date", "cica", {"answer": "", "dont_know": "1"}, None),
        ("police.reported", "cica", {"answer": "yes"}, True),
        ("police.reported", "cica", {"answer": "no"}, False),
        ("police.reported", "cica", {"answer": "_unknown"}, None),
        ("nrm.rg_decision", "nrm", {"answer": "pending"}, "pending"),
        ("nrm.rg_decision", "nrm", {"answer": "_unknown"}, None),
        ("exploitation.types", "cica", {"answer": ["sexual", "labour"]}, ("sexual", "labour")),
        ("exploitation.types", "cica", {"answer": ["_none"]}, ()),
        ("exploitation.jurisdiction", "cica", {"answer": "GB-SCT", "answer_other": ""}, "GB-SCT"),
        ("exploitation.jurisdiction", "cica", {"answer": "_other", "answer_other": "ro"}, "RO"),
        ("exploitation.jurisdiction", "cica", {"answer": "", "answer_other": "us-ca"}, "US-CA"),
        ("person.nationality", "nrm", {"answer": "AL", "answer_other": ""}, "AL"),
    ],
)
def test_each_kind_of_answer_is_read_and_saved(
    interview: Interview, key: str, workflow: str, data: dict[str, str | list[str]], expected: object
) -> None:
    application = interview.cica if workflow == "cica" else interview.nrm

    response = interview.answer(key, data, application)

    assert response.status_code == 303, response.text
    record = interview.record(key)
    assert record.value == expected
    assert record.is_unknown == (expected is None)
    assert record.source == "advocate"
    assert record.given_by_user_id == interview.world.advocate.id


def test_a_text_answer_is_saved_once_a_question_applies(interview: Interview) -> None:
    interview.seed({"police.reported": True})

    response = interview.answer("police.crime_reference", {"answer": "  OWL-2291-FERN  "})

    assert response.status_code == 303
    assert interview.facts()["police.crime_reference"] == "OWL-2291-FERN"
    # The interview goes on with the first question still unanswered, wherever it is.
    assert response.headers["location"] == interview.question("person.date_of_birth")


def test_a_saved_answer_is_shown_again_on_its_page(interview: Interview) -> None:
    interview.seed({"incident.date": "2025-03-10", "exploitation.types": ["labour"], "police.reported": None})

    assert 'value="2025-03-10"' in interview.client.get(interview.question("incident.date")).text
    types = interview.client.get(interview.question("exploitation.types")).text
    assert re.search(r'value="labour"\s+checked', types)
    assert not re.search(r'value="sexual"\s+checked', types)
    reported = interview.client.get(interview.question("police.reported")).text
    assert re.search(r'value="_unknown"\s+checked', reported)


def test_a_place_not_in_the_list_is_shown_in_the_typed_box(interview: Interview) -> None:
    interview.seed({"exploitation.jurisdiction": "FJ"})

    html = interview.client.get(interview.question("exploitation.jurisdiction")).text

    assert re.search(r'<option value="_other"\s+selected>', html)
    assert 'name="answer_other" value="FJ"' in html
    assert '<option value="GB-SCT">Scotland</option>' in html  # the places the definitions test


# --- errors ---------------------------------------------------------------------------------------


def test_an_impossible_date_is_refused_with_a_linked_summary_and_nothing_is_saved(
    interview: Interview,
) -> None:
    interview.seed({"incident.date": "2025-03-10"})

    response = interview.answer("incident.date", {"answer": "2026-02-30"})

    assert response.status_code == 422
    html = response.text
    assert "There is a problem" in html
    assert (
        '<a href="#q-incident-date">30 February 2026 is not a real date: February 2026 has 28 days</a>'
        in html
    )
    assert 'id="q-incident-date-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="2026-02-30"' in html  # what was typed is kept
    assert "<title>Error: Date of the violent incident" in html
    assert interview.facts()["incident.date"] == date(2025, 3, 10)  # the earlier answer is untouched


@pytest.mark.parametrize(
    ("key", "data", "message"),
    [
        ("incident.date", {"answer": "30/2/2026"}, "30 February 2026 is not a real date"),
        (
            "incident.date",
            {"answer": "31/04/2025"},
            "31 April 2025 is not a real date: April 2025 has 30 days",
        ),
        ("incident.date", {"answer": "12/13/2025"}, "There is no month 13"),
        ("incident.date", {"answer": "next tuesday"}, "Enter a real date, for example 27/3/2024"),
        ("incident.date", {"answer": "01/01/2099"}, "The date must be today or in the past"),
        ("incident.date", {"answer": ""}, "Enter a date"),
        ("police.reported", {}, "Select yes, no or “I don&#39;t know”"),
        ("police.reported", {"answer": "perhaps"}, "Select one of the answers shown"),
        ("exploitation.types", {}, "Select all that apply"),
        ("exploitation.types", {"answer": ["labour", "_none"]}, "Select “None of these” on its own"),
        (
            "exploitation.jurisdiction",
            {"answer": "_other", "answer_other": "England"},
            "two-letter country code",
        ),
    ],
)
def test_bad_answers_get_an_error_and_save_nothing(
    interview: Interview, key: str, data: dict[str, str | list[str]], message: str
) -> None:
    response = interview.answer(key, data)

    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert message in response.text
    assert key not in interview.facts()


def test_the_services_own_checks_are_shown_on_the_field(interview: Interview) -> None:
    # An incident before the date of birth: only the whole case can tell.
    interview.seed({"person.date_of_birth": "1995-04-12"})

    response = interview.answer("incident.date", {"answer": "01/01/1990"})

    assert response.status_code == 422
    assert '<a href="#q-incident-date">1990-01-01 is before the date of birth' in response.text
    assert "incident.date" not in interview.facts()


def test_a_form_without_the_csrf_token_is_refused(interview: Interview) -> None:
    response = interview.client.post(interview.question("incident.date"), data={"answer": "2025-03-10"})

    assert response.status_code == 403
    assert "incident.date" not in interview.facts()


# --- leaving, "I don't know", questions that do not apply ----------------------------------------


def test_save_and_come_back_later_saves_what_is_there_and_goes_to_the_case(interview: Interview) -> None:
    case_page = f"/cases/{interview.case.public_id}"

    empty = interview.answer("incident.date", {"answer": "", "then": "later"})
    typed = interview.answer("police.reported", {"answer": "yes", "then": "later"})

    assert (empty.status_code, empty.headers["location"]) == (303, case_page)
    assert (typed.status_code, typed.headers["location"]) == (303, case_page)
    assert "incident.date" not in interview.facts()
    assert interview.facts()["police.reported"] is True


def test_i_dont_know_moves_the_interview_on(interview: Interview) -> None:
    interview.seed({"person.date_of_birth": "1995-04-12"})

    response = interview.answer("person.british_citizen", {"answer": "_unknown"})

    assert response.headers["location"] == interview.question("exploitation.types")
    assert interview.client.get(interview.base()).headers["location"] == interview.question(
        "exploitation.types"
    )


def test_a_question_that_no_longer_applies_leads_to_the_next_one(interview: Interview) -> None:
    interview.seed({"police.reported": False})

    response = interview.client.get(interview.question("police.first_report_date"))

    assert response.status_code == 303
    assert response.headers["location"] == interview.base()


def test_an_unknown_question_or_a_foreign_case_is_not_found(
    interview: Interview, db_session: Session, fast_settings: Settings
) -> None:
    assert (
        interview.client.get(interview.question("nrm.first_responder_org")).status_code == 404
    )  # not CICA's
    assert interview.client.get(interview.question("no.such_fact")).status_code == 404
    foreign = TestClient(interview.client.app, follow_redirects=False)
    sign_in(foreign, db_session, fast_settings, interview.world.foreign_advocate)
    assert foreign.get(interview.base()).status_code == 404
    assert foreign.get(interview.question("incident.date")).status_code == 404
    assert foreign.get(f"{interview.base()}/check-answers").status_code == 404


# --- htmx -----------------------------------------------------------------------------------------


def test_with_htmx_the_next_question_comes_back_as_a_fragment_with_its_url(interview: Interview) -> None:
    interview.seed({"person.date_of_birth": "1995-04-12"})

    response = interview.answer("person.british_citizen", {"answer": "yes"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == interview.question("exploitation.types")
    assert "<html" not in response.text
    assert "<title>What kinds of exploitation happened?" in response.text
    assert "autofocus" in response.text
    assert interview.facts()["person.british_citizen"] is True


def test_an_htmx_answer_costs_a_few_statements_on_one_connection(interview: Interview) -> None:
    """The interview's answer is the busiest request (issue 3): its budget of statements is
    kept here, so that a change adding a query to every answer is noticed."""
    interview.seed({"person.date_of_birth": "1995-04-12", "person.british_citizen": False})
    url = interview.question("person.british_citizen")
    token = csrf(interview.client, url)
    engine = interview.client.app.state.db_engine  # type: ignore[attr-defined]
    checkouts: list[object] = []

    def on_checkout(*args: object) -> None:
        checkouts.append(args[0])

    event.listen(engine.pool, "checkout", on_checkout)
    try:
        with recorded_statements(engine) as recorded:
            response = interview.client.post(
                url, data={"answer": "yes", "csrf_token": token}, headers={"HX-Request": "true"}
            )
    finally:
        event.remove(engine.pool, "checkout", on_checkout)
    statements = [statement.head for statement in recorded]

    assert response.status_code == 200
    assert "/questions/" in response.headers["HX-Push-Url"]
    # Reads: the session with its user and memberships, the case with its organisation, the
    # applications, the facts, the generated documents' facts, the deadline rows. Writes: the
    # superseded fact, the new fact, the event, the application, the case.
    assert len(statements) <= 11, statements
    writes = sorted(s for s in statements if not s.startswith("SELECT"))
    assert writes == [
        "INSERT INTO case_event",
        "INSERT INTO case_fact",
        "UPDATE application SET",
        "UPDATE case_fact SET",
        "UPDATE legal_case SET",
    ]
    assert len(checkouts) == 1  # one connection: a fragment has no notification bell to count
    assert interview.facts()["person.british_citizen"] is True


@pytest.mark.parametrize("first", FIRST_ROUTERS, ids=lambda router: router.routes[0].path)
def test_no_other_page_has_an_address_of_a_router_tried_first(first: APIRouter) -> None:
    """The interview's and the survivor's status page's routes are tried before every other
    (web.app, for speed): right only while no other page's address is one of theirs. The JSON
    API lives under its own prefix."""
    first_routes = [r for r in first.routes if isinstance(r, APIRoute)]
    assert API_PREFIX.startswith("/api/")
    for module in pkgutil.iter_modules(web.routes.__path__):
        router = getattr(importlib.import_module(f"web.routes.{module.name}"), "router", None)
        if router is None or router is first:
            continue
        for route in router.routes:
            assert isinstance(route, APIRoute), route
            # Every path parameter filled in, as a request for that page would be
            address = re.sub(r"\{[^}]+\}", "x1", route.path)
            for mine in first_routes:
                if mine.methods & route.methods:
                    assert not mine.path_regex.match(address), (route.path, mine.path)


def test_with_htmx_an_error_is_swapped_in_place(interview: Interview) -> None:
    response = interview.answer("incident.date", {"answer": "2026-02-30"}, headers={"HX-Request": "true"})

    assert response.status_code == 200  # htmx swaps only successful responses
    assert "HX-Push-Url" not in response.headers
    assert "<html" not in response.text
    assert "30 February 2026 is not a real date" in response.text


def test_with_htmx_leaving_for_the_case_page_is_a_whole_page_redirect(interview: Interview) -> None:
    response = interview.answer(
        "police.reported", {"answer": "yes", "then": "later"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/cases/{interview.case.public_id}"
    assert interview.facts()["police.reported"] is True


def test_a_history_restore_gets_the_whole_page(interview: Interview) -> None:
    response = interview.client.get(
        interview.question("incident.date"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.text
    assert 'hx-history="false"' in response.text  # never cached in the browser's storage


# --- tell your story once -------------------------------------------------------------------------


def test_answers_given_for_nrm_are_not_asked_again_for_cica(interview: Interview) -> None:
    steps = [
        ("person.date_of_birth", {"answer": "12/04/1995"}),
        ("nrm.possibly_child", {"answer": "no"}),
        ("person.nationality", {"answer": "AL", "answer_other": ""}),
        ("exploitation.jurisdiction", {"answer": "GB-ENG", "answer_other": ""}),
        ("exploitation.types", {"answer": ["labour"]}),
    ]
    for key, data in steps:
        response = interview.answer(key, data, interview.nrm)
        assert response.status_code == 303, (key, response.text)

    response = interview.client.get(interview.base(interview.cica))

    # Date of birth and language are the case's already; the first CICA-only question comes next.
    assert response.headers["location"] == interview.question("person.british_citizen", interview.cica)
    interview.answer("person.british_citizen", {"answer": "yes"}, interview.cica)
    following = interview.client.get(interview.base(interview.cica)).headers["location"]
    assert following == interview.question("incident.date", interview.cica)  # types and place known
    check = interview.client.get(f"{interview.base(interview.cica)}/check-answers").text
    assert "Labour exploitation" in check
    assert "Bea Advocate" in check  # who gave it


# --- check your answers and changing an answer ----------------------------------------------------


def test_check_answers_shows_each_answer_readably_with_change_links(interview: Interview) -> None:
    interview.seed(CICA_FACTS)

    response = interview.client.get(f"{interview.base()}/check-answers")

    assert response.status_code == 200
    html = response.text
    assert "<h1>Check your answers</h1>" in html
    assert "<h2>What happened</h2>" in html
    assert "<h2>The police</h2>" in html
    assert "<dd>10 March 2025" in html
    assert "<dd>Yes" in html
    assert "<dd>Labour exploitation" in html
    assert "<dd>England (GB-ENG)" in html
    assert "<dd>Romanian" in html
    assert "Bea Advocate, " in html
    change_url = interview.question("incident.date", change=True)
    assert (
        f'<a href="{change_url}">Change<span class="visually-hidden"> Date of the violent incident</span></a>'
        in html
    )
    assert "Apply to CICA (two-year limit)" in html
    assert "10 March 2027" in html
    assert "Police crime reference number and details of the report" in html
    assert "question still needs an answer" in html or "questions still need an answer" in html


def test_changing_the_incident_date_shows_the_deadline_moving(interview: Interview) -> None:
    interview.seed(CICA_FACTS)

    response = interview.answer("incident.date", {"answer": "01/06/2025"}, change=True)

    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"{interview.base()}/check-answers?changed=")
    assert change_notice.COOKIE_NAME in response.headers["set-cookie"]
    page = interview.client.get(location).text
    panel = page[page.index("What changed") : page.index("<h1>")]
    assert "You changed the answer to “Date of the violent incident”." in panel
    assert (
        "Deadline moved: Apply to CICA (two-year limit), from 10 March 2027 to <strong>1 June 2027</strong>"
        in panel
    )
    assert interview.facts()["incident.date"] == date(2025, 6, 1)
    # The panel is for this change only: without the nonce it does not show.
    assert "What changed" not in interview.client.get(f"{interview.base()}/check-answers").text
    assert "What changed" not in interview.client.get(f"{interview.base()}/check-answers?changed=x").text


def test_the_change_panel_cannot_be_opened_by_someone_else(
    interview: Interview, db_session: Session, fast_settings: Settings
) -> None:
    interview.seed(CICA_FACTS)
    response = interview.answer("incident.date", {"answer": "01/06/2025"}, change=True)
    location = response.headers["location"]
    sealed = interview.client.cookies.get(change_notice.COOKIE_NAME)
    assert sealed

    admin = TestClient(interview.client.app, follow_redirects=False)
    sign_in(admin, db_session, fast_settings, interview.world.admin)
    admin.cookies.set(
        change_notice.COOKIE_NAME,
        sealed,
        path=change_notice.cookie_path(interview.case.public_id, interview.cica.public_id),
    )

    assert "What changed" not in admin.get(location).text


def test_a_sealed_change_expires_and_cannot_be_altered(interview: Interview) -> None:
    interview.seed(CICA_FACTS)
    report = cases_service.change_facts(
        interview.session,
        interview.settings,
        actor(interview.session, interview.world.advocate),
        interview.case,
        {"incident.date": "2025-06-01"},
        source="advocate",
        now=datetime.now(UTC),
        today=TODAY,
    )
    now = datetime.now(UTC)
    nonce, sealed = change_notice.seal(interview.settings, report, binding="case:app:7", now=now)

    def opened(cookie: str, *, binding: str = "case:app:7", at: datetime = now) -> object:
        return change_notice.open_sealed(interview.settings, cookie, binding=binding, nonce=nonce, now=at)

    notice = opened(sealed)
    assert isinstance(notice, change_notice.ChangeNotice)
    assert notice.applications[0].deadlines_moved[0].new_due == date(2027, 6, 1)
    assert "2027" not in sealed  # ciphertext: no date can be read from the cookie
    assert opened(sealed, at=now + change_notice.LIFETIME + timedelta(seconds=1)) is None
    assert opened(sealed, binding="case:app:8") is None
    altered = sealed[:-2] + ("AA" if not sealed.endswith("AA") else "BB")
    assert opened(altered) is None
    assert opened("not base64 at all!") is None


def test_changing_police_reported_to_no_keeps_the_police_answers_as_unused(interview: Interview) -> None:
    interview.seed(CICA_FACTS)

    response = interview.answer("police.reported", {"answer": "no"}, change=True)
    page = interview.client.get(response.headers["location"]).text

    panel = page[page.index("What changed") : page.index("<h1>")]
    assert "Answer not used now (kept): When was it first reported to the police?" in panel
    assert "Answer not used now (kept): Police crime reference number" in panel
    assert "Now applies: " in panel
    assert "CICA does not pay compensation for a crime that was not reported" in panel
    assert "Evidence no longer needed: Police crime reference number and details of the report" in panel
    unused = page[page.index("<h2>Not used now (kept)</h2>") :]
    assert "When was it first reported to the police?" in unused
    assert "ZEBRA-4471-QUOKKA" in unused
    assert 'Change<span class="visually-hidden"> Police crime reference number' not in page
    facts = interview.facts()  # nothing was deleted
    assert facts["police.first_report_date"] == date(2025, 4, 1)
    assert facts["police.crime_reference"] == "ZEBRA-4471-QUOKKA"


def test_with_htmx_a_change_returns_check_answers_with_the_panel(interview: Interview) -> None:
    interview.seed(CICA_FACTS)

    response = interview.answer(
        "incident.date", {"answer": "2025-06-01"}, change=True, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response.headers["HX-Push-Url"].startswith(f"{interview.base()}/check-answers?changed=")
    assert "<html" not in response.text
    assert "from 10 March 2027 to <strong>1 June 2027</strong>" in response.text
    # The pushed URL shows the same panel after a refresh.
    assert "1 June 2027</strong>" in interview.client.get(response.headers["HX-Push-Url"]).text


def test_the_change_page_goes_back_to_check_answers(interview: Interview) -> None:
    interview.seed(CICA_FACTS)

    html = interview.client.get(interview.question("incident.date", change=True)).text

    assert f'<a href="{interview.base()}/check-answers">Back</a>' in html
    assert f'action="{interview.question("incident.date", change=True)}"' in html


def test_a_lawyer_reads_check_answers_without_change_links_and_cannot_answer(
    interview: Interview, db_session: Session, fast_settings: Settings
) -> None:
    interview.seed(CICA_FACTS)
    share_case(
        db_session,
        actor(db_session, interview.world.advocate),
        interview.case,
        lawyer_user_id=interview.world.lawyer.id or 0,
        now=datetime.now(UTC),
    )
    lawyer = TestClient(interview.client.app, follow_redirects=False)
    sign_in(lawyer, db_session, fast_settings, interview.world.lawyer)

    assert lawyer.get(interview.base()).headers["location"] == f"{interview.base()}/check-answers"
    check = lawyer.get(f"{interview.base()}/check-answers")
    assert check.status_code == 200
    assert "10 March 2025" in check.text
    assert "?change=1" not in check.text
    assert lawyer.get(interview.question("incident.date")).status_code == 403


# --- the widgets on their own (types no definition asks yet) -------------------------------------


def spec(fact_type: FactType, **fields: object) -> FactSpec:
    return FactSpec(
        key="test.fact",
        type=fact_type,
        label="A test question",
        sensitivity=Sensitivity.PERSONAL,
        survivor_visible=True,
        **fields,  # type: ignore[arg-type]
    )


def form(**fields: str) -> FormData:
    return FormData(list(fields.items()))


@pytest.mark.parametrize(
    ("fields", "raw", "error"),
    [
        (
            {"answer_amount": "£1,250.5", "answer_currency": "GBP"},
            {"amount": "1250.5", "currency": "GBP"},
            None,
        ),
        ({"answer_amount": "40", "answer_currency": "EUR"}, {"amount": "40", "currency": "EUR"}, None),
        ({"answer_amount": "lots", "answer_currency": "GBP"}, None, "Enter the amount in numbers"),
        ({"answer_amount": "-3", "answer_currency": "GBP"}, None, "zero or more"),
        ({"answer_amount": "3", "answer_currency": "JPY"}, None, "Choose the currency"),
        ({"answer_amount": "", "answer_currency": "GBP"}, None, "Enter an amount"),
        ({"dont_know": "1"}, None, None),
    ],
)
def test_money_is_read_as_an_amount_and_a_currency(
    fields: dict[str, str], raw: object, error: str | None
) -> None:
    answer = widgets.read_answer(spec(FactType.MONEY), form(**fields), today=TODAY)

    assert answer.raw == raw
    assert (error or "") in (answer.error or "")
    assert bool(answer.error) == (error is not None)
    if error == "Choose the currency":
        assert answer.error_input_id == "q-test-fact-currency"  # the summary links to the select


@pytest.mark.parametrize(
    ("text", "raw", "error"),
    [
        ("12", "12", None),
        ("1,200.5", "1200.5", None),
        ("twelve", None, "Enter a number"),
        ("", None, "Enter a number"),
    ],
)
def test_numbers_are_read_in_figures(text: str, raw: object, error: str | None) -> None:
    answer = widgets.read_answer(spec(FactType.NUMBER), form(answer=text), today=TODAY)

    assert answer.raw == raw
    assert (error or "") in (answer.error or "")
    assert bool(answer.error) == (error is not None)


def test_text_longer_than_the_limit_is_refused_with_the_limit_shown() -> None:
    short = spec(FactType.TEXT, max_length=10)

    answer = widgets.read_answer(short, form(answer="x" * 11), today=TODAY)

    assert answer.error == "Use at most 10 characters (you entered 11)"
    assert widgets.widget_for(short).max_length == 10


def test_answers_are_shown_as_people_read_them() -> None:
    show = widgets.display_answer
    assert show(spec(FactType.DATE), date(2026, 11, 22), is_unknown=False) == "22 November 2026"
    assert show(spec(FactType.BOOL), False, is_unknown=False) == "No"
    assert show(spec(FactType.BOOL), None, is_unknown=True) == "I don't know"
    assert show(spec(FactType.MONEY), Money(Decimal("1250.50"), "GBP"), is_unknown=False) == "£1,250.50"
    assert show(spec(FactType.NUMBER), Decimal("12.50"), is_unknown=False) == "12.5"
    assert show(spec(FactType.LIST, options={"a": "Apple"}), (), is_unknown=False) == "None of these"
    assert show(spec(FactType.ENUM, options={"a": "Apple"}), "a", is_unknown=False) == "Apple"
    assert show(spec(FactType.COUNTRY), "FJ", is_unknown=False) == "FJ"


def test_saved_values_fill_the_inputs_back_in() -> None:
    money = widgets.form_values(spec(FactType.MONEY), Money(Decimal("12.5"), "USD"), is_unknown=False)
    assert money == {"answer_amount": "12.50", "answer_currency": "USD"}
    assert widgets.form_values(spec(FactType.BOOL), None, is_unknown=True) == {"answer": "_unknown"}
    assert widgets.form_values(spec(FactType.DATE), None, is_unknown=True) == {}
    assert widgets.form_values(spec(FactType.LIST, options={"a": "A"}), (), is_unknown=False) == {
        "answer": ("_none",)
    }


# --- what a step records --------------------------------------------------------------------------


def _events(interview: Interview) -> list[tuple[str, str | None]]:
    from sqlmodel import col, select

    from api.audit.models import CaseEvent

    interview.session.expire_all()
    rows = interview.session.exec(
        select(CaseEvent.action, CaseEvent.subject)
        .where(CaseEvent.case_id == interview.case.id)
        .order_by(col(CaseEvent.id))
    ).all()
    return [(action, subject) for action, subject in rows]


def test_an_answer_is_recorded_as_a_change_and_a_refused_one_as_a_view(interview: Interview) -> None:
    url = interview.question("incident.date")
    token = csrf(interview.client, url)
    before = len(_events(interview))

    saved = interview.client.post(url, data={"answer": "2025-03-10", "csrf_token": token})
    assert saved.status_code == 303
    assert _events(interview)[before:] == [("fact.changed", "incident.date")]

    refused = interview.client.post(url, data={"answer": "2026-02-30", "csrf_token": token})
    assert refused.status_code == 422
    same = interview.client.post(url, data={"answer": "2025-03-10", "csrf_token": token})
    assert same.status_code == 303
    # Nothing was written by either, but both read the case: each is recorded as a view.
    assert _events(interview)[before + 1 :] == [("case.viewed", None), ("case.viewed", None)]
