"""The survivor's own data through the pages: a copy to download (their visible answers, their
messages and their own files, nothing else) and a request to delete it, which the advocate sees
on the case page and records as handled (all data fictional)."""

from __future__ import annotations

import io
import json
import zipfile

from fastapi.testclient import TestClient

from tests.api.cases.builders import PASSWORD
from tests.api.evidence.images import CAMERA, photo
from tests.web import test_survivor_pages as pages
from tests.web.staff_pages import csrf_token, sign_in
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
