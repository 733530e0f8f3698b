"""Evidence from the survivor's phone, through the pages: the limit and kinds shown before
choosing, a photo sent without its location, clear messages in the survivor's language for a
wrong or too big file, and the advocate's list and download on the case page (data fictional)."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import select

from api.evidence.models import EvidenceFile
from tests.api.cases.builders import PASSWORD
from tests.api.evidence.images import CAMERA, pdf, photo
from tests.web import test_survivor_pages as pages
from tests.web.staff_pages import sign_in
from tests.web.test_survivor_pages import CSRF_FIELD, Setting, assert_survivor_page, csrf

fast_settings = pages.fast_settings
app_client = pages.app_client
world = pages.world
setting = pages.setting
survivor_client = pages.survivor_client


def send(client: TestClient, name: str, content: bytes, content_type: str) -> object:
    token = csrf(client, "/survivor/files")
    return client.post(
        "/survivor/files", data={"csrf_token": token}, files={"file": (name, content, content_type)}
    )


def test_the_limit_and_the_kinds_are_shown_before_choosing_a_file(survivor_client: TestClient) -> None:
    page = survivor_client.get("/survivor/files")

    assert page.status_code == 200
    assert_survivor_page(page.text)
    assert "Each file can be up to 10 MB." in page.text
    assert "Photos: JPEG, PNG or HEIC" in page.text
    assert "We cannot remove them from PDF files." in page.text
    assert 'accept="image/jpeg,image/png,image/heic,image/heif,.heic,.heif,application/pdf"' in page.text
    assert 'data-limit-bytes="10000000"' in page.text


def test_a_photo_is_sent_without_its_location(survivor_client: TestClient, setting: Setting) -> None:
    response = send(survivor_client, "IMG_2041.jpg", photo(), "image/jpeg")

    assert response.status_code == 303
    assert response.headers["location"] == "/survivor/files?uploaded=1"
    page = survivor_client.get("/survivor/files?uploaded=1").text
    assert "Your file has been sent to your advocate." in page
    assert "IMG_2041.jpg" in page
    setting.session.expire_all()
    assert len(setting.session.exec(select(EvidenceFile)).all()) == 1


def test_a_wrong_file_gets_a_clear_message_in_the_survivors_language(
    survivor_client: TestClient, setting: Setting
) -> None:
    token = CSRF_FIELD.search(survivor_client.get("/survivor/files").text)
    assert token is not None
    survivor_client.post(
        "/survivor/language", data={"language": "es", "back": "/survivor/files", "csrf_token": token.group(1)}
    )

    response = send(survivor_client, "notes.txt", b"plain words, not a picture", "image/jpeg")

    assert response.status_code == 422
    assert (
        "Este tipo de archivo no se puede subir. Elija una foto (JPEG, PNG o HEIC) o un PDF." in response.text
    )
    assert 'aria-invalid="true"' in response.text
    assert setting.session.exec(select(EvidenceFile)).all() == []


def test_a_file_too_big_says_the_limit(setting: Setting) -> None:
    from web.app import create_app

    small = setting.settings.model_copy(update={"evidence_max_bytes": 2_000})
    with TestClient(create_app(small), follow_redirects=False) as client:
        assert pages.redeem(client, setting.code).status_code == 303
        response = send(client, "big.png", photo("PNG", size=(300, 300)) + b"\0" * 3_000, "image/png")

    assert response.status_code == 422
    assert "The file is too big. Choose a file smaller than 2 kB." in response.text


def test_no_file_chosen(survivor_client: TestClient) -> None:
    token = csrf(survivor_client, "/survivor/files")
    response = survivor_client.post("/survivor/files", data={"csrf_token": token})
    assert response.status_code == 422
    assert "Choose a file to upload." in response.text


def test_the_advocate_sees_and_downloads_the_file_without_its_hidden_details(
    survivor_client: TestClient, setting: Setting
) -> None:
    send(survivor_client, "payslip.jpg", photo(), "image/jpeg")
    send(survivor_client, "letter.pdf", pdf(), "application/pdf")
    survivor_client.cookies.clear()
    sign_in(survivor_client, setting.world.advocate.email, PASSWORD)

    case_page = survivor_client.get(f"/cases/{setting.case.public_id}").text
    assert "Uploaded files" in case_page
    assert "payslip.jpg" in case_page
    assert "From the survivor" in case_page
    assert "Kept (PDF)" in case_page
    file_id = setting.session.exec(select(EvidenceFile.public_id).order_by(EvidenceFile.id)).first()
    download = survivor_client.get(f"/cases/{setting.case.public_id}/evidence/{file_id}")

    assert download.status_code == 200
    assert download.headers["content-type"] == "image/jpeg"
    assert download.headers["content-disposition"].startswith('attachment; filename="payslip.jpg"')
    assert CAMERA.encode() not in download.content
    with Image.open(io.BytesIO(download.content)) as image:
        assert not image.getexif()
