"""The UK minimum wage calculator for one case.

The pay periods are kept as the case fact ``wages.pay_periods`` (JSON text), so they are
encrypted with the case's data key, versioned and audited like every answer, and need no table
of their own. Saving them recalculates and sets the result facts the workflows and documents use:
``wages.nmw_arrears_total``, ``wages.nmw_arrears_et_recoverable`` and ``wages.calculated_on``
(the arrears are uplifted to the rates of the day of calculation, NMWA 1998 s.17). All of them go
through :func:`api.cases.service.change_facts`: one unit of work, all or nothing.

Who: the case's advocates and admins enter periods; they, and lawyers the whole case is shared
with, see and export the working. A survivor does not see it here (the periods are not
``survivor_visible``); a lawyer shared one application only does not either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from api import access
from api.access import Actor, CaseAccess
from api.audit.service import record_event
from api.cases import service as cases_service
from api.cases.checks import require_aware, saved_id
from api.cases.models import FactSource, LegalCase
from api.cases.permissions import authorise
from api.settings import Settings
from workflows.wages.uk_minimum_wage import (
    Calculation,
    PayPeriod,
    PayPeriodError,
    calculate,
    periods_from_json,
    periods_to_json,
    working_csv,
)

PERIODS_FACT = "wages.pay_periods"
TOTAL_FACT = "wages.nmw_arrears_total"
ET_FACT = "wages.nmw_arrears_et_recoverable"
CALCULATED_ON_FACT = "wages.calculated_on"
BIRTH_FACT = "person.date_of_birth"


class DateOfBirthNeeded(ValueError):
    """The calculation needs the worker's date of birth (the rate depends on age)."""

    def __init__(self) -> None:
        super().__init__(
            "Enter the person's date of birth first (in any application's questions): the minimum "
            "wage depends on the worker's age at the start of each pay period."
        )


@dataclass(frozen=True)
class WageWorking:
    """What the calculator page shows: the saved periods and, when computable, their working."""

    periods: tuple[PayPeriod, ...]
    date_of_birth: date | None
    calculation: Calculation | None
    problem: str | None  # why saved periods cannot be calculated now (e.g. the birth date changed)


def may_see_working(actor: Actor, case: CaseAccess) -> bool:
    """Caseworkers, and lawyers the whole case is shared with; not survivors."""
    return access.may_view_whole_case(actor, case) and (
        access.is_caseworker(actor, case.organisation_id) or actor.is_lawyer
    )


def read_working(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, *, today: date
) -> WageWorking:
    """The saved periods and their working as of ``today``. Raises the cases domain's
    :class:`~api.cases.errors.CaseNotFound` / :class:`~api.cases.errors.AccessDenied`."""
    authorise(session, actor, case, may_see_working)
    facts = cases_service.read_facts(session, settings, case)
    birth = facts[BIRTH_FACT].value if BIRTH_FACT in facts else None
    birth = birth if isinstance(birth, date) else None
    stored = facts[PERIODS_FACT].value if PERIODS_FACT in facts else None
    periods = tuple(periods_from_json(stored)) if isinstance(stored, str) and stored else ()
    if not periods:
        return WageWorking((), birth, None, None)
    if birth is None:
        return WageWorking(periods, None, None, str(DateOfBirthNeeded()))
    try:
        return WageWorking(periods, birth, calculate(periods, birth, today), None)
    except PayPeriodError as exc:
        return WageWorking(periods, birth, None, f"The saved periods cannot be calculated now: {exc}.")


def save_periods(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    periods: Sequence[PayPeriod],
    *,
    now: datetime,
    today: date,
) -> Calculation:
    """Check and calculate ``periods``, then save them with the result facts (all or nothing).

    Raises :class:`DateOfBirthNeeded`, :class:`PayPeriodError` (every bad period and field) or
    the cases domain's errors; nothing is saved then.
    """
    require_aware(now)
    authorise(session, actor, case, access.may_edit_facts)
    facts = cases_service.read_facts(session, settings, case)
    birth = facts[BIRTH_FACT].value if BIRTH_FACT in facts else None
    if not isinstance(birth, date):
        raise DateOfBirthNeeded
    calculation = calculate(periods, birth, today)
    cases_service.change_facts(
        session,
        settings,
        actor,
        case,
        {
            PERIODS_FACT: periods_to_json([w.period for w in calculation.periods]),
            TOTAL_FACT: {"amount": str(calculation.total_arrears), "currency": "GBP"},
            ET_FACT: {"amount": str(calculation.et_recoverable_arrears), "currency": "GBP"},
            CALCULATED_ON_FACT: today.isoformat(),
        },
        source=FactSource.ADVOCATE.value,
        now=now,
        today=today,
    )
    return calculation


def export_csv(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, *, now: datetime, today: date
) -> str | None:
    """The working as CSV (None when there is nothing to export), with a ``wages.exported`` event."""
    require_aware(now)
    working = read_working(session, settings, actor, case, today=today)
    if working.calculation is None:
        return None
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action="wages.exported",
        subject=PERIODS_FACT,
        at=now,
    )
    session.commit()
    return working_csv(working.calculation)
