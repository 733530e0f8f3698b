"""The survivor's pages in their language, and the way out: the language switcher (a cookie,
right to left for Arabic, dates written for the language), "Exit this page" ending the session
on the server, the interruption page and the safety advice (all data fictional)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.auth.models import UserSession
from api.cases.survivor_access import issue_access_code
from tests.api.cases.builders import actor
from tests.web import test_survivor_pages as pages
from tests.web.test_survivor_pages import Setting, assert_survivor_page, csrf, post, redeem
from web.app import create_app
from web.i18n import LANGUAGE_COOKIE, LANGUAGES
from web.identity import SESSION_COOKIE

# The survivor pages' fixtures, shared (pytest finds fixtures by name in this module).
fast_settings = pages.fast_settings
app_client = pages.app_client
world = pages.world
setting = pages.setting
survivor_client = pages.survivor_client

HTML_TAG = '<html lang="{lang}" dir="{dir}">'


def choose(client: TestClient, language: str, back: str = "/survivor") -> object:
    data = {"language": language, "back": back}
    return post(client, "/survivor/language", data, form_page="/survivor/safety-advice")


def live_sessions(session: Session) -> int:
    session.expire_all()
    return len([row for row in session.exec(select(UserSession)).all() if row.revoked_at is None])


def test_the_language_switcher_remembers_the_choice_and_goes_back(app_client: TestClient) -> None:
    response = choose(app_client, "es", back="/survivor/sign-in")

    assert response.status_code == 303
    assert response.headers["location"] == "/survivor/sign-in"
    assert app_client.cookies.get(LANGUAGE_COOKIE) == "es"
    page = app_client.get("/survivor/sign-in").text
    assert HTML_TAG.format(lang="es", dir="ltr") in page
    assert "<h1>Iniciar sesión</h1>" in page
    assert "Salir de esta página" in page
    assert '<option value="es" lang="es" selected>Español</option>' in page


def test_arabic_is_laid_out_right_to_left(app_client: TestClient) -> None:
    choose(app_client, "ar")

    page = app_client.get("/survivor/start").text

    assert HTML_TAG.format(lang="ar", dir="rtl") in page
    assert "<h1>إنشاء حسابك</h1>" in page
    assert_survivor_page(page)


@pytest.mark.parametrize(
    "back", ["https://elsewhere.example/", "//elsewhere.example", "/cases", "/survivor/exit"]
)
def test_the_switcher_goes_back_only_to_survivor_pages(app_client: TestClient, back: str) -> None:
    assert choose(app_client, "ro", back=back).headers["location"] == "/survivor"


def test_an_unknown_language_changes_nothing(app_client: TestClient) -> None:
    choose(app_client, "vi")
    choose(app_client, "xx")

    assert app_client.cookies.get(LANGUAGE_COOKIE) == "vi"
    assert HTML_TAG.format(lang="vi", dir="ltr") in app_client.get("/survivor/sign-in").text


def test_staff_pages_stay_in_english(app_client: TestClient, setting: Setting) -> None:
    choose(app_client, "ar")

    page = app_client.get("/sign-in").text

    assert HTML_TAG.format(lang="en", dir="ltr") in page


@pytest.mark.parametrize(
    ("language", "date_text", "status"),
    [
        ("en", "14 September 2027", "Your advocate is preparing it"),
        ("es", "14 de septiembre de 2027", "Su asesora o asesor la está preparando"),
        ("ro", "14 septembrie 2027", "Consilierul dumneavoastră o pregătește"),
        ("sq", "2027", "Këshilltari juaj po e përgatit"),
        ("vi", "2027", "Người hỗ trợ của bạn đang chuẩn bị"),
        ("ar", "سبتمبر", "المرشد الذي يساعدك يحضّره"),
    ],
)
def test_the_status_page_speaks_the_language_with_its_dates(
    survivor_client: TestClient, language: str, date_text: str, status: str
) -> None:
    choose(survivor_client, language)

    page = survivor_client.get("/survivor").text

    assert HTML_TAG.format(lang=language, dir="rtl" if language == "ar" else "ltr") in page
    assert status in page
    deadline = page[page.index("<strong>", page.index("<h3>")) :]
    assert date_text in deadline[: deadline.index("</li>")]
    assert_survivor_page(page)


def test_an_expired_code_says_what_to_do_in_the_survivors_language(
    app_client: TestClient, setting: Setting
) -> None:
    code = issue_access_code(
        setting.session,
        setting.settings,
        actor(setting.session, setting.world.advocate),
        setting.case,
        now=datetime.now(UTC) - timedelta(hours=setting.settings.access_code_hours + 1),
    )
    choose(app_client, "es")

    response = redeem(app_client, code)

    assert response.status_code == 422
    assert "Este código de acceso no es válido. Pida uno nuevo a su asesora o asesor." in response.text
    assert "Heron" not in response.text  # nothing of the case on the error


def test_exit_ends_the_session_on_the_server_and_goes_to_the_neutral_site(
    survivor_client: TestClient, setting: Setting
) -> None:
    assert live_sessions(setting.session) == 1

    response = survivor_client.get("/survivor/exit")

    assert response.status_code == 303
    assert response.headers["location"] == "https://www.bbc.co.uk/weather"
    assert response.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    assert live_sessions(setting.session) == 0
    assert SESSION_COOKIE not in survivor_client.cookies
    # Back to the page: nothing of the case, only the sign-in.
    again = survivor_client.get("/survivor")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/survivor/sign-in")


def test_the_exit_beacon_ends_the_session_even_with_the_cookie_still_sent(
    survivor_client: TestClient, setting: Setting
) -> None:
    token = survivor_client.cookies.get(SESSION_COOKIE)

    token_field = csrf(survivor_client, "/survivor")
    response = survivor_client.post("/survivor/exit", data={"csrf_token": token_field})

    assert response.status_code == 204
    assert live_sessions(setting.session) == 0
    survivor_client.cookies.set(SESSION_COOKIE, token or "")  # a browser that kept the cookie
    assert survivor_client.get("/survivor").status_code == 303


def test_the_exit_destination_is_a_setting(setting: Setting) -> None:
    settings = setting.settings.model_copy(update={"survivor_exit_url": "https://news.example/"})
    with TestClient(create_app(settings), follow_redirects=False) as client:
        page = client.get("/survivor/sign-in").text
        assert 'data-exit-url="https://news.example/"' in page
        assert client.get("/survivor/exit").headers["location"] == "https://news.example/"


def test_the_first_use_explains_the_exit_and_its_limits(survivor_client: TestClient) -> None:
    page = survivor_client.get("/survivor/before-you-continue")

    assert page.status_code == 200
    assert "<title>Before you continue – Redress</title>" in page.text
    assert "press the Shift key on your keyboard 3 times" in page.text
    assert "does not delete your browsing history" in page.text
    assert_survivor_page(page.text)
    token = csrf(survivor_client, "/survivor/before-you-continue")
    onward = survivor_client.post("/survivor/before-you-continue", data={"csrf_token": token})
    assert onward.headers["location"] == "/survivor"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_safety_advice_is_open_to_anyone_in_every_language(app_client: TestClient, language: str) -> None:
    choose(app_client, language)

    page = app_client.get("/survivor/safety-advice")

    assert page.status_code == 200
    assert HTML_TAG.format(lang=language, dir="rtl" if language == "ar" else "ltr") in page.text
    assert 'href="tel:' not in page.text
    assert_survivor_page(page.text)


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Sorry, there is a problem"), ("ar", "عذرًا، هناك مشكلة")]
)
def test_an_error_on_a_survivor_page_keeps_the_way_out_and_the_language(
    survivor_client: TestClient, language: str, heading: str
) -> None:
    choose(survivor_client, language)

    response = survivor_client.get("/survivor/no-such-page")

    assert response.status_code == 404
    assert f"<h1>{heading}</h1>" in response.text
    assert HTML_TAG.format(lang=language, dir="rtl" if language == "ar" else "ltr") in response.text
    assert "Heron" not in response.text
    assert_survivor_page(response.text)
