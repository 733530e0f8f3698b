"""One request reads a case's facts once: what it read is kept until its transaction ends."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from api.cases import facts_store, service
from api.settings import Settings
from tests.api.cases.builders import NOW, TODAY, World, actor, new_case, start
from tests.sql_recording import recorded_statements


def test_facts_are_read_once_until_they_change(
    db_session: Session, cheap_settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = new_case(db_session, cheap_settings, world)
    reads: list[int] = []
    original = facts_store.current_rows

    def counting(session: Session, case_: object) -> object:
        reads.append(1)
        return original(session, case_)  # type: ignore[arg-type]

    monkeypatch.setattr(facts_store, "current_rows", counting)
    application = start(db_session, cheap_settings, world, case, "uk.cica")
    reads.clear()
    first = service.read_facts(db_session, cheap_settings, case)
    again = service.read_facts(db_session, cheap_settings, case)
    service.evaluate_application(db_session, cheap_settings, case, application, today=TODAY)
    assert reads == [1]
    assert first == again
    service.change_facts(
        db_session, cheap_settings, actor(db_session, world.advocate), case,
        {"incident.date": "2025-06-01"}, source="advocate", now=NOW, today=TODAY,
    )  # fmt: skip
    after = service.read_facts(db_session, cheap_settings, case)
    assert after["incident.date"].value == date(2025, 6, 1)
    assert len(reads) == 2, "the change did not make the next read go to the database"


def test_a_change_by_another_session_is_seen_once_the_transaction_ends(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    start(db_session, cheap_settings, world, case, "uk.cica")
    assert "incident.date" not in service.read_facts(db_session, cheap_settings, case)
    engine = db_session.get_bind()
    assert isinstance(engine, Engine)
    with Session(engine) as other:
        other_case = service.get_case(other, actor(other, world.advocate), case.public_id, now=NOW)
        service.change_facts(
            other, cheap_settings, actor(other, world.advocate), other_case,
            {"incident.date": "2025-06-02"}, source="advocate", now=NOW, today=TODAY,
        )  # fmt: skip
    db_session.commit()  # this session's transaction ends: what it read may be out of date
    assert service.read_facts(db_session, cheap_settings, case)["incident.date"].value == date(2025, 6, 2)


@pytest.mark.sqlite_only
def test_the_current_facts_are_found_without_reading_their_history(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    """SQLite seeks the current rows by (case, not superseded): a fact changed many times must
    not make every later read walk its superseded rows."""
    case = new_case(db_session, cheap_settings, world)
    start(db_session, cheap_settings, world, case, "uk.cica")
    advocate = actor(db_session, world.advocate)
    for day in range(1, 6):
        service.change_facts(
            db_session, cheap_settings, advocate, case,
            {"incident.date": f"2025-06-0{day}"}, source="advocate", now=NOW, today=TODAY,
        )  # fmt: skip
    with recorded_statements(db_session.get_bind()) as seen:
        current = facts_store.current_rows(db_session, case)
    assert current["incident.date"].superseded_at is None
    [read] = [statement for statement in seen if "FROM case_fact" in statement.sql]
    plan = db_session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {read.sql}", read.parameters).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "(case_id=? AND superseded_at=?)" in details, details
