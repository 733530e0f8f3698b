"""The minimum wage calculator page of a case, and its working as CSV.

Pages (``{case_id}`` is the case's public id):

- ``GET  /cases/{case_id}/wages``: the working period by period (when periods are saved) and, for
  the case's advocates and admins, the form of pay periods, one row each.
- ``POST /cases/{case_id}/wages``: save the rows (all or nothing) and show the new working; with
  ``then=more`` it only adds empty rows, and with ``then=pattern`` it adds the rows of a pattern
  ("60 hours a week, £100, from ... to ..."), saving nothing (works without JavaScript).
- ``GET  /cases/{case_id}/wages/working.csv``: the working as a CSV file (logged as
  ``wages.exported``); before anything is calculated, back to the page.

Who: see :func:`api.wages.service.may_see_working`; entering periods needs
:func:`api.access.can_edit_facts`. Anyone else who can see the case gets 403, others 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from api import access
from api.cases import service as cases_service
from api.cases.errors import AccessDenied, ConcurrentChange, FactInputError
from api.cases.models import LegalCase
from api.deps import SessionDep, SettingsDep
from api.settings import Settings
from api.wages import service as wages_service
from web.forms import FormErrors, csrf_protect, text_field
from web.identity import Identity, StaffIdentity, now_utc
from web.rendering import render
from web.routes.cases import today_for
from workflows.wages.uk_minimum_wage import MAX_PERIODS, PayPeriod, PayPeriodError, pattern_periods

router = APIRouter(include_in_schema=False)

FIELDS: Final = (
    ("start", "Start"),
    ("end", "End"),
    ("hours", "Hours worked"),
    ("pay", "Pay (£)"),
    ("non_counting_pay", "Of which does not count (£)"),
    ("reducing_deductions", "Deductions for the employer (£)"),
    ("accommodation_days", "Days housed"),
    ("accommodation_charge", "Charged for housing (£)"),
)
SPARE_ROWS: Final = 5
MORE_ROWS: Final = 10
_UK_DATE: Final = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Room for every row's inputs: Starlette's default of 1000 fields is only about 110 rows.
MAX_FORM_FIELDS: Final = (MAX_PERIODS + MORE_ROWS) * (len(FIELDS) + 1) + 10


async def read_periods_form(request: Request) -> FormData:
    """Dependency: the form parsed with room for every row, then the CSRF check (403 without
    this browser's token) on that same parsed copy."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    await csrf_protect(request)
    return form


PeriodsForm = Annotated[FormData, Depends(read_periods_form)]


@dataclass(frozen=True)
class RowValues:
    """One row of the form as typed (strings), so a refused form comes back as it was."""

    index: int
    values: dict[str, str]
    apprentice: bool

    def input_id(self, name: str) -> str:
        """The id (and name) of this row's input ``name``."""
        return f"{name}-{self.index}"


def _case(session: Session, identity: Identity, case_id: str) -> LegalCase:
    return cases_service.get_case(session, identity.actor, case_id, now=now_utc())


def _rows_from_periods(periods: tuple[PayPeriod, ...], spare: int) -> list[RowValues]:
    rows = [
        RowValues(
            i,
            {
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "hours": str(p.hours),
                "pay": f"{p.pay:.2f}",
                "non_counting_pay": f"{p.non_counting_pay:.2f}" if p.non_counting_pay else "",
                "reducing_deductions": f"{p.reducing_deductions:.2f}" if p.reducing_deductions else "",
                "accommodation_days": str(p.accommodation_days) if p.accommodation_days else "",
                "accommodation_charge": f"{p.accommodation_charge:.2f}" if p.accommodation_charge else "",
            },
            p.apprentice,
        )
        for i, p in enumerate(periods)
    ]
    return rows + [RowValues(len(rows) + j, {}, False) for j in range(spare)]


def _rows_from_form(form: FormData) -> list[RowValues]:
    count = text_field(form, "rows", max_length=6)
    total = min(int(count), MAX_PERIODS + MORE_ROWS) if count.isdigit() else 0
    return [
        RowValues(
            i,
            {name: text_field(form, f"{name}-{i}", max_length=40) for name, _ in FIELDS},
            form.get(f"apprentice-{i}") == "yes",
        )
        for i in range(total)
    ]


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    case: LegalCase,
    *,
    rows: list[RowValues] | None = None,
    errors: FormErrors | None = None,
    notice: str | None = None,
    pattern: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    today = today_for(session, case.organisation_id, now_utc())
    working = wages_service.read_working(session, settings, identity.actor, case, today=today)
    may_edit = access.can_edit_facts(session, identity.actor, case)
    context = {
        "case": case,
        "working": working,
        "today": today,
        "may_edit": may_edit,
        "rows": rows if rows is not None else _rows_from_periods(working.periods, SPARE_ROWS),
        "fields": FIELDS,
        "errors": errors or FormErrors(),
        "notice": notice,
        "pattern": pattern or {"pattern_every": "week"},
    }
    return render(request, "wages/calculator.html", context, status_code=status_code)


@router.get("/cases/{case_id}/wages")
def calculator_page(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    done: str | None = None,
) -> Response:
    """The working as it stands, and the form for the pay periods."""
    case = _case(session, identity, case_id)
    notice = "The pay periods are saved and the arrears recalculated." if done == "saved" else None
    return _page(request, session, settings, identity, case, notice=notice)


# In `dependencies` too, so the CSRF check runs before anything else (as CsrfProtected does);
# FastAPI then hands the same parsed form to `form`.
@router.post("/cases/{case_id}/wages", dependencies=[Depends(read_periods_form)])
def save_periods(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: PeriodsForm,
) -> Response:
    """Save the pay periods (all or nothing), or only add empty rows (``then=more``)."""
    case = _case(session, identity, case_id)
    if not access.can_edit_facts(session, identity.actor, case):
        raise AccessDenied("Only the case's advocates and administrators can enter pay periods.")
    rows = _rows_from_form(form)
    if form.get("then") == "more":
        rows += [RowValues(len(rows) + j, {}, False) for j in range(MORE_ROWS)]
        return _page(request, session, settings, identity, case, rows=rows)
    if form.get("then") == "pattern":
        return _add_pattern(request, session, settings, identity, case, form, rows)
    errors = FormErrors()
    periods: list[PayPeriod] = []
    used: list[RowValues] = []
    for row in rows:
        if not any(row.values.values()) and not row.apprentice:
            continue  # an empty row is not a period
        period = _read_row(row, errors)
        if period is not None:
            periods.append(period)
            used.append(row)
    if not errors and not periods:
        errors.add("start-0", "Enter at least one pay period: its start, end and hours.")
    if not errors:
        today = today_for(session, case.organisation_id, now_utc())
        try:
            wages_service.save_periods(
                session, settings, identity.actor, case, periods, now=now_utc(), today=today
            )
        except wages_service.DateOfBirthNeeded as exc:
            errors.add("start-0", str(exc))
        except PayPeriodError as exc:
            for (position, name), message in exc.errors.items():
                row = used[position] if position < len(used) else rows[0]
                errors.add(row.input_id(name), f"Period {row.index + 1}: {message}.")
        except (FactInputError, ConcurrentChange) as exc:
            errors.add("start-0", str(exc))
        else:
            return RedirectResponse(f"/cases/{case_id}/wages?done=saved", status_code=303)
    return _page(request, session, settings, identity, case, rows=rows, errors=errors, status_code=422)


@router.get("/cases/{case_id}/wages/working.csv")
def working_csv(
    case_id: str, session: SessionDep, settings: SettingsDep, identity: StaffIdentity
) -> Response:
    """The working as a CSV file, for the schedule of loss (the page, when nothing is calculated yet)."""
    case = _case(session, identity, case_id)
    today = today_for(session, case.organisation_id, now_utc())
    text = wages_service.export_csv(session, settings, identity.actor, case, now=now_utc(), today=today)
    if text is None:  # nothing calculated yet: the page says so and has the form
        return RedirectResponse(f"/cases/{case_id}/wages", status_code=303)
    filename = f"minimum-wage-working-{case.public_id}-{today.isoformat()}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


# --- a pattern of periods -------------------------------------------------------------------------

PATTERN_FIELDS: Final = ("pattern_start", "pattern_end", "pattern_every", "pattern_hours", "pattern_pay")


def _add_pattern(
    request: Request,
    session: Session,
    settings: Settings,
    identity: Identity,
    case: LegalCase,
    form: FormData,
    rows: list[RowValues],
) -> Response:
    """Rows from the pattern, after the rows already filled in; nothing is saved until "Save"."""
    values = {name: text_field(form, name, max_length=40) for name in PATTERN_FIELDS}
    housed = form.get("pattern_housed") == "yes"
    errors = FormErrors()
    pattern_row = RowValues(0, {"start": values["pattern_start"], "end": values["pattern_end"]}, False)
    first = _date(pattern_row, "start", errors, "Pattern")
    last = _date(pattern_row, "end", errors, "Pattern")
    hours = _amount(
        RowValues(0, {"hours": values["pattern_hours"]}, False), "hours", errors, "Pattern", required=True
    )
    pay = _amount(
        RowValues(0, {"pay": values["pattern_pay"]}, False), "pay", errors, "Pattern", required=True
    )
    renamed = FormErrors()  # the pattern's inputs have their own ids
    for error in errors:
        renamed.add("pattern_" + error.field.removesuffix("-0"), error.message)
    kept = [row for row in rows if any(row.values.values()) or row.apprentice]
    if not renamed and first is not None and last is not None and hours is not None and pay is not None:
        try:
            periods = pattern_periods(
                first,
                last,
                monthly=values["pattern_every"] == "month",
                hours=hours,
                pay=pay,
                housed_free=housed,
            )
        except ValueError as exc:
            renamed.add("pattern_end", f"Pattern: {exc}.")
        else:
            if len(kept) + len(periods) > MAX_PERIODS:
                renamed.add("pattern_end", f"Pattern: that makes more than {MAX_PERIODS} periods in all.")
            else:
                added = _rows_from_periods(tuple(periods), 0)
                rows = [RowValues(i, row.values, row.apprentice) for i, row in enumerate([*kept, *added])]
                rows += [RowValues(len(rows) + j, {}, False) for j in range(SPARE_ROWS)]
                notice = f"{len(periods)} periods added below. Check them, then save and calculate."
                return _page(request, session, settings, identity, case, rows=rows, notice=notice)
    return _page(
        request,
        session,
        settings,
        identity,
        case,
        rows=rows,
        errors=renamed,
        pattern=values | {"housed": housed},
        status_code=422,
    )


# --- reading one row --------------------------------------------------------------------------------


def _read_row(row: RowValues, errors: FormErrors) -> PayPeriod | None:
    """The period in ``row``, or None with each problem added to ``errors`` (nothing is saved)."""
    label = f"Period {row.index + 1}"
    before = len(errors)
    start = _date(row, "start", errors, label)
    end = _date(row, "end", errors, label)
    hours = _amount(row, "hours", errors, label, required=True)
    money = {
        name: _amount(row, name, errors, label, required=name == "pay")
        for name in ("pay", "non_counting_pay", "reducing_deductions", "accommodation_charge")
    }
    days_text = row.values.get("accommodation_days", "")
    days = 0
    if days_text:
        if days_text.isdigit():
            days = int(days_text)
        else:
            errors.add(
                row.input_id("accommodation_days"), f"{label}: enter the days housed as a whole number."
            )
    if len(errors) > before or start is None or end is None or hours is None:
        return None
    return PayPeriod(
        start=start,
        end=end,
        hours=hours,
        pay=money["pay"] or Decimal(0),
        non_counting_pay=money["non_counting_pay"] or Decimal(0),
        reducing_deductions=money["reducing_deductions"] or Decimal(0),
        accommodation_days=days,
        accommodation_charge=money["accommodation_charge"] or Decimal(0),
        apprentice=row.apprentice,
    )


def _date(row: RowValues, name: str, errors: FormErrors, label: str) -> date | None:
    text = row.values.get(name, "")
    what = "start" if name == "start" else "end"
    if not text:
        errors.add(row.input_id(name), f"{label}: enter the date the period {what}s.")
        return None
    uk = _UK_DATE.match(text)
    try:
        if uk:
            return date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass  # 30/02/2026: reported below like any other text that is not a date
    errors.add(row.input_id(name), f"{label}: the {what} date must be a real date, for example 27/3/2024.")
    return None


def _amount(row: RowValues, name: str, errors: FormErrors, label: str, *, required: bool) -> Decimal | None:
    text = row.values.get(name, "").replace("£", "").replace(",", "").strip()
    if not text:
        if required:
            what = "the hours worked" if name == "hours" else "the pay (0 if nothing was paid)"
            errors.add(row.input_id(name), f"{label}: enter {what}.")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        errors.add(
            row.input_id(name), f"{label}: enter a number of zero or more, in figures, for example 37.5."
        )
        return None
    return value
