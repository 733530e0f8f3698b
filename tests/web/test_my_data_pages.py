"""The survivor's own data through the pages: a copy to download (their visible answers, the
questions their advocate asked them, their messages and their own files, nothing else) and a
request to delete it, which the advocate sees on the case page and records as handled (all data
fictional)."""

from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from api.survivor_questions import service as survivor_questions
from tests.api.cases.builders import PASSWORD, actor
from tests.api.evidence.images import CAMERA, photo
from tests.web import test_survivor_pages as pages
from tests.web.staff_pages import csrf_token, error_summary, sign_in
from tests.web.test_survivor_pages import Setting, assert_survivor_page, csrf

fast_settings = pages.fast_settings
app_client = pages.app_client
world = pages.world
setting = pages.setting
survivor_client = pages.survivor_client


def test_the_copy_holds_what_the_survivor_may_see_and_their_files(
    survivor_client: TestClient, setting: Setting
) -> None:
    token = csrf(survivor_client, "/survivor/files")
    survivor_client.post(
        "/survivor/files", data={"csrf_token": token}, files={"file": ("id.jpg", photo(), "image/jpeg")}
    )
    survivor_client.post("/survivor/messages", data={"csrf_token": token, "body": "Thank you"})
    survivor_questions.ask(
        setting.session, setting.settings, actor(setting.session, setting.world.advocate), setting.case,
        fact_key="police.reported", note="Only if you want to.", now=datetime.now(UTC),
    )  # fmt: skip
    page = survivor_client.get("/survivor/my-data")
    assert_survivor_page(page.text)

    response = survivor_client.post(
        "/survivor/my-data/copy", data={"csrf_token": csrf(survivor_client, "/survivor/my-data")}
    )

    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="my-data.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["files/id.jpg", "my-data.json"]
        data = json.loads(archive.read("my-data.json"))
        stored_photo = archive.read("files/id.jpg")
    keys = {answer["key"] for answer in data["answers"]}
    assert "person.date_of_birth" in keys
    assert "nrm.public_authority" not in keys  # not survivor-visible
    assert data["messages"][0]["text"] == "Thank you"
    (asked,) = data["questions_from_your_advocate"]
    assert asked["question"] == "Have the police been told what happened to you?"  # their wording
    assert asked["note"] == "Only if you want to."
    assert asked["answered_at"] is None
    assert len(data["applications"]) == 2
    assert CAMERA.encode() not in stored_photo


def test_a_deletion_request_reaches_the_advocate(app_client: TestClient, setting: Setting) -> None:
    assert pages.redeem(app_client, setting.code).status_code == 303
    asked = app_client.post(
        "/survivor/my-data/deletion", data={"csrf_token": csrf(app_client, "/survivor/my-data")}
    )
    assert asked.headers["location"] == "/survivor/my-data?asked=1"
    page = app_client.get("/survivor/my-data?asked=1").text
    assert "Your request has been sent to your advocate." in page
    assert "You asked on" in page

    app_client.cookies.clear()
    sign_in(app_client, setting.world.advocate.email, PASSWORD)
    case_url = f"/cases/{setting.case.public_id}"
    assert "The survivor asked for their data to be deleted" in app_client.get(case_url).text
    done = app_client.post(
        case_url + "/deletion-request/handled", data={"csrf_token": csrf_token(app_client, case_url)}
    )
    assert done.status_code == 303
    assert "The survivor asked for their data to be deleted" not in app_client.get(case_url).text


def test_an_admin_erases_the_case_the_survivor_asked_to_delete(
    app_client: TestClient, setting: Setting
) -> None:
    """The request → the admin's link → what would go → a mistyped reference refused (kept,
    nothing erased) → the reference typed → the case list says so, the case is gone, and the
    survivor can no longer sign in. The advocate is offered no such link."""
    assert pages.redeem(app_client, setting.code).status_code == 303
    app_client.post("/survivor/my-data/deletion", data={"csrf_token": csrf(app_client, "/survivor/my-data")})
    survivor_cookies = dict(app_client.cookies)
    case_url = f"/cases/{setting.case.public_id}"
    erase_url = case_url + "/erase"

    app_client.cookies.clear()
    sign_in(app_client, setting.world.advocate.email, PASSWORD)
    assert erase_url not in app_client.get(case_url).text
    assert app_client.get(erase_url).status_code == 403

    app_client.cookies.clear()
    sign_in(app_client, setting.world.admin.email, PASSWORD)
    case_page = app_client.get(case_url).text
    assert f'<a href="{erase_url}">erase the case</a>' in case_page
    page = app_client.get(erase_url)
    assert page.status_code == 200
    assert "<title>Erase Case Heron – Redress</title>" in page.text
    assert "The person asked for their data to be deleted on" in page.text
    assert "2 applications" in page.text
    assert "they are signed out and can no longer sign in" in page.text

    token = csrf_token(app_client, erase_url)
    refused = app_client.post(erase_url, data={"csrf_token": token, "confirm_reference": "Case Hero"})
    assert refused.status_code == 422
    assert [(field, html.unescape(text)) for field, text in error_summary(refused.text)] == [
        ("confirm_reference", "Type the case's reference, Case Heron, exactly as shown, to erase it.")
    ]
    assert 'value="Case Hero"' in refused.text
    assert app_client.get(case_url).status_code == 200

    erased = app_client.post(erase_url, data={"csrf_token": token, "confirm_reference": "Case Heron"})
    assert erased.status_code == 303
    assert erased.headers["location"] == "/cases?erased=1"
    assert "The case was erased." in app_client.get("/cases?erased=1").text
    assert app_client.get(case_url).status_code == 404

    app_client.cookies.clear()
    app_client.cookies.update(survivor_cookies)
    assert app_client.get("/survivor").status_code == 303  # signed out: back to the sign-in
