"""The case list, a new case, the case's task list, starting applications and access codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.access import actor_for
from api.cases import service
from api.cases.models import Application, LegalCase, SurvivorAccessCode
from api.cases.sharing import share_case
from api.settings import Settings
from tests.api.cases.builders import CICA_FACTS, PASSWORD, World, id_of, new_case, start
from tests.web.staff_pages import csrf_token, error_summary, location, post_form, sign_in
from web.templating import long_date

ADVOCATE = "bea@harbour.example"
LAWYER = "cal@harbour.example"
FOREIGN_ADVOCATE = "dee@northgate.example"


@pytest.fixture
def advocate(site: TestClient, world: World) -> TestClient:
    """The site, signed in as the home organisation's advocate."""
    sign_in(site, ADVOCATE, PASSWORD)
    return site


def set_facts(
    session: Session, settings: Settings, world: World, case: LegalCase, facts: dict[str, object]
) -> None:
    now = datetime.now(UTC)
    service.change_facts(
        session,
        settings,
        actor_for(session, world.advocate),
        case,
        facts,
        source="advocate",
        now=now,
        today=now.date(),
    )


def references(html: str) -> list[str]:
    return re.findall(r'<td><a href="/cases/[0-9a-f]{32}">([^<]+)</a>', html)


# --- the case list --------------------------------------------------------------------------------


def test_the_case_list_shows_reference_applications_deadline_and_update(
    advocate: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world, "Case Kestrel")
    start(db_session, fast, world, case, "uk.cica")
    set_facts(db_session, fast, world, case, dict(CICA_FACTS))
    db_session.refresh(case)

    page = advocate.get("/cases")

    assert page.status_code == 200
    assert references(page.text) == ["Case Kestrel"]
    assert "Criminal injuries compensation (CICA)" in page.text
    assert ">In progress</strong>" in page.text
    assert case.next_deadline_on is not None
    assert long_date(case.next_deadline_on) in page.text  # "10 March 2027"
    assert long_date(case.updated_at) in page.text
    assert "<h2>1 case</h2>" in page.text


