"""Questions an advocate asks the survivor, as pages: asked and withdrawn by the advocate, answered
by the survivor in their language (errors included), shown back to the advocate with their
source; and the interpreter view of the interview (all data fictional)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.auth import service as auth_service
from api.cases import service as cases_service
from api.cases.models import LegalCase
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.orgs.models import User
from api.settings import Settings
from api.survivor_questions.models import SurvivorQuestion
from tests.api.cases.builders import PASSPHRASE, World, actor, make_world, new_case
from tests.web.staff_pages import error_summary
from web.app import create_app
from web.i18n import LANGUAGE_COOKIE
from web.identity import SESSION_COOKIE
from web.interpreter import COOKIE as INTERPRETER_COOKIE

TODAY = date(2026, 11, 22)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
HREFS = re.compile(r'href="([^"]+)"')


@pytest.fixture
def fast_settings(migrated_settings: Settings) -> Settings:
    return migrated_settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
    )


@pytest.fixture
def world(db_session: Session, fast_settings: Settings) -> World:
    return make_world(db_session, fast_settings)


@dataclass
class Setting:
    session: Session
    settings: Settings
    world: World
    case: LegalCase
    staff: TestClient
    survivor: TestClient


def _client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), follow_redirects=False)


def _signed_in(client: TestClient, session: Session, settings: Settings, user: User) -> TestClient:
    client.cookies.set(SESSION_COOKIE, auth_service.start_session(session, settings, user, datetime.now(UTC)))
    return client


@pytest.fixture
def setting(db_session: Session, fast_settings: Settings, world: World) -> Iterator[Setting]:
    now = datetime.now(UTC)
    advocate = actor(db_session, world.advocate)
    case = new_case(db_session, fast_settings, world, "Case Heron")
    cases_service.start_application(
        db_session, fast_settings, advocate, case, "uk.cica", now=now, today=TODAY
    )
    code = issue_access_code(db_session, fast_settings, advocate, case, now=now)
    user = redeem_access_code(
        db_session, fast_settings, code=code, passphrase=PASSPHRASE, display_name="Mira", now=now
    )
    db_session.refresh(case)
    with _client(fast_settings) as staff, _client(fast_settings) as survivor:
        _signed_in(staff, db_session, fast_settings, world.advocate)
        _signed_in(survivor, db_session, fast_settings, user)
        yield Setting(db_session, fast_settings, world, case, staff, survivor)


def _post(client: TestClient, url: str, data: dict[str, str], form_page: str) -> object:
    page = client.get(form_page)
    assert page.status_code == 200, page.text
    found = CSRF_FIELD.search(page.text)
    assert found is not None
    return client.post(url, data={**data, "csrf_token": found.group(1)})


def _staff_url(setting: Setting) -> str:
    return f"/cases/{setting.case.public_id}/survivor-questions"


def _ask(setting: Setting, key: str, note: str = "") -> str:
    response = _post(setting.staff, _staff_url(setting), {"fact": key, "note": note}, _staff_url(setting))
    assert response.status_code == 303, response.text
    setting.session.expire_all()
    row = setting.session.exec(
        select(SurvivorQuestion).where(
            SurvivorQuestion.fact_key == key, col(SurvivorQuestion.withdrawn_at).is_(None)
        )
    ).one()
    return row.public_id


def _title(html: str) -> str:
    found = TITLE.search(html)
    assert found is not None
    return found.group(1)


# --- the advocate asks ----------------------------------------------------------------------------


def test_the_advocate_is_offered_only_questions_for_survivors(setting: Setting) -> None:
    page = setting.staff.get(_staff_url(setting))
    assert page.status_code == 200
    assert '<option value="incident.date">Date of the violent incident</option>' in page.text
    assert "nrm.first_responder_org" not in page.text  # staff only: never offered
    assert "account.narrative" not in page.text
    task_list = setting.staff.get(f"/cases/{setting.case.public_id}").text
    assert f'href="{_staff_url(setting)}">Questions for them to answer</a>' in task_list

    refused = _post(
        setting.staff, _staff_url(setting), {"fact": "nrm.first_responder_org"}, _staff_url(setting)
    )
    assert refused.status_code == 422
    assert error_summary(refused.text) == [("fact", "Choose a question from the list.")]
    assert setting.session.exec(select(SurvivorQuestion)).all() == []


def test_the_advocate_sees_what_the_survivor_will_read(setting: Setting) -> None:
    offered = setting.staff.get(_staff_url(setting)).text
    # Before asking: each offered question beside the words the person reads.
    assert "<td>Date of birth</td><td>When were you born?" in offered
    assert "When did this employer last pay you?" in offered
    assert "you less than you were owed" in offered  # the hint written to them too

    _ask(setting, "incident.date")
    asked = setting.staff.get(_staff_url(setting)).text
    assert "<td>Date of the violent incident" in asked  # the staff label stays
    assert '<p class="hint">The person reads: “When did the violence against you happen?”</p>' in asked
    assert '<option value="incident.date">' not in asked  # asked already: no longer offered


def test_a_lawyer_and_another_organisation_cannot_use_the_page(setting: Setting) -> None:
    with _client(setting.settings) as other:
        _signed_in(other, setting.session, setting.settings, setting.world.foreign_advocate)
        assert other.get(_staff_url(setting)).status_code == 404


# --- the survivor answers, in their language --------------------------------------------------------


def test_the_survivor_answers_in_arabic_and_the_advocate_sees_it_as_theirs(setting: Setting) -> None:
    asked = _ask(setting, "police.reported", note="Take your time.")
    setting.survivor.cookies.set(LANGUAGE_COOKIE, "ar")

    home = setting.survivor.get("/survivor").text
    assert "أسئلة من المرشد الخاص بك" in home  # "Questions from your advocate"
    assert "بانتظار إجابتك: 1." in home
    listing = setting.survivor.get("/survivor/questions").text
    assert 'dir="rtl"' in listing
    assert "هل أُبلغت الشرطة بما حدث لك؟" in listing  # the question written to them, in Arabic
    assert "هل تم إبلاغ الشرطة بالجريمة؟" not in listing  # not the staff label
    assert f'href="/survivor/questions/{asked}"' in listing

    page = setting.survivor.get(f"/survivor/questions/{asked}")
    assert page.status_code == 200
    html = page.text
    assert _title(html) == "سؤال من المرشد الخاص بك – Redress"  # neutral: not the question
    assert "police" not in _title(html).lower()
    assert "<h1>هل أُبلغت الشرطة بما حدث لك؟</h1>" in html
    assert "<p>لا يهم من أبلغها.</p>" in html  # "It does not matter who told them."
    assert "هل تم إبلاغ الشرطة بالجريمة؟" not in html
    for text in (
        "<span>نعم</span>",
        "<span>لا</span>",
        "<span>لا أعرف</span>",
        "لماذا نسأل:",
        "من سيرى هذا:",
    ):
        assert text in html, text
    assert "Take your time." in html
    # No address on the page names what is asked.
    assert not [href for href in HREFS.findall(html) if "police" in href or "reported" in href]

    blank = _post(setting.survivor, f"/survivor/questions/{asked}", {}, f"/survivor/questions/{asked}")
    assert blank.status_code == 422
    assert error_summary(blank.text) == [("q-police-reported", "اختر نعم أو لا أو “لا أعرف”")]
    assert _title(blank.text).startswith("خطأ:")

    saved = _post(
        setting.survivor, f"/survivor/questions/{asked}", {"answer": "yes"}, f"/survivor/questions/{asked}"
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/survivor/questions?saved=1"
    assert "تم حفظ إجابتك." in setting.survivor.get("/survivor/questions?saved=1").text

    staff_page = setting.staff.get(_staff_url(setting)).text
    assert "Answered" in staff_page
    assert "Yes" in staff_page
    assert "Given by the person on their own pages" in staff_page
    cica = cases_service.list_applications(
        setting.session, actor(setting.session, setting.world.advocate), setting.case
    )[0]
    check = setting.staff.get(
        f"/cases/{setting.case.public_id}/applications/{cica.public_id}/check-answers"
    ).text
    assert '<strong class="tag">From the person</strong> Mira' in check


def test_the_survivor_reads_the_question_written_to_them(setting: Setting) -> None:
    asked = _ask(setting, "person.date_of_birth")

    listing = setting.survivor.get("/survivor/questions").text
    assert f'<a href="/survivor/questions/{asked}">When were you born?</a>' in listing
    assert "Date of birth" not in listing

    html = setting.survivor.get(f"/survivor/questions/{asked}").text
    assert '<label for="q-person-date-of-birth">When were you born?</label></h1>' in html
    assert "If you are not sure of the exact date, press “I don&#39;t know”." in html
    assert "Date of birth" not in html
    assert "disputed" not in html  # the staff hint asks for what the survivor cannot say here

    setting.survivor.cookies.set(LANGUAGE_COOKIE, "es")
    assert '">¿Cuándo nació?</a>' in setting.survivor.get("/survivor/questions").text
    spanish = setting.survivor.get(f"/survivor/questions/{asked}").text
    assert '<label for="q-person-date-of-birth">¿Cuándo nació?</label></h1>' in spanish
    assert "Si no está seguro o segura de la fecha exacta, pulse “No lo sé”." in spanish
    assert "Fecha de nacimiento" not in spanish


def test_a_question_whose_fact_is_no_longer_askable_still_shows(setting: Setting) -> None:
    """Asked before the dictionary stopped offering it: no survivor wording, so the label."""
    stale = SurvivorQuestion(
        case_id=setting.case.id, fact_key="person.nationality", asked_by_user_id=setting.world.advocate.id,
        asked_at=datetime.now(UTC),
    )  # fmt: skip
    setting.session.add(stale)
    setting.session.commit()
    assert f'<a href="/survivor/questions/{stale.public_id}">Nationality</a>' in (
        setting.survivor.get("/survivor/questions").text
    )
    page = setting.survivor.get(f"/survivor/questions/{stale.public_id}")
    assert page.status_code == 200
    assert "<h1>Nationality</h1>" in page.text


def test_a_bad_date_is_explained_in_their_language_and_kept_as_typed(setting: Setting) -> None:
    asked = _ask(setting, "incident.date")
    setting.survivor.cookies.set(LANGUAGE_COOKIE, "es")
    url = f"/survivor/questions/{asked}"

    response = _post(setting.survivor, url, {"answer": "30/2/2025"}, url)

    assert response.status_code == 422
    assert error_summary(response.text) == [
        ("q-incident-date", "30 de febrero de 2025 no es una fecha real: febrero de 2025 tiene 28 días")
    ]
    assert 'value="30/2/2025"' in response.text  # nothing typed is lost
    assert "<h1" in response.text
    assert "¿Cuándo ocurrió la violencia contra usted?</label></h1>" in response.text
    assert "<p>Si ocurrió más de una vez, indique la fecha de la última vez.</p>" in response.text
    assert "Fecha del incidente violento" not in response.text  # the staff label
    assert "Si hubo abusos durante un tiempo" not in response.text  # and the staff hint
    future = _post(setting.survivor, url, {"answer": "2099-01-01"}, url)
    assert error_summary(future.text)[0][1].startswith("La fecha debe ser hoy o en el pasado")
    assert (
        cases_service.read_facts(setting.session, setting.settings, setting.case).get("incident.date") is None
    )

    dont_know = _post(setting.survivor, url, {"answer": "", "dont_know": "1"}, url)
    assert dont_know.status_code == 303
    setting.session.rollback()  # a new transaction: the facts are read again
    record = cases_service.read_facts(setting.session, setting.settings, setting.case)["incident.date"]
    assert record.is_unknown
    assert record.source == "survivor"


def test_after_an_answer_the_next_waiting_question_follows(setting: Setting) -> None:
    first = _ask(setting, "police.reported")
    second = _ask(setting, "person.phone")
    response = _post(
        setting.survivor, f"/survivor/questions/{first}", {"answer": "no"}, f"/survivor/questions/{first}"
    )
    assert response.headers["location"] == f"/survivor/questions/{second}"
    later = _post(
        setting.survivor, f"/survivor/questions/{second}", {"then": "later"}, f"/survivor/questions/{second}"
    )
    assert later.headers["location"] == "/survivor/questions"  # nothing entered: nothing saved


def test_a_withdrawn_or_foreign_question_is_not_found(setting: Setting) -> None:
    asked = _ask(setting, "police.reported")
    withdraw = _post(setting.staff, f"{_staff_url(setting)}/{asked}/withdraw", {}, _staff_url(setting))
    assert withdraw.status_code == 303
    assert setting.survivor.get(f"/survivor/questions/{asked}").status_code == 404
    refused = _post(
        setting.survivor, f"/survivor/questions/{asked}", {"answer": "yes"}, "/survivor/questions"
    )
    assert refused.status_code == 404
    assert "police" not in setting.survivor.get("/survivor/questions").text.lower()

    other = new_case(setting.session, setting.settings, setting.world, "Case Plover")
    foreign = SurvivorQuestion(
        case_id=other.id, fact_key="police.reported", asked_by_user_id=setting.world.advocate.id,
        asked_at=datetime.now(UTC),
    )  # fmt: skip
    setting.session.add(foreign)
    setting.session.commit()
    assert setting.survivor.get(f"/survivor/questions/{foreign.public_id}").status_code == 404


# --- the interpreter view -------------------------------------------------------------------------


def _question_url(setting: Setting, case: LegalCase, key: str) -> str:
    advocate = actor(setting.session, setting.world.advocate)
    application = cases_service.list_applications(setting.session, advocate, case)[0]
    return f"/cases/{case.public_id}/applications/{application.public_id}/questions/{key}"


def test_the_interpreter_view_shows_the_question_in_the_survivors_language(
    setting: Setting, db_session: Session
) -> None:
    advocate = actor(db_session, setting.world.advocate)
    now = datetime.now(UTC)
    case = cases_service.create_case(
        db_session, setting.settings, advocate, reference="Case Wren", preferred_language="ar",
        jurisdiction="GB-ENG", now=now,
    )  # fmt: skip
    cases_service.start_application(
        db_session, setting.settings, advocate, case, "uk.cica", now=now, today=TODAY
    )
    url = _question_url(setting, case, "police.reported")

    off = setting.staff.get(url).text
    assert (
        f'<a href="{url}?interpreter=on">Show in Arabic (<span lang="ar" dir="rtl">العربية</span>)</a>' in off
    )
    assert 'id="interpreter-text"' not in off

    on = setting.staff.get(url + "?interpreter=on")
    assert on.cookies.get(INTERPRETER_COOKIE) == "on"
    block = '<div class="panel" id="interpreter-text" lang="ar" dir="rtl">'
    assert block in on.text
    assert "<p><strong>هل تم إبلاغ الشرطة بالجريمة؟</strong></p>" in on.text
    assert "<li>نعم</li>" in on.text
    assert "<li>لا أعرف</li>" in on.text
    assert "Has the crime been reported to the police?" in on.text  # English beside it
    assert '<html lang="en"' in on.text  # the page itself stays English

    # Remembered for the rest of the interview, on another question too.
    remembered = setting.staff.get(_question_url(setting, case, "incident.date")).text
    assert block in remembered
    assert "تاريخ حادثة العنف" in remembered
    # A question without a translation says so rather than repeating the English.
    untranslated = setting.staff.get(_question_url(setting, case, "cica.injury_physical")).text
    assert "This question has no Arabic translation yet" in untranslated

    hidden = setting.staff.get(url + "?interpreter=off")
    assert 'id="interpreter-text"' not in hidden.text
    assert setting.staff.get(url).text.count('id="interpreter-text"') == 0


def test_no_interpreter_control_for_a_case_in_english(setting: Setting, db_session: Session) -> None:
    advocate = actor(db_session, setting.world.advocate)
    now = datetime.now(UTC)
    case = cases_service.create_case(
        db_session, setting.settings, advocate, reference="Case Lark", preferred_language="en",
        jurisdiction="GB-ENG", now=now,
    )  # fmt: skip
    cases_service.start_application(
        db_session, setting.settings, advocate, case, "uk.cica", now=now, today=TODAY
    )
    html = setting.staff.get(_question_url(setting, case, "police.reported") + "?interpreter=on").text
    assert "interpreter-text" not in html
    assert "Show in" not in html


def test_an_answer_that_contradicts_another_is_refused_in_their_language(setting: Setting) -> None:
    advocate = actor(setting.session, setting.world.advocate)
    cases_service.change_facts(
        setting.session, setting.settings, advocate, setting.case, {"exploitation.start_date": "2024-05-01"},
        source="advocate", now=datetime.now(UTC), today=TODAY,
    )  # fmt: skip
    asked = _ask(setting, "exploitation.end_date")
    setting.survivor.cookies.set(LANGUAGE_COOKIE, "ro")
    url = f"/survivor/questions/{asked}"

    response = _post(setting.survivor, url, {"answer": "2024-01-01"}, url)

    assert response.status_code == 422
    assert error_summary(response.text) == [
        (
            "q-exploitation-end-date",
            "Acest răspuns nu se potrivește cu ceva deja notat. "
            "Verificați-l, sau întrebați-l pe consilierul dumneavoastră.",
        )
    ]
    assert 'value="2024-01-01"' in response.text
    setting.session.rollback()
    assert "exploitation.end_date" not in cases_service.read_facts(
        setting.session, setting.settings, setting.case
    )
