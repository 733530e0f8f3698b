"""Comments on a case or one of its applications: who may write and read them, how they are
validated, audited and encrypted at rest, and the migration that adds their table.

People and organisations are the fictional ones of :mod:`tests.api.cases.builders`; the case has a
``uk.cica`` and a ``uk.nrm`` application, so a share of one application can be told apart from a
share of the whole case.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from api.access import Actor, CaseAccess, Share, may_read_comments, may_view_whole_case
from api.audit.models import CaseEvent
from api.auth.models import SCOPE_CASES_READ
from api.cases import comments
from api.cases.comments import BODY_MAX_LENGTH, add_comment, comment_aad, list_comments
from api.cases.errors import AccessDenied, CaseInputError, CaseNotFound
from api.cases.facts_store import data_key_of
from api.cases.models import Application, CaseComment, LegalCase
from api.cases.sharing import revoke_share, share_case
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.db.engine import create_db_engine, sqlite_file
from api.orgs.models import Role, User
from api.security.crypto import DecryptionError, decrypt_field
from api.settings import Settings
from tests.api.cases.builders import NOW, PASSPHRASE, World, actor, id_of, new_case, start
from tests.api.migration_checks import check_round_trip

# Distinctive fictional text: searched for in the raw database file.
SECRET_COMMENT: Final = "Marisol said the foreman at Quokka Farm kept her passport in a biscuit tin"
LATER = NOW + timedelta(minutes=5)


@dataclass(frozen=True)
class SharedCase:
    """A home case with two applications, shared whole with the partner lawyer and only its
    ``uk.cica`` application with the home lawyer."""

    case: LegalCase
    cica: Application
    nrm: Application


@pytest.fixture
def shared(db_session: Session, cheap_settings: Settings, world: World) -> SharedCase:
    case = new_case(db_session, cheap_settings, world)
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    nrm = start(db_session, cheap_settings, world, case, "uk.nrm")
    advocate = actor(db_session, world.advocate)
    share_case(db_session, advocate, case, lawyer_user_id=id_of(world.partner_lawyer), now=NOW)
    share_case(
        db_session,
        advocate,
        case,
        lawyer_user_id=id_of(world.lawyer),
        application_public_id=cica.public_id,
        now=NOW,
    )
    return SharedCase(case, cica, nrm)


def _add(
    session: Session,
    settings: Settings,
    user: User,
    case: LegalCase,
    body: str = "Please check the date of the first police report.",
    *,
    application: Application | None = None,
    scopes: tuple[str, ...] | None = None,
    now: datetime = NOW,
) -> comments.CommentView:
    return add_comment(
        session,
        settings,
        actor(session, user, scopes),
        case,
        body=body,
        application_public_id=None if application is None else application.public_id,
        now=now,
    )


def _survivor(session: Session, settings: Settings, world: World, case: LegalCase) -> User:
    code = issue_access_code(session, settings, actor(session, world.advocate), case, now=NOW)
    return redeem_access_code(
        session, settings, code=code, passphrase=PASSPHRASE, display_name="Rosa", now=NOW + timedelta(hours=1)
    )


def _comment_count(session: Session) -> int:
    return len(session.exec(select(CaseComment)).all())


# --- writing --------------------------------------------------------------------------------------


def test_an_advocate_comments_and_the_comment_is_audited_without_its_text(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    view = _add(db_session, cheap_settings, world.advocate, shared.case, "  Ask about the payslips.\r\n  ")

    assert view.body == "Ask about the payslips."  # surrounding spaces dropped
    assert view.author_name == "Bea Advocate"
    assert view.author_user_id == id_of(world.advocate)
    assert view.application_public_id is None
    assert view.workflow_id is None
    assert view.created_at == NOW
    row = db_session.exec(select(CaseComment)).one()
    assert row.public_id == view.public_id
    assert row.case_id == shared.case.id
    assert row.application_id is None
    assert b"payslips" not in row.body_encrypted
    [event] = db_session.exec(select(CaseEvent).where(CaseEvent.action == "comment.added")).all()
    assert (event.case_id, event.actor_user_id, event.subject, event.at) == (
        shared.case.id,
        id_of(world.advocate),
        view.public_id,
        NOW,
    )
    for event in db_session.exec(select(CaseEvent)).all():
        assert "payslips" not in (event.subject or "")


def test_line_breaks_inside_a_comment_are_kept_and_windows_ones_normalised(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    _add(db_session, cheap_settings, world.advocate, shared.case, "First point.\r\n\r\nSecond point.\rThird.")

    [view] = list_comments(db_session, cheap_settings, actor(db_session, world.advocate), shared.case)
    assert view.body == "First point.\n\nSecond point.\nThird."


def test_a_comment_on_one_application_names_it(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    view = _add(db_session, cheap_settings, world.admin, shared.case, application=shared.nrm)

    assert view.application_public_id == shared.nrm.public_id
    assert view.workflow_id == "uk.nrm"
    assert db_session.exec(select(CaseComment)).one().application_id == shared.nrm.id


@pytest.mark.parametrize(
    ("who", "target", "expected"),
    [
        ("admin", "case", "ok"),
        ("admin", "nrm", "ok"),
        ("advocate", "case", "ok"),
        ("advocate", "cica", "ok"),
        ("partner lawyer (whole case shared)", "case", "ok"),
        ("partner lawyer (whole case shared)", "nrm", "ok"),
        ("home lawyer (cica shared)", "cica", "ok"),
        ("home lawyer (cica shared)", "case", "application_id"),
        ("home lawyer (cica shared)", "nrm", "application_id"),
        ("unlinked lawyer (nothing shared)", "case", "not found"),
        ("other organisation's advocate", "case", "not found"),
        ("advocate with a read-only token", "case", "denied"),
    ],
)
def test_who_may_comment_on_what(
    db_session: Session,
    cheap_settings: Settings,
    world: World,
    shared: SharedCase,
    who: str,
    target: str,
    expected: str,
) -> None:
    users = {
        "admin": (world.admin, None),
        "advocate": (world.advocate, None),
        "partner lawyer (whole case shared)": (world.partner_lawyer, None),
        "home lawyer (cica shared)": (world.lawyer, None),
        "unlinked lawyer (nothing shared)": (world.unlinked_lawyer, None),
        "other organisation's advocate": (world.foreign_advocate, None),
        "advocate with a read-only token": (world.advocate, (SCOPE_CASES_READ,)),
    }
    user, scopes = users[who]
    application = {"case": None, "cica": shared.cica, "nrm": shared.nrm}[target]

    def attempt() -> comments.CommentView:
        return _add(db_session, cheap_settings, user, shared.case, application=application, scopes=scopes)

    if expected == "ok":
        assert attempt().author_user_id == id_of(user)
        assert _comment_count(db_session) == 1
        return
    if expected == "not found":
        with pytest.raises(CaseNotFound):
            attempt()
    elif expected == "denied":
        with pytest.raises(AccessDenied):
            attempt()
    else:
        with pytest.raises(CaseInputError) as refused:
            attempt()
        assert refused.value.field == expected
    db_session.rollback()
    assert _comment_count(db_session) == 0
    assert not db_session.exec(select(CaseEvent).where(CaseEvent.action == "comment.added")).all()


def test_a_survivor_may_neither_comment_nor_read_comments_on_their_own_case(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    _add(db_session, cheap_settings, world.advocate, shared.case, "A note for the team.")
    survivor = _survivor(db_session, cheap_settings, world, shared.case)
    db_session.refresh(shared.case)

    with pytest.raises(AccessDenied):
        _add(db_session, cheap_settings, survivor, shared.case)
    with pytest.raises(AccessDenied):
        list_comments(db_session, cheap_settings, actor(db_session, survivor), shared.case)
    assert _comment_count(db_session) == 1


def test_a_revoked_share_ends_commenting_at_once(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    share_row = share_case(
        db_session,
        actor(db_session, world.advocate),
        shared.case,
        lawyer_user_id=id_of(world.partner_lawyer),
        now=NOW,
    )
    revoke_share(
        db_session, actor(db_session, world.advocate), shared.case, share_id=id_of(share_row), now=NOW
    )

    with pytest.raises(CaseNotFound):
        _add(db_session, cheap_settings, world.partner_lawyer, shared.case)


def test_an_application_of_another_case_is_no_such_application(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    other = new_case(db_session, cheap_settings, world, "Case Plover")
    elsewhere = start(db_session, cheap_settings, world, other, "uk.cica")

    with pytest.raises(CaseInputError) as refused:
        _add(db_session, cheap_settings, world.advocate, shared.case, application=elsewhere)

    assert refused.value.field == "application_id"
    assert refused.value.message == comments.NO_SUCH_APPLICATION


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Enter your comment."),
        ("   \n\t  ", "Enter your comment."),
        ("x" * (BODY_MAX_LENGTH + 1), "Use at most 5,000 characters for a comment (5,001 now)."),
    ],
    ids=["empty", "only spaces", "too long"],
)
def test_an_empty_or_overlong_comment_is_refused_and_nothing_is_saved(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase, body: str, message: str
) -> None:
    with pytest.raises(CaseInputError) as refused:
        _add(db_session, cheap_settings, world.advocate, shared.case, body)

    assert (refused.value.field, refused.value.message) == ("body", message)
    db_session.rollback()
    assert _comment_count(db_session) == 0
    assert not db_session.exec(select(CaseEvent).where(CaseEvent.action == "comment.added")).all()


def test_the_longest_comment_is_accepted_whole(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    body = "y" * BODY_MAX_LENGTH

    assert _add(db_session, cheap_settings, world.advocate, shared.case, f"  {body}  ").body == body


def test_the_time_must_be_timezone_aware(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _add(db_session, cheap_settings, world.advocate, shared.case, now=NOW.replace(tzinfo=None))


# --- reading --------------------------------------------------------------------------------------


@pytest.fixture
def three_comments(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> SharedCase:
    """One comment on the whole case, one on ``uk.cica``, one on ``uk.nrm``, in that order."""
    _add(db_session, cheap_settings, world.advocate, shared.case, "On the case", now=NOW)
    _add(
        db_session,
        cheap_settings,
        world.partner_lawyer,
        shared.case,
        "On CICA",
        application=shared.cica,
        now=LATER,
    )
    _add(
        db_session,
        cheap_settings,
        world.admin,
        shared.case,
        "On NRM",
        application=shared.nrm,
        now=LATER + timedelta(minutes=1),
    )
    return shared


@pytest.mark.parametrize(
    ("who", "scopes", "expected"),
    [
        ("admin", None, ["On the case", "On CICA", "On NRM"]),
        ("advocate", None, ["On the case", "On CICA", "On NRM"]),
        ("advocate", (SCOPE_CASES_READ,), ["On the case", "On CICA", "On NRM"]),
        ("partner_lawyer", None, ["On the case", "On CICA", "On NRM"]),
        ("lawyer", None, ["On CICA"]),  # only the application shared with them
    ],
)
def test_each_reader_sees_the_comments_on_what_they_see_oldest_first(
    db_session: Session,
    cheap_settings: Settings,
    world: World,
    three_comments: SharedCase,
    who: str,
    scopes: tuple[str, ...] | None,
    expected: list[str],
) -> None:
    reader = actor(db_session, getattr(world, who), scopes)

    views = list_comments(db_session, cheap_settings, reader, three_comments.case)

    assert [view.body for view in views] == expected
    authors = {view.body: view.author_name for view in views}
    assert authors.get("On CICA") == "Eli Lawyer"


@pytest.mark.parametrize("who", ["unlinked_lawyer", "foreign_advocate"])
def test_people_who_do_not_see_the_case_read_no_comment(
    db_session: Session, cheap_settings: Settings, world: World, three_comments: SharedCase, who: str
) -> None:
    with pytest.raises(CaseNotFound):
        list_comments(db_session, cheap_settings, actor(db_session, getattr(world, who)), three_comments.case)


def test_comments_are_listed_by_time_whatever_order_they_were_written_in(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    _add(db_session, cheap_settings, world.advocate, shared.case, "Second", now=LATER)
    _add(db_session, cheap_settings, world.advocate, shared.case, "First", now=NOW)

    views = list_comments(db_session, cheap_settings, actor(db_session, world.advocate), shared.case)

    assert [view.body for view in views] == ["First", "Second"]


def test_a_case_without_comments_lists_none(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    assert list_comments(db_session, cheap_settings, actor(db_session, world.advocate), shared.case) == []


def test_the_pure_rules_behind_comment_reading() -> None:
    case = CaseAccess(
        organisation_id=1,
        survivor_user_id=50,
        shares=(Share(lawyer_user_id=30), Share(lawyer_user_id=31, application_id=7)),
    )
    advocate = Actor.of(10, {1: Role.ADVOCATE})
    whole_case_lawyer = Actor.of(30, {2: Role.LAWYER})
    one_application_lawyer = Actor.of(31, {2: Role.LAWYER})
    survivor = Actor.of(50, {1: Role.SURVIVOR})
    stranger = Actor.of(60, {3: Role.ADVOCATE})

    assert [may_read_comments(a, case) for a in (advocate, whole_case_lawyer, one_application_lawyer)] == [
        True,
        True,
        True,
    ]
    assert not may_read_comments(survivor, case)
    assert not may_read_comments(stranger, case)
    assert may_view_whole_case(advocate, case)
    assert may_view_whole_case(whole_case_lawyer, case)
    assert not may_view_whole_case(one_application_lawyer, case)
    assert may_view_whole_case(survivor, case)  # their own case; comments are refused separately
    assert not may_view_whole_case(stranger, case)
    # A token with no case scope reads nothing.
    assert not may_read_comments(Actor.of(10, {1: Role.ADVOCATE}, ["other:scope"]), case)


# --- at rest ----------------------------------------------------------------------------------------


def test_a_comment_decrypts_only_as_itself(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    first = _add(db_session, cheap_settings, world.advocate, shared.case, "First")
    second = _add(db_session, cheap_settings, world.advocate, shared.case, "Second")
    rows = {row.public_id: row for row in db_session.exec(select(CaseComment)).all()}
    key = data_key_of(cheap_settings, shared.case)

    sealed = rows[first.public_id].body_encrypted
    assert decrypt_field(key, sealed, aad=comment_aad(shared.case.public_id, first.public_id)) == b"First"
    # Copied onto another comment (or case), the ciphertext does not decrypt there.
    with pytest.raises(DecryptionError):
        decrypt_field(key, sealed, aad=comment_aad(shared.case.public_id, second.public_id))
    rows[second.public_id].body_encrypted = sealed
    db_session.add(rows[second.public_id])
    db_session.commit()
    with pytest.raises(DecryptionError):
        list_comments(db_session, cheap_settings, actor(db_session, world.advocate), shared.case)


@pytest.mark.sqlite_only
def test_the_sqlite_files_hold_no_comment_text(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    _add(db_session, cheap_settings, world.partner_lawyer, shared.case, SECRET_COMMENT)
    assert list_comments(db_session, cheap_settings, actor(db_session, world.advocate), shared.case)[
        0
    ].body == (SECRET_COMMENT)
    db_session.close()
    database = sqlite_file(cheap_settings.database_url)
    assert database is not None
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(path.read_bytes() for path in (database, Path(f"{database}-wal")) if path.exists())

    assert b"Case Kestrel" in raw, "positive control: the search must find plain values"
    for needle in (SECRET_COMMENT, "Quokka Farm", "biscuit tin"):
        assert needle.encode() not in raw, f"{needle!r} is stored in the clear"
        assert needle.encode().hex().encode() not in raw.lower(), f"{needle!r} is stored as hex"


def test_the_database_rows_hold_no_comment_text(
    db_session: Session, cheap_settings: Settings, world: World, shared: SharedCase
) -> None:
    """On either database: no column of any comment or event row holds the text."""
    _add(db_session, cheap_settings, world.advocate, shared.case, SECRET_COMMENT)

    blobs = db_session.exec(select(CaseComment.body_encrypted)).all()
    subjects = db_session.exec(select(CaseEvent.subject)).all()

    assert all(b"biscuit" not in bytes(blob) for blob in blobs)
    assert all("biscuit" not in (subject or "") for subject in subjects)


# --- the table --------------------------------------------------------------------------------------

REVISION: Final = "d1e2f3a4b5c6"
PREVIOUS: Final = "c1d2e3f4a5b6"


def _check_round_trip_and_cascade(database_url: str) -> None:
    check_round_trip(
        database_url, revision=REVISION, previous=PREVIOUS, tables={"case_comment"}, kept_table="legal_case"
    )

    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organisation (id, name, slug, timezone, require_staff_totp, created_at) "
                    "VALUES (1, 'Harbour Light Trust', 'harbour', 'Europe/London', false, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO app_user (id, email, display_name, password_hash, is_active, created_at) "
                    "VALUES (1, 'bea@harbour.example', 'Bea Advocate', 'x', true, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO legal_case (id, public_id, organisation_id, reference, preferred_language, "
                    "jurisdiction, status, wrapped_data_key, created_at, updated_at) VALUES (1, 'a1', 1, "
                    "'Case Kestrel', 'en', 'GB-ENG', 'open', 'v1:k:x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO case_comment (public_id, case_id, author_user_id, body_encrypted, "
                    "created_at) VALUES ('c1', 1, 1, :blob, CURRENT_TIMESTAMP)"
                ),
                {"blob": b"\x01sealed"},
            )
        # erasing a case takes its comments with it
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM legal_case WHERE id = 1"))
            assert connection.execute(text("SELECT count(*) FROM case_comment")).scalar_one() == 0
    finally:
        engine.dispose()


def test_the_comments_migration_round_trips_and_cascades_on_sqlite(settings: Settings) -> None:
    _check_round_trip_and_cascade(settings.database_url)


@pytest.mark.postgres
def test_the_comments_migration_round_trips_and_cascades_on_postgresql(postgres_database: str) -> None:
    _check_round_trip_and_cascade(postgres_database)
