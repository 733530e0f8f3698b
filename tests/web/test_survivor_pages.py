"""The survivor's pages: start with an access code, sign in and out, their own simple view,
survivor-visible answers only, and no way into staff pages (all data fictional)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.auth import service as auth_service
from api.cases import service as cases_service
from api.cases.models import LegalCase
from api.cases.survivor_access import issue_access_code
from api.orgs.models import User
from api.settings import Settings
from tests.api.cases.builders import PASSPHRASE, World, actor, make_world, new_case
from web.app import create_app
from web.identity import SESSION_COOKIE

TODAY = date(2026, 11, 22)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
# "Exit this page": the button (through /survivor/exit, which ends the session) and its skip link.
EXIT = 'class="button warning exit-this-page-button" href="/survivor/exit"'
EXIT_SKIP_LINK = '<a class="skip-link" href="/survivor/exit" data-exit-link>'
EXIT_DESTINATION = 'data-exit-url="https://www.bbc.co.uk/weather"'
# Words that must never be in a survivor page's title: someone else may see the tab or history.
NOT_IN_TITLES = ("trafficking", "nrm", "immigration", "compensation", "cica", "slavery", "victim")


@pytest.fixture
def fast_settings(migrated_settings: Settings) -> Settings:
    """The test's settings with the cheapest Argon2 (accounts are made and sign in)."""
    return migrated_settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
    )


