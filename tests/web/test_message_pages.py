"""Messages through the pages: the advocate writes from the case page, the survivor sees a new
message on their status page, reads it in their own page (which marks it read) and answers; a
lawyer takes no part (all data fictional)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.cases.builders import PASSWORD
from tests.web import test_survivor_pages as pages
from tests.web.staff_pages import csrf_token, sign_in
from tests.web.test_survivor_pages import Setting, assert_survivor_page, csrf

fast_settings = pages.fast_settings
app_client = pages.app_client
world = pages.world
setting = pages.setting
survivor_client = pages.survivor_client


def test_a_conversation_between_the_advocate_and_the_survivor(
    app_client: TestClient, setting: Setting
) -> None:
    assert pages.redeem(app_client, setting.code).status_code == 303
    survivor_cookies = dict(app_client.cookies)
    case_url = f"/cases/{setting.case.public_id}"

    # The advocate writes from the case page.
    app_client.cookies.clear()
    sign_in(app_client, setting.world.advocate.email, PASSWORD)
    token = csrf_token(app_client, case_url)
    empty = app_client.post(case_url + "/messages", data={"csrf_token": token, "body": "  "})
    assert empty.status_code == 422
    assert "Write a message first." in empty.text
    sent = app_client.post(
        case_url + "/messages", data={"csrf_token": token, "body": "Can we meet on Tuesday?"}
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == case_url + "#messages"
    assert "Can we meet on Tuesday?" in app_client.get(case_url).text

    # The survivor sees that there is something new, reads it and answers.
    app_client.cookies.clear()
    for name, value in survivor_cookies.items():
        app_client.cookies.set(name, value)
    home = app_client.get("/survivor").text
    assert "You have new messages from your advocate." in home
    page = app_client.get("/survivor/messages").text
    assert_survivor_page(page)
    assert "Can we meet on Tuesday?" in page
    assert '<strong class="tag warning">New</strong>' in page
    assert "You have new messages" not in app_client.get("/survivor").text
    answer = app_client.post(
        "/survivor/messages",
        data={"csrf_token": csrf(app_client, "/survivor/messages"), "body": "Yes, at ten."},
    )
    assert answer.status_code == 303
    assert "Yes, at ten." in app_client.get("/survivor/messages?sent=1").text

    # Back on the case page, the advocate sees the answer marked new.
    app_client.cookies.clear()
    sign_in(app_client, setting.world.advocate.email, PASSWORD)
    case_page = app_client.get(case_url).text
    assert "Yes, at ten." in case_page
    assert "1 new" in case_page


def test_the_survivor_page_in_arabic(survivor_client: TestClient) -> None:
    token = csrf(survivor_client, "/survivor/messages")
    survivor_client.post(
        "/survivor/language", data={"language": "ar", "back": "/survivor/messages", "csrf_token": token}
    )

    page = survivor_client.get("/survivor/messages").text

    assert '<html lang="ar" dir="rtl">' in page
    assert "<h1>الرسائل</h1>" in page
    refused = survivor_client.post("/survivor/messages", data={"csrf_token": token, "body": ""})
    assert refused.status_code == 422
    assert "اكتب رسالة أولًا." in refused.text
