"""Evidence uploads: checked by content, hidden details removed from images, encrypted at rest,
seen by the right people only, and handed to a documents bundle (all data fictional)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Final

import pytest
from PIL import Image
from sqlalchemy import text
from sqlmodel import Session, select

from api.audit.models import CaseEvent
from api.cases.errors import AccessDenied, CaseNotFound
from api.cases.models import LegalCase
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.db.engine import create_db_engine
from api.evidence import service
from api.evidence.models import EvidenceFile
from api.settings import Settings
from tests.api.cases.builders import PASSPHRASE, World, actor, new_case
from tests.api.evidence.images import CAMERA, GPS_IFD, pdf, photo
from tests.api.migration_checks import check_round_trip, seed_case

NOW: Final = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def case(db_session: Session, cheap_settings: Settings, world: World) -> LegalCase:
    return new_case(db_session, cheap_settings, world, "Case Heron")


def survivor_of(db_session: Session, settings: Settings, world: World, case: LegalCase) -> object:
    code = issue_access_code(db_session, settings, actor(db_session, world.advocate), case, now=NOW)
    user = redeem_access_code(
        db_session, settings, code=code, passphrase=PASSPHRASE, display_name="Mira", now=NOW
    )
    return actor(db_session, user)


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "HEIF"])
def test_an_image_loses_its_location_and_camera_but_keeps_its_picture(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, kind: str
) -> None:
    original = photo(kind)
    assert CAMERA.encode() in original

    row = service.upload(
        db_session,
        cheap_settings,
        actor(db_session, world.advocate),
        case,
        name="IMG_0001",
        content=original,
        now=NOW,
    )
    name, content_type, stored = service.read_file(
        db_session, cheap_settings, actor(db_session, world.advocate), case, row.public_id, now=NOW
    )

    assert row.metadata_removed
    assert content_type == {"JPEG": "image/jpeg", "PNG": "image/png", "HEIF": "image/heic"}[kind]
    assert name == "IMG_0001"
    assert CAMERA.encode() not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (64, 48)
        assert GPS_IFD not in image.getexif()
        assert not image.getexif()


def test_a_pdf_is_kept_as_it_is_and_says_so(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase
) -> None:
    row = service.upload(
        db_session,
        cheap_settings,
        actor(db_session, world.advocate),
        case,
        name="letter.pdf",
        content=pdf(),
        now=NOW,
    )
    assert not row.metadata_removed
    assert (
        service.read_file(
            db_session, cheap_settings, actor(db_session, world.advocate), case, row.public_id, now=NOW
        )[2]
        == pdf()
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"just some text, not a photo", service.WRONG_TYPE),
        ("photo.jpg", b"GIF89a pretending to be a JPEG by its name", service.WRONG_TYPE),
        ("empty.jpg", b"", service.EMPTY),
        ("broken.jpg", b"\xff\xd8\xff\xe0 then nothing an image would need", service.DAMAGED),
    ],
)
def test_files_that_are_not_accepted_get_a_clear_message_and_nothing_is_stored(
    db_session: Session,
    cheap_settings: Settings,
    world: World,
    case: LegalCase,
    name: str,
    content: bytes,
    message: str,
) -> None:
    with pytest.raises(service.EvidenceError) as refused:
        service.upload(
            db_session,
            cheap_settings,
            actor(db_session, world.advocate),
            case,
            name=name,
            content=content,
            now=NOW,
        )
    assert refused.value.message == message
    assert db_session.exec(select(EvidenceFile)).all() == []


def test_a_file_over_the_limit_is_refused(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase
) -> None:
    small_limit = cheap_settings.model_copy(update={"evidence_max_bytes": 500})
    with pytest.raises(service.EvidenceError) as refused:
        service.upload(
            db_session,
            small_limit,
            actor(db_session, world.advocate),
            case,
            name="big.jpg",
            content=photo(size=(400, 300)),
            now=NOW,
        )
    assert refused.value.message == service.TOO_BIG


def test_name_and_content_are_encrypted_at_rest_and_bound_to_their_case(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase
) -> None:
    service.upload(
        db_session, cheap_settings, actor(db_session, world.advocate), case, name="police statement.pdf",
        content=pdf(), now=NOW,
    )  # fmt: skip
    row = db_session.exec(select(EvidenceFile)).one()
    events = db_session.exec(select(CaseEvent.subject)).all()

    assert b"police statement" not in row.name_encrypted
    assert b"%PDF" not in row.content_encrypted
    assert all("police" not in (subject or "") for subject in events)
    # Moved to another case, the ciphertext does not open (the associated data binds it).
    other = new_case(db_session, cheap_settings, world, "Case Plover")
    row.case_id = other.id or 0
    db_session.add(row)
    db_session.commit()
    with pytest.raises(Exception, match="could not be decrypted|authenticat|Decryption"):
        service.list_files(db_session, cheap_settings, actor(db_session, world.advocate), other)


def test_who_sees_which_files(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase
) -> None:
    advocate = actor(db_session, world.advocate)
    survivor = survivor_of(db_session, cheap_settings, world, case)
    mine = service.upload(
        db_session, cheap_settings, survivor, case, name="payslip.jpg", content=photo(), now=NOW
    )
    theirs = service.upload(
        db_session, cheap_settings, advocate, case, name="scan.pdf", content=pdf(), now=NOW
    )

    assert [f.public_id for f in service.list_files(db_session, cheap_settings, advocate, case)] == [
        mine.public_id,
        theirs.public_id,
    ]
    # The survivor sees what they uploaded, not the advocate's scans.
    assert [f.public_id for f in service.list_files(db_session, cheap_settings, survivor, case)] == [
        mine.public_id
    ]
    with pytest.raises(service.EvidenceNotFound):
        service.read_file(db_session, cheap_settings, survivor, case, theirs.public_id, now=NOW)
    # Another organisation's advocate does not see the case at all; a lawyer without a share neither.
    for outsider in (world.foreign_advocate, world.unlinked_lawyer):
        with pytest.raises(CaseNotFound):
            service.list_files(db_session, cheap_settings, actor(db_session, outsider), case)
        with pytest.raises(CaseNotFound):
            service.upload(
                db_session,
                cheap_settings,
                actor(db_session, outsider),
                case,
                name="x.pdf",
                content=pdf(),
                now=NOW,
            )


def test_a_lawyer_with_a_share_may_not_upload(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase
) -> None:
    from api.cases.sharing import share_case

    share_case(
        db_session,
        actor(db_session, world.advocate),
        case,
        lawyer_user_id=world.partner_lawyer.id or 0,
        now=NOW,
    )
    with pytest.raises(AccessDenied):
        service.upload(
            db_session,
            cheap_settings,
            actor(db_session, world.partner_lawyer),
            case,
            name="x.pdf",
            content=pdf(),
            now=NOW,
        )


def test_the_attachments_for_a_documents_bundle(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase
) -> None:
    advocate = actor(db_session, world.advocate)
    service.upload(db_session, cheap_settings, advocate, case, name="photo.jpg", content=photo(), now=NOW)
    service.upload(
        db_session, cheap_settings, advocate, case, name="photo.jpg", content=photo("PNG"), now=NOW
    )
    service.upload(db_session, cheap_settings, advocate, case, name="", content=pdf(), now=NOW)

    attachments = service.evidence_attachments(db_session, cheap_settings, advocate, case)

    assert [(name, kind) for name, kind, _ in attachments] == [
        ("photo.jpg", "image/jpeg"),
        ("2-photo.jpg", "image/png"),
        ("file.pdf", "application/pdf"),
    ]
    assert attachments[2][2] == pdf()
    uploads = db_session.exec(select(CaseEvent).where(CaseEvent.action == "evidence.uploaded")).all()
    assert len(uploads) == 3


# --- the table --------------------------------------------------------------------------------------

REVISION: Final = "e6a1b2c3d4e5"
PREVIOUS: Final = "e4a1b2c3d4e5"


def _check_round_trip_and_cascade(database_url: str) -> None:
    check_round_trip(
        database_url,
        revision=REVISION,
        previous=PREVIOUS,
        tables={"evidence_file", "case_message", "deletion_request"},
        kept_table="legal_case",
    )
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            seed_case(connection)
            connection.execute(
                text(
                    "INSERT INTO evidence_file (public_id, case_id, uploaded_by_user_id, content_type, "
                    "size_bytes, name_encrypted, content_encrypted, metadata_removed, created_at) "
                    "VALUES ('e1', 1, 1, 'image/jpeg', 3, :blob, :blob, true, CURRENT_TIMESTAMP)"
                ),
                {"blob": b"\x01sealed"},
            )
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM legal_case WHERE id = 1"))
            assert connection.execute(text("SELECT count(*) FROM evidence_file")).scalar_one() == 0
    finally:
        engine.dispose()


def test_the_migration_round_trips_and_files_go_with_their_case_on_sqlite(settings: Settings) -> None:
    _check_round_trip_and_cascade(settings.database_url)


@pytest.mark.postgres
def test_the_migration_round_trips_and_files_go_with_their_case_on_postgresql(postgres_database: str) -> None:
    _check_round_trip_and_cascade(postgres_database)