def test_search_and_filters_narrow_the_list_and_survive_in_the_page_links(
    advocate: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    for number in range(30):
        new_case(db_session, fast, world, f"Heron {number:02d}")
    new_case(db_session, fast, world, "Case Kestrel")

    first = advocate.get("/cases?q=heron&status=open")

    assert len(references(first.text)) == 25
    assert all(reference.startswith("Heron") for reference in references(first.text))
    assert "30 cases found" in first.text
    assert 'href="/cases?q=heron&amp;status=open&amp;page=2"' in first.text
    second = advocate.get("/cases?q=heron&status=open&page=2")
    assert len(references(second.text)) == 5
    assert 'href="/cases?q=heron&amp;status=open"' in second.text  # back to page 1, filters kept
    assert references(advocate.get("/cases?q=KESTREL").text) == ["Case Kestrel"]
    assert references(advocate.get("/cases?status=closed").text) == []
    assert "No cases found" in advocate.get("/cases?status=closed").text


def test_the_deadline_filter_keeps_cases_due_within_the_window(
    advocate: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    soon = new_case(db_session, fast, world, "Case Soon")
    start(db_session, fast, world, soon, "uk.cica")
    # A CICA decision three weeks ago: the review deadline (56 days) falls within 90 days, not 7.
    decided = (datetime.now(UTC).date() - timedelta(days=21)).isoformat()
    set_facts(db_session, fast, world, soon, {**CICA_FACTS, "cica.decision_date": decided})
    new_case(db_session, fast, world, "Case Later")

    assert references(advocate.get("/cases?deadline_within=90").text) == ["Case Soon"]
    assert references(advocate.get("/cases?deadline_within=7").text) == []
    assert sorted(references(advocate.get("/cases").text)) == ["Case Later", "Case Soon"]


def test_odd_query_values_are_ignored_not_errors(advocate: TestClient, world: World) -> None:
    response = advocate.get("/cases?deadline_within=abc&status=weird&page=-3&q=" + "x" * 500)

    assert response.status_code == 200
    assert advocate.get("/cases?deadline_within=5&page=99999999999999").status_code == 200


def test_the_filter_form_works_with_htmx_and_gets_only_the_list(
    advocate: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    new_case(db_session, fast, world, "Case Kestrel")
    page = advocate.get("/cases")
    assert 'hx-get="/cases"' in page.text
    assert 'hx-target="#case-list"' in page.text
    assert 'hx-push-url="true"' in page.text
    assert 'method="get" action="/cases"' in page.text  # and without JavaScript

    fragment = advocate.get("/cases?q=kes", headers={"HX-Request": "true"})

    assert fragment.status_code == 200
    assert fragment.headers["vary"] == "HX-Request"
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="case-list">')
    assert references(fragment.text) == ["Case Kestrel"]
    assert 'id="case-list-status"' in fragment.text
    assert 'hx-swap-oob="true"' in fragment.text
    # A history restore (back button with an empty cache) gets the whole page.
    restore = advocate.get(
        "/cases?q=kes", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text


def test_a_new_user_is_told_to_create_a_case(advocate: TestClient) -> None:
    page = advocate.get("/cases")

    assert "There are no cases yet" in page.text
    assert '<a class="button" href="/cases/new">Create a case</a>' in page.text


def test_a_lawyer_sees_only_what_is_shared_with_them(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    shared = new_case(db_session, fast, world, "Case Shared")
    new_case(db_session, fast, world, "Case Private")
    share_case(
        db_session,
        actor_for(db_session, world.advocate),
        shared,
        lawyer_user_id=id_of(world.lawyer),
        now=datetime.now(UTC),
    )
    sign_in(site, LAWYER, PASSWORD)

    page = site.get("/cases")

    assert references(page.text) == ["Case Shared"]
    assert 'href="/cases/new"' not in page.text
    assert site.get("/cases/new").status_code == 403


def test_a_lawyer_with_nothing_shared_is_told_so(site: TestClient, world: World) -> None:
    sign_in(site, LAWYER, PASSWORD)

    assert "No cases have been shared with you yet" in site.get("/cases").text


# --- a new case -----------------------------------------------------------------------------------


def test_the_new_case_form_offers_languages_and_jurisdictions(advocate: TestClient) -> None:
    page = advocate.get("/cases/new")

    assert page.status_code == 200
    assert "Never the person" in page.text  # the hint against real names
    for code in ("GB-ENG", "GB-WLS", "GB-SCT", "GB-NIR", "US-CA", "US-NY", "US-TX"):
        assert f'<option value="{code}"' in page.text
    for language in ("en", "es", "sq", "vi", "ro", "ar", "other"):
        assert f'<option value="{language}"' in page.text


def test_a_case_can_be_opened_where_only_council_of_europe_and_eu_workflows_apply(
    advocate: TestClient, db_session: Session
) -> None:
    page = advocate.get("/cases/new")
    assert '<optgroup label="Other countries (Council of Europe, EU)">' in page.text
    assert '<option value="DE">Germany</option>' in page.text
    assert '<option value="GB">' not in page.text  # the UK is chosen by nation above

    response = post_form(
        advocate,
        "/cases/new",
        {"reference": "Case Stork", "preferred_language": "en", "jurisdiction": "DE"},
        token_page="/cases/new",
    )

    assert response.status_code == 303
    task_list = advocate.get(location(response)).text
    assert "Germany" in task_list
    assert "Recovery and reflection period (Council of Europe Convention)" in task_list
    assert "EU residence permit for victims who cooperate (Directive 2004/81/EC)" in task_list
    assert "/wages/flsa" not in task_list


def test_creating_a_case_goes_to_its_task_list(advocate: TestClient, db_session: Session) -> None:
    response = post_form(
        advocate,
        "/cases/new",
        {"reference": "Case Kestrel", "preferred_language": "ro", "jurisdiction": "GB-SCT"},
        token_page="/cases/new",
    )

    assert response.status_code == 303
    case = db_session.exec(select(LegalCase)).one()
    assert location(response) == f"/cases/{case.public_id}"
    assert (case.reference, case.preferred_language, case.jurisdiction) == ("Case Kestrel", "ro", "GB-SCT")
    page = advocate.get(location(response))
    assert "<h1>Case Kestrel</h1>" in page.text
    assert "Scotland" in page.text
    assert "Romanian" in page.text


def test_a_new_case_with_bad_values_lists_them_and_keeps_the_rest(
    advocate: TestClient, db_session: Session
) -> None:
    response = post_form(
        advocate,
        "/cases/new",
        {"reference": "", "preferred_language": "klingon", "jurisdiction": "GB-SCT"},
        token_page="/cases/new",
    )

    assert response.status_code == 422
    assert [field for field, _ in error_summary(response.text)] == ["reference", "preferred_language"]
    assert '<option value="GB-SCT" selected>' in response.text
    assert db_session.exec(select(LegalCase)).first() is None


def test_a_reference_already_used_is_refused_by_the_service(
    advocate: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    new_case(db_session, fast, world, "Case Kestrel")

    response = post_form(
        advocate,
        "/cases/new",
        {"reference": "Case Kestrel", "preferred_language": "en", "jurisdiction": "GB-ENG"},
        token_page="/cases/new",
    )

    assert response.status_code == 422
    [(field, message)] = error_summary(response.text)
    assert field == "reference"
    assert "already has a case" in message
    assert 'value="Case Kestrel"' in response.text


def test_a_new_case_without_the_csrf_token_is_refused(advocate: TestClient, db_session: Session) -> None:
    response = advocate.post(
        "/cases/new", data={"reference": "Case Kestrel", "preferred_language": "en", "jurisdiction": "GB-ENG"}
    )

    assert response.status_code == 403
    assert db_session.exec(select(LegalCase)).first() is None


# --- the task list --------------------------------------------------------------------------------


def test_starting_an_application_shows_it_on_the_task_list(
    advocate: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    page = advocate.get(f"/cases/{case.public_id}")
    assert 'value="uk.cica"' in page.text
    assert "State compensation for people injured by a crime of violence" in page.text  # its summary

    response = post_form(
        advocate, f"/cases/{case.public_id}/applications", {"workflow_id": "uk.cica"}, token_page="/cases"
    )

    application = db_session.exec(select(Application)).one()
    assert response.status_code == 303
    assert location(response).startswith(f"/cases/{case.public_id}?started={application.public_id}")
    task_list = advocate.get(location(response))
    assert "Criminal injuries compensation (CICA) started." in task_list.text
    assert 'class="task-list"' in task_list.text
    assert ">Draft</strong>" in task_list.text
    assert re.search(r"\d+ of \d+ questions answered", task_list.text)
    assert f'href="/cases/{case.public_id}/applications/{application.public_id}"' in task_list.text
    assert "Evidence to gather" in task_list.text
    assert "Identity and residence documents" in task_list.text
    assert 'value="uk.cica"' not in task_list.text  # started: no longer offered
    assert 'value="uk.nrm"' in task_list.text


def test_the_task_list_shows_outcomes_deadlines_and_marks_unconfirmed_rules(
    advocate: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    start(db_session, fast, world, case, "uk.cica")
    decided = datetime.now(UTC).date() - timedelta(days=21)
    set_facts(db_session, fast, world, case, {**CICA_FACTS, "cica.decision_date": decided.isoformat()})

    page = advocate.get(f"/cases/{case.public_id}").text

    assert "10 March 2027" in page  # two years after the incident (UK-CICA-D1, verified)
    assert "Time limit" in page
    assert "Verified against the source" in page
    assert "Unconfirmed</strong> check: Read para 117 for the review period" in page
    assert "A person must confirm each one" in page
    assert "What stands out" in page
    assert ">Warning</strong>" in page


def test_starting_an_application_without_a_choice_says_so(
    advocate: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)

    response = post_form(advocate, f"/cases/{case.public_id}/applications", {}, token_page="/cases")

    assert response.status_code == 422
    assert error_summary(response.text) == [("workflow_id", "Choose the application to start.")]
    unknown = post_form(
        advocate, f"/cases/{case.public_id}/applications", {"workflow_id": "us.u_visa"}, token_page="/cases"
    )
    assert unknown.status_code == 422
    assert "is not available for cases in GB-ENG" in error_summary(unknown.text)[0][1]


def test_a_lawyer_sees_a_shared_case_without_edit_controls(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    application = start(db_session, fast, world, case, "uk.cica")
    share_case(
        db_session,
        actor_for(db_session, world.advocate),
        case,
        lawyer_user_id=id_of(world.lawyer),
        now=datetime.now(UTC),
    )
    sign_in(site, LAWYER, PASSWORD)

    page = site.get(f"/cases/{case.public_id}")

    assert page.status_code == 200
    assert "Criminal injuries compensation (CICA)" in page.text
    assert f"/applications/{application.public_id}/check-answers" in page.text  # to read the answers
    assert "Start an application" not in page.text
    assert "/sharing" not in page.text
    assert "/access-code" not in page.text
    token = csrf_token(site, "/cases")
    assert (
        site.post(
            f"/cases/{case.public_id}/applications", data={"csrf_token": token, "workflow_id": "uk.nrm"}
        ).status_code
        == 403
    )
    refused = site.post(f"/cases/{case.public_id}/access-code", data={"csrf_token": token})
    assert refused.status_code == 403
    assert 'href="/account"' in refused.text  # the 403 page keeps the signed-in navigation


# --- not found, not yours -------------------------------------------------------------------------


def test_another_organisations_case_is_not_found_anywhere(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    sign_in(site, FOREIGN_ADVOCATE, PASSWORD)
    token = csrf_token(site, "/cases")

    for case_id in (case.public_id, "0" * 32, "not-even-an-id"):
        assert site.get(f"/cases/{case_id}").status_code == 404
        assert (
            site.post(
                f"/cases/{case_id}/applications", data={"csrf_token": token, "workflow_id": "uk.cica"}
            ).status_code
            == 404
        )
        assert site.post(f"/cases/{case_id}/access-code", data={"csrf_token": token}).status_code == 404
    assert db_session.exec(select(Application)).first() is None
    assert references(site.get("/cases").text) == []


def test_the_404_page_is_a_page_not_a_traceback(advocate: TestClient) -> None:
    response = advocate.get("/cases/" + "0" * 32)

    assert response.status_code == 404
    assert "<h1>Not Found</h1>" in response.text
    assert 'href="/cases"' in response.text  # still signed in: the navigation is there


def test_a_mangled_page_address_is_an_error_page_not_json(advocate: TestClient) -> None:
    token = csrf_token(advocate, "/account")

    response = advocate.post("/account/tokens/not-a-number/revoke", data={"csrf_token": token})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Bad Request</h1>" in response.text


# --- survivor access codes ------------------------------------------------------------------------


def test_an_access_code_is_shown_once_with_its_expiry(
    advocate: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)

    response = post_form(advocate, f"/cases/{case.public_id}/access-code", {}, token_page="/cases")

    assert response.status_code == 200
    code = re.search(r'class="code" id="access-code">([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})<', response.text)
    assert code is not None
    row = db_session.exec(select(SurvivorAccessCode)).one()
    assert code.group(1) not in row.code_hash
    assert long_date(row.expires_at) in response.text
    assert "in person" in response.text
    assert "survivor/start" in response.text
    assert code.group(1) not in advocate.get(f"/cases/{case.public_id}").text


def test_an_access_code_needs_the_csrf_token(
    advocate: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)

    assert advocate.post(f"/cases/{case.public_id}/access-code").status_code == 403
    assert db_session.exec(select(SurvivorAccessCode)).first() is None


def test_an_advocate_records_where_an_application_stands_and_closes_the_case(
    advocate: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    application = start(db_session, fast, world, case, "uk.cica")
    case_url = f"/cases/{case.public_id}"
    status_url = f"{case_url}/applications/{application.public_id}/status"
    page = advocate.get(case_url)
    assert f'action="{status_url}"' in page.text
    assert '<option value="filed">Filed</option>' in page.text
    assert 'value="approved"' not in page.text  # the lawyer's word, not a choice here

    refused = post_form(advocate, status_url, {"status": "approved"}, token_page=case_url)
    assert refused.status_code == 422
    assert error_summary(refused.text) == [
        (f"status-{application.public_id}", "Choose where the application stands.")
    ]
    saved = post_form(advocate, status_url, {"status": "filed"}, token_page=case_url)
    assert location(saved) == f"{case_url}#application-{application.public_id}"
    assert ">Filed</strong>" in advocate.get(case_url).text

    closed = post_form(advocate, f"{case_url}/status", {"case_status": "closed"}, token_page=case_url)
    assert location(closed) == case_url
    page = advocate.get(case_url)
    assert "This case is closed: nobody is reminded of its deadlines." in page.text
    assert "Open the case again" in page.text
    assert references(advocate.get("/cases?status=closed").text) == [case.reference]
    post_form(advocate, f"{case_url}/status", {"case_status": "open"}, token_page=case_url)
    assert "This case is closed" not in advocate.get(case_url).text


def test_a_lawyer_sees_where_an_application_stands_but_cannot_change_it(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    start(db_session, fast, world, case, "uk.cica")
    share_case(
        db_session, actor_for(db_session, world.advocate), case, lawyer_user_id=id_of(world.lawyer),
        now=datetime.now(UTC),
    )  # fmt: skip
    sign_in(site, LAWYER, PASSWORD)
    page = site.get(f"/cases/{case.public_id}")
    assert ">Draft</strong>" in page.text
    assert "/status" not in page.text
    assert "Close the case" not in page.text
