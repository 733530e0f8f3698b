"""The deadline and reminder pages as people use them: confirm, a letter's date, the bell, the
calendar feed (parsed with icalendar, revoked → 404), and the survivor's contact preferences."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, select

from api.db.engine import create_db_engine
from api.deadlines.models import CaseDeadline, DeadlineState
from api.reminders.sweep import sweep
from api.settings import Settings
from tests.api.cases.builders import PASSPHRASE, PASSWORD, World, make_world
from tests.api.deadlines.helpers import add_survivor, cica_case
from tests.web.staff_pages import browser, cheap, csrf_token, error_summary, location, post_form, sign_in
from web.i18n import LANGUAGE_COOKIE


def _setup(settings: Settings) -> tuple[World, str]:
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session:
        world = make_world(session, settings)
        case = cica_case(session, settings, world)
        case_id = case.public_id
    engine.dispose()
    return world, case_id


def _deadline(settings: Settings) -> CaseDeadline:
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session:
        row = session.exec(select(CaseDeadline)).one()
        session.expunge(row)
    engine.dispose()
    return row


def test_an_advocate_checks_confirms_and_overrides_a_deadline(migrated_settings: Settings) -> None:
    settings = cheap(migrated_settings)
    _world, case_id = _setup(settings)
    row = _deadline(settings)
    with browser(settings) as client:
        sign_in(client, "bea@harbour.example", PASSWORD)
        page = client.get(f"/cases/{case_id}/deadlines")
        assert page.status_code == 200
        for shown in ("UK-CICA-D1", "Not confirmed yet", "10 March 2027", "10 March 2025", row.basis):
            assert shown in page.text
        assert f'href="/cases/{case_id}/deadlines"' in client.get(f"/cases/{case_id}").text

        url = f"/cases/{case_id}/deadlines/{row.public_id}"
        confirmed = post_form(client, url, {"action": "confirm"}, token_page=f"/cases/{case_id}/deadlines")
        assert confirmed.status_code == 303
        assert location(confirmed).startswith(f"/cases/{case_id}/deadlines?done=confirm")
        page = client.get(location(confirmed))
        assert "Deadline confirmed" in page.text
        assert "pending" in page.text  # the planned reminders are listed

        refused = post_form(
            client,
            url,
            {"action": "override", "due": "10/03/2027", "reason": ""},
            token_page=f"/cases/{case_id}/deadlines",
        )
        assert refused.status_code == 422
        assert [field for field, _ in error_summary(refused.text)] == ["due", "reason"]
        assert _deadline(settings).override_due is None

        saved = post_form(
            client,
            url,
            {"action": "override", "due": "2027-01-15", "reason": "CICA letter of 20 November 2026"},
            token_page=f"/cases/{case_id}/deadlines",
        )
        assert saved.status_code == 303
        page = client.get(location(saved))
        assert "15 January 2027" in page.text
        assert "CICA letter of 20 November 2026" in page.text
    stored = _deadline(settings)
    assert (stored.due_on, stored.state) == (date(2027, 1, 15), DeadlineState.CONFIRMED)


def test_a_moved_deadline_shows_old_and_new_dates(migrated_settings: Settings) -> None:
    settings = cheap(migrated_settings)
    _world, case_id = _setup(settings)
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session:
        session.execute(
            update(CaseDeadline).values(
                state="moved", previous_due=date(2027, 3, 1), computed_due=date(2027, 3, 10)
            )
        )
        session.commit()
    engine.dispose()
    with browser(settings) as client:
        sign_in(client, "bea@harbour.example", PASSWORD)
        page = client.get(f"/cases/{case_id}/deadlines")
    assert "Moved: confirm again" in page.text
    assert "<del>1 March 2027</del> → <strong>10 March 2027</strong>" in page.text


def test_the_bell_counts_notifications_and_the_list_marks_them_read(migrated_settings: Settings) -> None:
    settings = cheap(migrated_settings)
    _world, case_id = _setup(settings)
    row = _deadline(settings)
    with browser(settings) as client:
        sign_in(client, "bea@harbour.example", PASSWORD)
        post_form(
            client,
            f"/cases/{case_id}/deadlines/{row.public_id}",
            {"action": "confirm"},
            token_page="/account",
        )
        assert "unread" not in client.get("/cases").text
        engine = create_db_engine(settings.database_url)
        sweep(engine, settings, now=lambda: datetime(2027, 3, 10, 9, 1, tzinfo=UTC))
        engine.dispose()

        header = client.get("/cases").text
        assert 'class="badge">7<span class="visually-hidden"> unread</span>' in header
        listing = client.get("/notifications")
        assert "Deadline today: case Case Kestrel" in listing.text
        done = post_form(client, "/notifications/read", {}, token_page="/notifications")
        assert location(done) == "/notifications"
        assert "unread</span>" not in client.get("/cases").text


def test_the_calendar_feed_parses_with_icalendar_and_a_revoked_token_is_404(
    migrated_settings: Settings,
) -> None:
    settings = cheap(migrated_settings)
    _world, _case_id = _setup(settings)
    with browser(settings) as client:
        sign_in(client, "bea@harbour.example", PASSWORD)
        made = post_form(client, "/account/calendar", {"action": "create"}, token_page="/account/calendar")
        assert made.status_code == 200
        url = made.text.split('<code id="feed-url">')[1].split("</code>")[0]
        path = url.removeprefix("http://testserver")
        anonymous = TestClient(client.app)  # a calendar app: no cookies

        feed = anonymous.get(path)
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(feed.text)
        events = list(calendar.walk("VEVENT"))
        assert [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in events] == [
            ("Case Kestrel: deadline UK-CICA-D1 (not confirmed yet)", date(2027, 3, 10))
        ]
        assert str(events[0]["STATUS"]) == "TENTATIVE"

        post_form(client, "/account/calendar", {"action": "revoke"}, token_page="/account/calendar")
        assert anonymous.get(path).status_code == 404
        assert anonymous.get("/calendar/not-a-token.ics").status_code == 404


def test_a_survivor_sets_contact_preferences_and_the_advocate_sees_why_nothing_is_sent(
    migrated_settings: Settings,
) -> None:
    settings = cheap(migrated_settings)
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session:
        world = make_world(session, settings)
        case = cica_case(session, settings, world)
        survivor = add_survivor(session, settings, world, case)
        sign_in_name, case_id = survivor.sign_in_name, case.public_id
    engine.dispose()
    with browser(settings) as client:
        response = client.post(
            "/survivor/sign-in",
            data={
                "csrf_token": csrf_token(client, "/survivor/sign-in"),
                "sign_in_name": sign_in_name,
                "passphrase": PASSPHRASE,
            },
        )
        assert response.status_code == 303
        page = client.get("/survivor/contact-preferences")
        assert page.status_code == 200
        refused = post_form(
            client,
            "/survivor/contact-preferences",
            {"reminders": "yes", "email": "not an address", "message_language": "en"},
            token_page="/survivor/contact-preferences",
        )
        assert refused.status_code == 422
        assert error_summary(refused.text)[0][0] == "email"
        saved = post_form(
            client,
            "/survivor/contact-preferences",
            {"reminders": "yes", "email": "kes@mail.example", "name": "Robin", "message_language": "en"},
            token_page="/survivor/contact-preferences",
        )
        assert saved.status_code == 303
        page = client.get(location(saved))
        assert 'value="kes@mail.example"' in page.text

    with browser(settings) as client:
        sign_in(client, "bea@harbour.example", PASSWORD)
        page = client.get(f"/cases/{case_id}/deadlines")
    assert "The person gets no reminders: The person has not marked their email as safe to use." in page.text
    # The address itself is encrypted at rest.
    engine = create_db_engine(settings.database_url)
    with engine.connect() as connection:
        raw = connection.exec_driver_sql("SELECT email_encrypted FROM contact_preference").scalar_one()
    engine.dispose()
    assert b"kes@mail.example" not in raw


def test_the_contact_preferences_page_speaks_the_survivors_language(migrated_settings: Settings) -> None:
    """Spanish and Arabic: every text and error translated, the title neutral, one "language" id."""
    settings = cheap(migrated_settings)
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session:
        world = make_world(session, settings)
        case = cica_case(session, settings, world)
        sign_in_name = add_survivor(session, settings, world, case).sign_in_name
    engine.dispose()
    page_url = "/survivor/contact-preferences"
    with browser(settings) as client:
        client.cookies.set(LANGUAGE_COOKIE, "es")
        response = client.post(
            "/survivor/sign-in",
            data={
                "csrf_token": csrf_token(client, "/survivor/sign-in"),
                "sign_in_name": sign_in_name,
                "passphrase": PASSPHRASE,
            },
        )
        assert response.status_code == 303
        page = client.get(page_url)
        assert page.status_code == 200
        assert "<title>Cómo podemos contactarle – Redress</title>" in page.text
        for spanish in ("¿Dónde podemos enviarlos?", "Idioma de los mensajes", "Nadie más lee este correo"):
            assert spanish in page.text
        for english in ("Where can we send them?", "Language of the messages", "Nobody else reads"):
            assert english not in page.text
        # The header's language switcher and the form's language field are two different fields.
        assert page.text.count('id="language"') == 1
        assert 'id="message_language"' in page.text
        # Nothing chosen yet: the reminders' language offered is the one they read the page in.
        assert '<option value="es" selected>Español</option>' in page.text

        refused = post_form(
            client,
            page_url,
            {"reminders": "yes", "email_safe": "yes", "name": "R" * 61, "message_language": "xx"},
            token_page=page_url,
        )
        assert refused.status_code == 422
        assert "<title>Error: Cómo podemos contactarle – Redress</title>" in refused.text
        assert error_summary(refused.text) == [
            (
                "email",
                "Escriba la dirección de correo electrónico que nadie más lee, o desmarque "
                "«Nadie más lee este correo electrónico».",
            )
        ]
        too_long = post_form(client, page_url, {"reminders": "no", "name": "R" * 61}, token_page=page_url)
        assert error_summary(too_long.text) == [("name", "Use como máximo 60 caracteres.")]
        unknown = post_form(
            client, page_url, {"reminders": "no", "message_language": "xx"}, token_page=page_url
        )
        assert error_summary(unknown.text) == [("message_language", "Elija un idioma de la lista.")]
        unanswered = post_form(client, page_url, {"reminders": ""}, token_page=page_url)
        assert error_summary(unanswered.text) == [("reminders", "Elija sí o no.")]

        client.cookies.set(LANGUAGE_COOKIE, "ar")
        page = client.get(page_url)
        assert 'dir="rtl"' in page.text
        assert "<title>كيف يمكننا التواصل معك – Redress</title>" in page.text
        saved = post_form(
            client,
            page_url,
            {"reminders": "yes", "in_app_safe": "yes", "message_language": "ar"},
            token_page=page_url,
        )
        assert saved.status_code == 303
        page = client.get(location(saved))
        assert "تم الحفظ." in page.text
        assert '<option value="ar" selected>العربية</option>' in page.text


def test_a_survivor_chooses_safe_times_and_the_advocate_sees_them(migrated_settings: Settings) -> None:
    """The hours and "not at weekends" are kept; a half-chosen window is refused in their language
    with what they typed kept; the advocate reads the window in words."""
    settings = cheap(migrated_settings)
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session:
        world = make_world(session, settings)
        case = cica_case(session, settings, world)
        sign_in_name, case_id = add_survivor(session, settings, world, case).sign_in_name, case.public_id
    engine.dispose()
    page_url = "/survivor/contact-preferences"
    chosen = {"reminders": "yes", "email": "kes@mail.example", "email_safe": "yes", "message_language": "ar"}
    with browser(settings) as client:
        client.cookies.set(LANGUAGE_COOKIE, "ar")
        client.post(
            "/survivor/sign-in",
            data={
                "csrf_token": csrf_token(client, "/survivor/sign-in"),
                "sign_in_name": sign_in_name,
                "passphrase": PASSPHRASE,
            },
        )
        page = client.get(page_url)
        assert "Europe/London" in page.text
        assert 'id="safe_from"' in page.text
        assert "When is it safe to get an email?" not in page.text  # translated

        half = post_form(
            client, page_url, {**chosen, "safe_from": "13", "safe_until": ""}, token_page=page_url
        )
        assert half.status_code == 422
        assert [field for field, _ in error_summary(half.text)] == ["safe_from"]
        assert '<option value="13" selected>13:00</option>' in half.text  # what they chose is kept
        tampered = post_form(
            client, page_url, {**chosen, "safe_from": "25", "safe_until": "3"}, token_page=page_url
        )
        assert tampered.status_code == 422

        saved = post_form(
            client,
            page_url,
            {**chosen, "safe_from": "13", "safe_until": "17", "weekdays_only": "yes"},
            token_page=page_url,
        )
        assert saved.status_code == 303
        page = client.get(location(saved))
        assert '<option value="13" selected>13:00</option>' in page.text
        assert '<option value="17" selected>17:00</option>' in page.text
        assert 'id="weekdays_only" name="weekdays_only" value="yes" checked' in page.text

    with browser(settings) as client:
        sign_in(client, "bea@harbour.example", PASSWORD)
        page = client.get(f"/cases/{case_id}/deadlines")
    assert (
        "Emails to the person go only from 13:00 to 17:00 (Europe/London), not on Saturdays or Sundays"
        in (page.text)
    )


def test_an_admin_sets_the_reminder_policy_and_the_time_zone(migrated_settings: Settings) -> None:
    """The organisation page: days, hours and the time zone are saved; a bad hour or an unknown
    zone is refused, naming the field, with nothing saved."""
    settings = cheap(migrated_settings)
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session:
        make_world(session, settings)
    engine.dispose()
    page_url = "/organisation/reminders"
    fields = {
        "timezone": "America/New_York",
        "days_limit": "30, 7, 0",
        "hour_limit": "10",
        "days_target": "7, 1",
        "hour_target": "9",
        "days_period_end": "14, 2",
        "hour_period_end": "8",
    }
    with browser(settings) as client:
        sign_in(client, "ana@harbour.example", PASSWORD)
        page = client.get(page_url)
        assert '<option value="Europe/London" selected>Europe/London</option>' in page.text

        refused = post_form(
            client,
            page_url,
            {**fields, "hour_limit": "noon", "timezone": "Nowhere/Town"},
            token_page=page_url,
        )
        assert refused.status_code == 422
        assert [field for field, _ in error_summary(refused.text)] == ["hour_limit", "timezone"]
        assert client.get(page_url).text.count("selected>Europe/London<") == 1  # nothing saved

        saved = post_form(client, page_url, fields, token_page=page_url)
        assert saved.status_code == 303
        page = client.get(location(saved))
        assert '<option value="America/New_York" selected>America/New York</option>' in page.text
        assert 'value="30, 7, 0"' in page.text
        assert "a new time zone applies to every reminder not sent yet" in page.text
