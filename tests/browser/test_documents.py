"""Documents in a real browser with a real Celery worker: the advocate makes the CICA claim pack,
the lawyer comments and asks for changes, the advocate corrects an answer and makes a new
version, the lawyer sees what changed and approves, and the downloaded Word file has the SHA-256
the page shows; and a copy of Form I-914 is uploaded, filled by the worker and downloaded.
axe-core checks every page on the way (all data fictional)."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from api.cases import service as cases_service
from api.cases.sharing import share_case
from api.documents.pdf_form import field_values
from api.settings import Settings
from api.tasks.celery_app import create_celery, prepare_broker
from tests.api.cases.builders import NOW, PASSWORD, TODAY, actor, id_of, make_world, new_case
from tests.api.documents.fillable_pdf import fillable_pdf
from tests.api.documents.fixtures import FACTS
from tests.api.documents.programs import require_libreoffice
from tests.browser.conftest import assert_no_serious_axe_violations

pytestmark = [pytest.mark.slow]

GENERATION_TIMEOUT_MS = 90_000
CICA_KEYS = (
    "person.full_name",
    "person.date_of_birth",
    "incident.date",
    "police.reported",
    "police.first_report_date",
    "police.crime_reference",
    "account.narrative",
)


@pytest.fixture
def worker(migrated_settings: Settings, tmp_path: Path) -> Iterator[None]:
    """A Celery worker subprocess on the test's embedded broker and database."""
    app = create_celery(migrated_settings)
    prepare_broker(app)
    app.close()
    log_path = tmp_path / "worker.log"
    command = [
        *(sys.executable, "-m", "celery", "-A", "api.tasks.celery_app", "worker"),
        *("--pool=solo", "--loglevel=info", "--without-mingle", "--without-gossip", "--without-heartbeat"),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, **migrated_settings.to_environment()},
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    try:
        yield
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Passphrase").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/cases$"))


def make_version(page: Page) -> str:
    """Ask for a new CICA claim pack on the documents page; wait until it is ready; its URL."""
    page.get_by_role("button", name="Make a new version of the CICA claim pack").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CICA claim pack, version")
    expect(page.locator("#progress")).to_contain_text("Ready", timeout=GENERATION_TIMEOUT_MS)
    expect(page.get_by_role("heading", name="The document")).to_be_visible()
    return page.url.split("#", 1)[0]