@pytest.fixture
def app_client(fast_settings: Settings) -> Iterator[TestClient]:
    """A client on the whole site that follows no redirects."""
    with TestClient(create_app(fast_settings), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def world(db_session: Session, fast_settings: Settings) -> World:
    """The organisations and people of :mod:`tests.api.cases.builders`."""
    return make_world(db_session, fast_settings)


def csrf(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text
    found = CSRF_FIELD.search(response.text)
    assert found is not None
    return found.group(1)


def post(client: TestClient, url: str, data: dict[str, str], *, form_page: str | None = None) -> object:
    token = csrf(client, form_page or url)
    return client.post(url, data={**data, "csrf_token": token})


def assert_survivor_page(html: str) -> None:
    """Neutral title, and the way out."""
    found = TITLE.search(html)
    assert found is not None
    title = found.group(1).lower()
    for word in NOT_IN_TITLES:
        assert word not in title, title
    assert EXIT in html
    assert EXIT_SKIP_LINK in html
    assert EXIT_DESTINATION in html


@dataclass
class Setting:
    """A case with both UK applications and some answers, and the survivor's code for it."""

    session: Session
    settings: Settings
    world: World
    case: LegalCase
    other: LegalCase
    code: str


@pytest.fixture
def setting(db_session: Session, fast_settings: Settings, world: World) -> Setting:
    advocate = actor(db_session, world.advocate)
    now = datetime.now(UTC)
    case = new_case(db_session, fast_settings, world, "Case Heron")
    for workflow_id in ("uk.nrm", "uk.cica"):
        cases_service.start_application(
            db_session, fast_settings, advocate, case, workflow_id, now=now, today=TODAY
        )
    cases_service.change_facts(
        db_session,
        fast_settings,
        advocate,
        case,
        {
            "person.date_of_birth": "1994-07-19",
            "nrm.possibly_child": False,
            "person.nationality": "AL",
            "exploitation.jurisdiction": "GB-ENG",
            "exploitation.types": ["labour"],
            "incident.date": "2025-09-14",
            "nrm.public_authority": False,  # not survivor-visible (and not used now: kept)
        },
        source="advocate",
        now=now,
        today=TODAY,
    )
    other = new_case(db_session, fast_settings, world, "Case Plover")
    cases_service.start_application(
        db_session, fast_settings, advocate, other, "uk.cica", now=now, today=TODAY
    )
    cases_service.change_facts(
        db_session,
        fast_settings,
        advocate,
        other,
        {"person.date_of_birth": "1971-02-03", "incident.date": "2024-12-24"},
        source="advocate",
        now=now,
        today=TODAY,
    )
    code = issue_access_code(db_session, fast_settings, advocate, case, now=now)
    return Setting(db_session, fast_settings, world, case, other, code)


def redeem(client: TestClient, code: str, *, again: str = PASSPHRASE) -> object:
    data = {"code": code, "display_name": "Mira", "passphrase": PASSPHRASE, "passphrase_again": again}
    return post(client, "/survivor/start", data)


def survivor_of(setting: Setting) -> User:
    setting.session.expire_all()
    case = setting.session.get(LegalCase, setting.case.id)
    assert case is not None
    assert case.survivor_user_id is not None
    user = setting.session.get(User, case.survivor_user_id)
    assert user is not None
    return user


# --- starting with an access code -----------------------------------------------------------------


def test_a_survivor_starts_with_the_code_and_sees_their_sign_in_name_once(
    app_client: TestClient, setting: Setting
) -> None:
    start = app_client.get("/survivor/start")
    assert start.status_code == 200
    assert_survivor_page(start.text)

    response = redeem(app_client, setting.code.lower().replace("-", " "))

    assert response.status_code == 303
    assert response.headers["location"] == "/survivor?welcome=1"
    assert SESSION_COOKIE in app_client.cookies
    user = survivor_of(setting)
    assert user.display_name == "Mira"
    assert user.sign_in_name
    welcome = app_client.get("/survivor?welcome=1")
    assert welcome.status_code == 200
    assert f'Your sign-in name is <strong class="code">{user.sign_in_name}</strong>' in welcome.text
    assert "Write it down somewhere safe." in welcome.text
    # On to the interruption page (how to leave quickly) before their view.
    assert '<a class="button" href="/survivor/before-you-continue">Continue</a>' in welcome.text
    assert_survivor_page(welcome.text)
    assert app_client.get("/survivor/start").headers["location"] == "/survivor"  # already set up


@pytest.mark.parametrize("problem", ["wrong", "used", "expired"])
def test_a_code_that_does_not_work_gets_one_message(
    app_client: TestClient, setting: Setting, problem: str
) -> None:
    code = {"wrong": "ABCD-EFGH-JKMN", "used": setting.code, "expired": setting.code}[problem]
    if problem == "used":
        redeem(TestClient(app_client.app, follow_redirects=False), setting.code)
    if problem == "expired":
        code = issue_access_code(
            setting.session,
            setting.settings,
            actor(setting.session, setting.world.advocate),
            setting.case,
            now=datetime.now(UTC) - timedelta(hours=setting.settings.access_code_hours + 1),
        )

    response = redeem(app_client, code)

    assert response.status_code == 422
    assert (
        '<a href="#code">This access code is not valid. Ask your advocate for a new one.</a>' in response.text
    )
    assert SESSION_COOKIE not in app_client.cookies
    assert_survivor_page(response.text)


def test_passphrases_that_differ_are_refused_and_the_code_still_works(
    app_client: TestClient, setting: Setting
) -> None:
    response = redeem(app_client, setting.code, again="something else entirely")

    assert response.status_code == 422
    assert '<a href="#passphrase_again">The two passphrases are not the same.' in response.text
    assert f'value="{setting.code}"' in response.text  # the code is kept, the passphrases are not
    assert PASSPHRASE not in response.text
    assert redeem(app_client, setting.code).status_code == 303


def test_a_weak_passphrase_is_refused_on_its_field(app_client: TestClient, setting: Setting) -> None:
    data = {"code": setting.code, "display_name": "Mira", "passphrase": "short", "passphrase_again": "short"}

    response = post(app_client, "/survivor/start", data)

    assert response.status_code == 422
    assert '<a href="#passphrase">Use at least 10 characters.' in response.text


# --- signing in and out ---------------------------------------------------------------------------


def test_a_survivor_signs_in_with_their_sign_in_name_and_out_again(
    app_client: TestClient, setting: Setting
) -> None:
    redeem(TestClient(app_client.app, follow_redirects=False), setting.code)
    name = survivor_of(setting).sign_in_name
    assert name
    form = app_client.get("/survivor/sign-in")
    assert_survivor_page(form.text)

    wrong = post(app_client, "/survivor/sign-in", {"sign_in_name": name, "passphrase": "not my passphrase!"})
    assert wrong.status_code == 422
    assert "The sign-in name or passphrase is not right." in wrong.text

    response = post(app_client, "/survivor/sign-in", {"sign_in_name": name.upper(), "passphrase": PASSPHRASE})
    assert response.status_code == 303
    assert response.headers["location"] == "/survivor"
    assert app_client.get("/survivor").status_code == 200

    out = post(app_client, "/survivor/sign-out", {}, form_page="/survivor")
    assert out.status_code == 303
    assert out.headers["location"] == "/survivor/sign-in?signed_out=1"
    assert "You have signed out." in app_client.get(out.headers["location"]).text
    after = app_client.get("/survivor")
    assert after.status_code == 303
    assert after.headers["location"].startswith("/survivor/sign-in?next=")


def test_sign_in_goes_back_only_to_survivor_pages(app_client: TestClient, setting: Setting) -> None:
    redeem(TestClient(app_client.app, follow_redirects=False), setting.code)
    name = survivor_of(setting).sign_in_name or ""

    response = post(
        app_client,
        "/survivor/sign-in",
        {"sign_in_name": name, "passphrase": PASSPHRASE, "next": f"/cases/{setting.case.public_id}"},
    )

    assert response.headers["location"] == "/survivor"


def test_the_survivor_forms_need_the_csrf_token(app_client: TestClient, setting: Setting) -> None:
    app_client.get("/survivor/start")
    data = {
        "code": setting.code,
        "display_name": "Mira",
        "passphrase": PASSPHRASE,
        "passphrase_again": PASSPHRASE,
    }

    assert app_client.post("/survivor/start", data=data).status_code == 403
    assert (
        app_client.post("/survivor/sign-in", data={"sign_in_name": "x", "passphrase": "y"}).status_code == 403
    )
    assert app_client.post("/survivor/sign-out").status_code == 403
    assert survivor_of_case_is_none(setting)


def survivor_of_case_is_none(setting: Setting) -> bool:
    setting.session.expire_all()
    case = setting.session.get(LegalCase, setting.case.id)
    return case is not None and case.survivor_user_id is None


# --- the simple view ------------------------------------------------------------------------------


@pytest.fixture
def survivor_client(app_client: TestClient, setting: Setting) -> TestClient:
    """``app_client`` signed in as the survivor of ``setting.case``."""
    assert redeem(app_client, setting.code).status_code == 303
    return app_client


def test_the_survivor_sees_their_own_case_in_plain_words(
    survivor_client: TestClient, setting: Setting
) -> None:
    response = survivor_client.get("/survivor")

    assert response.status_code == 200
    html = response.text
    assert_survivor_page(html)
    assert "<title>Your account – Redress</title>" in html
    assert "Support and time to recover" in html
    assert "A claim for money for the harm done to you" in html
    # What each is for, where it stands, what happens next.
    # In plain words, not the definitions' summaries (for staff, and naming the process).
    assert "To ask for money for the harm that was done to you." in html
    assert "so that you get support, a safe place to stay and time to recover." in html
    assert "Identification as a victim of modern slavery" not in html
    assert "<dd>Your advocate is preparing it</dd>" in html
    # NRM's next question (is the organisation a First Responder?) is not for the survivor's eyes.
    assert "Your advocate is working on this." in html
    assert "Your advocate will ask you a few more questions." in html
    # The date that matters, as a long date with its label (no legal basis).
    assert "<strong>14 September 2027</strong>: Apply to CICA (two-year limit)" in html
    assert "CICS 2012" not in html
    # What to bring, and who to contact.
    assert "Identity and residence documents" in html
    # The advocate who opened the case is the survivor's contact.
    assert f"Your advocate is <strong>{setting.world.advocate.display_name}</strong>" in html


def test_only_survivor_visible_answers_are_shown(survivor_client: TestClient, setting: Setting) -> None:
    html = survivor_client.get("/survivor").text

    answers = html[html.index("What your advocate has written down") :]
    assert "Date of birth" in answers
    assert "19 July 1994" in answers
    assert "Albania (AL)" in answers
    assert "Labour exploitation" in answers
    for hidden in ("First Responder Organisation", "public authority with the Duty to Notify"):
        assert hidden not in html


def test_the_survivor_sees_nothing_of_another_case(survivor_client: TestClient, setting: Setting) -> None:
    html = survivor_client.get("/survivor").text

    assert "3 February 1971" not in html  # the other case's date of birth
    assert "24 December 2026" not in html  # the other case's deadline
    assert "Case Plover" not in html
    assert "Case Heron" not in html  # nor their own case's internal reference


def test_the_advocate_named_on_the_case_is_who_to_contact(
    survivor_client: TestClient, setting: Setting
) -> None:
    # No page assigns an advocate yet; the column is set directly, as a later issue's page will.
    case = setting.session.get(LegalCase, setting.case.id)
    assert case is not None
    case.assigned_user_id = setting.world.advocate.id
    setting.session.add(case)
    setting.session.commit()

    html = survivor_client.get("/survivor").text

    assert "Your advocate is <strong>Bea Advocate</strong>." in html


def test_a_survivor_never_reaches_staff_pages(survivor_client: TestClient, setting: Setting) -> None:
    app = setting.case.public_id
    application = cases_service.list_applications(
        setting.session, actor(setting.session, setting.world.advocate), setting.case
    )[0]
    base = f"/cases/{app}/applications/{application.public_id}"
    for url in (
        "/cases",
        f"/cases/{app}",
        f"/cases/{setting.other.public_id}",
        "/cases/new",
        base,
        f"{base}/questions/person.date_of_birth",
        f"{base}/check-answers",
        "/account",
    ):
        response = survivor_client.get(url)
        assert response.status_code in (303, 403), url
        # Back to their own page: never a staff page, nor a staff sign-in form.
        assert response.headers.get("location", "/survivor") == "/survivor", url

    token = csrf(survivor_client, "/survivor")
    answer = survivor_client.post(
        f"{base}/questions/person.british_citizen", data={"answer": "yes", "csrf_token": token}
    )
    assert answer.status_code in (303, 403)
    records = cases_service.read_facts(setting.session, setting.settings, setting.case)
    assert "person.british_citizen" not in records


def test_a_survivor_of_an_account_without_a_case_sees_a_calm_page(
    app_client: TestClient, setting: Setting
) -> None:
    redeem(TestClient(app_client.app, follow_redirects=False), setting.code)
    first = survivor_of(setting)
    # A new code redeemed again (a forgotten passphrase) moves the case to the new account.
    new_code = issue_access_code(
        setting.session,
        setting.settings,
        actor(setting.session, setting.world.advocate),
        setting.case,
        now=datetime.now(UTC),
    )
    redeem(TestClient(app_client.app, follow_redirects=False), new_code)
    token = auth_service.start_session(setting.session, setting.settings, first, datetime.now(UTC))
    app_client.cookies.set(SESSION_COOKIE, token)

    html = app_client.get("/survivor").text

    assert "There is nothing to show here." in html
    assert "19 July 1994" not in html