def test_the_cica_pack_is_made_reviewed_corrected_and_approved(
    page: Page,
    browser: Browser,
    live_server: str,
    worker: None,
    db_session: Session,
    migrated_settings: Settings,
) -> None:
    require_libreoffice()
    world = make_world(db_session, migrated_settings)
    case = new_case(db_session, migrated_settings, world, "Case Kestrel")
    advocate = actor(db_session, world.advocate)
    facts = {key: FACTS[key] for key in CICA_KEYS}
    cases_service.change_facts(
        db_session, migrated_settings, advocate, case, facts, source="advocate", now=NOW, today=TODAY
    )
    share_case(db_session, advocate, case, lawyer_user_id=id_of(world.partner_lawyer), now=NOW)

    # The advocate makes the pack.
    sign_in(page, "bea@harbour.example")
    page.goto(f"/cases/{case.public_id}")
    page.get_by_role("link", name="Documents: statements, letters and filings").click()
    assert_no_serious_axe_violations(page, "the documents page")
    first_url = make_version(page)
    expect(page.locator("#preview")).to_contain_text("WY-2024-00042")
    assert_no_serious_axe_violations(page, "a generated version, as the advocate")

    # The lawyer comments on a paragraph and asks for changes.
    with browser.new_context(base_url=live_server) as lawyer_context:
        lawyer = lawyer_context.new_page()
        sign_in(lawyer, "eli@quayside.example")
        lawyer.goto(first_url)
        expect(lawyer.locator("#facts")).to_contain_text("Police crime reference number")
        lawyer.get_by_label("What is your comment about?").select_option(index=3)
        lawyer.get_by_label("Your comment", exact=True).fill("The crime reference is wrong: check it.")
        lawyer.get_by_role("button", name="Add the comment").click()
        expect(lawyer.locator(".comment-body")).to_have_text("The crime reference is wrong: check it.")
        lawyer.get_by_label("Ask for changes (say what in a comment)").check()
        lawyer.get_by_role("button", name="Record the decision").click()
        expect(lawyer.locator("dl.summary-list")).to_contain_text("Changes requested")
        assert_no_serious_axe_violations(lawyer, "a version with changes requested, as the lawyer")

        # The advocate corrects the answer; the first version is out of date; a second is made.
        page.goto(first_url)
        expect(page.locator(".comment-body")).to_contain_text("crime reference is wrong")
        page.goto(f"/cases/{case.public_id}/documents")
        page.get_by_role("link", name="Check or change the answers it uses (CICA claim pack)").click()
        assert_no_serious_axe_violations(page, "the answers a template uses")
        page.get_by_label("Police crime reference number").fill("WY-2024-00043")
        page.get_by_role("button", name="Save the answers").click()
        expect(page.locator("#document-cica_claim_pack")).to_contain_text("Out of date")
        second_url = make_version(page)
        assert second_url != first_url

        # The lawyer sees what changed and approves; the downloaded file has the shown hash.
        lawyer.goto(second_url)
        changes = lawyer.locator("#changes")
        expect(changes).to_contain_text("Added: ")
        expect(changes.locator("ins")).to_contain_text(["WY-2024-00043"])
        expect(changes.locator("del")).to_contain_text(["WY-2024-00042"])
        assert_no_serious_axe_violations(lawyer, "a new version with its differences, as the lawyer")
        lawyer.get_by_label("Approve it: it will be frozen").check()
        lawyer.get_by_role("button", name="Record the decision").click()
        expect(lawyer.locator("dl.summary-list")).to_contain_text("Approved")
        shown_hash = lawyer.locator("#approved-sha256").inner_text().strip()
        with lawyer.expect_download() as download_info:
            lawyer.get_by_role("link", name="Word file").click()
        downloaded = Path(download_info.value.path()).read_bytes()
        assert hashlib.sha256(downloaded).hexdigest() == shown_hash
        assert_no_serious_axe_violations(lawyer, "an approved version")


def test_a_copy_of_form_i914_is_uploaded_and_filled_by_the_worker(
    page: Page,
    live_server: str,
    worker: None,
    db_session: Session,
    migrated_settings: Settings,
    tmp_path: Path,
) -> None:
    world = make_world(db_session, migrated_settings)
    case = new_case(db_session, migrated_settings, world, "Case Heron", jurisdiction="US-CA")
    advocate = actor(db_session, world.advocate)
    cases_service.change_facts(
        db_session,
        migrated_settings,
        advocate,
        case,
        {"person.full_name": "Rosa Ficticia", "person.date_of_birth": "1994-06-12"},
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    blank, scan = tmp_path / "i-914.pdf", tmp_path / "scan.pdf"
    blank.write_bytes(fillable_pdf())
    scan.write_bytes(fillable_pdf((), ()))

    sign_in(page, "bea@harbour.example")
    page.goto(f"/cases/{case.public_id}/documents")
    page.get_by_role("link", name="Fill your copy of the official Form I-914 PDF from the answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fill your copy of Form I-914")
    assert_no_serious_axe_violations(page, "the I-914 filling page")
    page.get_by_label("The blank Form I-914 (PDF)").set_input_files(str(scan))
    page.get_by_role("button", name="Fill the form").click()
    expect(page.locator(".error-summary")).to_contain_text("This PDF has no fillable fields")
    assert_no_serious_axe_violations(page, "the I-914 filling page with an error")
    page.get_by_label("The blank Form I-914 (PDF)").set_input_files(str(blank))
    page.get_by_role("button", name="Fill the form").click()
    expect(page.get_by_role("status")).to_contain_text("The form was received")
    link = page.get_by_role("link", name="Download the filled Form I-914 (PDF)")
    for _ in range(90):  # the worker fills it in the background; the page says "Check again"
        if link.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(link).to_be_visible()
    expect(page.locator("main")).to_contain_text("Part 2, date of birth (P1_Line2_DateOfBirth[0])")
    assert_no_serious_axe_violations(page, "a filled I-914 with its report")
    with page.expect_download() as download:
        link.click()
    filled = Path(download.value.path()).read_bytes()
    assert field_values(filled)["P1_Line2_DateOfBirth[0]"] == "06/12/1994"
