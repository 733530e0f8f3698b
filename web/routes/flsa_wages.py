"""The FLSA wage calculator page: the advocate enters the weeks worked and sees, or exports, the
working week by week; saving records the totals as the case's ``us.wages.*`` facts, which the
restitution loss statement uses (``us.restitution``).

``GET  /cases/{case_id}/wages/flsa`` shows the form, filled with the weeks last saved and their working.
``POST /cases/{case_id}/wages/flsa`` with ``action``: ``calculate`` shows the working, ``save``
records the weeks (encrypted, as the ``us.wages.weeks`` fact) and the totals, ``csv`` downloads
the working. Only the case's caseworkers use it (a shared lawyer gets 403; anyone else 404).
Nothing typed is lost on an error: the page comes back with every row as entered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from api import access
from api.cases import service as cases_service
from api.cases.errors import AccessDenied, FactInputError
from api.cases.models import FactSource, LegalCase
from api.deps import SessionDep
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.identity import Identity, StaffIdentity, now_utc
from web.rendering import render
from workflows.wages.flsa import (
    STATE_CATEGORIES,
    FlsaResult,
    RateBasis,
    WageInputError,
    calculate,
    parse_weeks,
)

router = APIRouter(include_in_schema=False)

WEEKS_FACT: Final = "us.wages.weeks"
COLUMNS: Final = ("start", "repeat", "hours", "paid", "agreed")
BLANK_ROWS: Final = 3
MAX_ROWS: Final = 200
CATEGORY_LABELS: Final = {
    "26_or_more_employees": "California, employer with 26 or more employees",
    "25_or_fewer_employees": "California, employer with 25 or fewer employees",
    "nyc_large": "New York City, employer with 11 or more employees",
    "nyc_small": "New York City, employer with 10 or fewer employees",
    "long_island_westchester": "New York, Long Island and Westchester",
    "remainder_of_state": "New York, rest of the state",
    "all": "Texas",
}


@dataclass
class WageForm:
    """What the page shows and the advocate sends: the rows as typed and the options."""

    rows: list[list[str]] = field(default_factory=list)
    rate_basis: RateBasis = "federal"
    state_category: str = ""  # "US-CA:26_or_more_employees"; empty for the federal basis
    liquidated: bool = True

    def to_text(self) -> str:
        """The form as stored in the ``us.wages.weeks`` fact."""
        rows = [row for row in self.rows if any(cell.strip() for cell in row)]
        options = {"rate_basis": self.rate_basis, "state_category": self.state_category}
        return json.dumps({"rows": rows, **options, "liquidated": self.liquidated}, separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str) -> WageForm:
        """The form saved before; an unreadable value gives an empty form (nothing is guessed)."""
        try:
            data = json.loads(text)
            rows = [[str(cell) for cell in row][: len(COLUMNS)] for row in data["rows"]][:MAX_ROWS]
            basis: RateBasis = "state" if data.get("rate_basis") == "state" else "federal"
            return cls(rows, basis, str(data.get("state_category", "")), bool(data.get("liquidated", True)))
        except (ValueError, KeyError, TypeError):
            return cls()

    @property
    def state(self) -> tuple[str | None, str | None]:
        """(state, category) chosen for the state basis."""
        if ":" not in self.state_category:
            return None, None
        state, category = self.state_category.split(":", 1)
        return state, category


def _calculator_case(session: Session, identity: Identity, case_id: str) -> LegalCase:
    case = cases_service.get_case(session, identity.actor, case_id, now=now_utc())
    if not access.can_edit_facts(session, identity.actor, case):
        raise AccessDenied("Only the case's advocates and administrators use the wage calculator.")
    return case


def _state_options() -> list[tuple[str, str]]:
    return [
        (f"{state}:{category}", CATEGORY_LABELS[category])
        for state, categories in STATE_CATEGORIES.items()
        for category in categories
    ]


def _page(
    request: Request,
    case: LegalCase,
    form: WageForm,
    *,
    result: FlsaResult | None = None,
    errors: FormErrors | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    rows = [list(row) + [""] * (len(COLUMNS) - len(row)) for row in form.rows]
    rows += [[""] * len(COLUMNS) for _ in range(BLANK_ROWS)]
    context = {
        "case": case,
        "form": form,
        "rows": rows,
        "result": result,
        "errors": errors or FormErrors(),
        "notice": notice,
        "state_options": _state_options(),
    }
    return render(request, "cases/wages_flsa.html", context, status_code=status_code)


@router.get("/cases/{case_id}/wages/flsa")
def wage_calculator(
    request: Request, case_id: str, session: SessionDep, identity: StaffIdentity, done: str | None = None
) -> Response:
    """The calculator, with the weeks saved before and their working."""
    case = _calculator_case(session, identity, case_id)
    saved = cases_service.read_facts(session, request.app.state.settings, case).get(WEEKS_FACT)
    form = WageForm.from_text(saved.value) if saved and isinstance(saved.value, str) else WageForm()
    if not form.rows and case.jurisdiction in STATE_CATEGORIES:
        form.state_category = f"{case.jurisdiction}:{STATE_CATEGORIES[case.jurisdiction][0]}"
    result = None
    if form.rows:
        try:
            result = _calculate(form)
        except WageInputError:
            result = None  # rates changed since it was saved: the page shows the rows to fix
    notice = "The weeks and the totals are saved to the case." if done == "saved" else None
    return _page(request, case, form, result=result, notice=notice)


@router.post("/cases/{case_id}/wages/flsa", dependencies=[CsrfProtected])
def wage_calculator_post(
    request: Request, case_id: str, session: SessionDep, identity: StaffIdentity, submitted: FormDep
) -> Response:
    """Calculate, save or export the working, as ``action`` says."""
    case = _calculator_case(session, identity, case_id)
    form = _read_form(submitted)
    action = text_field(submitted, "action", max_length=20)
    errors = FormErrors()
    try:
        result = _calculate(form)
    except WageInputError as exc:
        errors.add(_field_of(exc), str(exc))
        return _page(request, case, form, errors=errors, status_code=422)
    if action == "csv":
        filename = f"flsa-working-{case.public_id[:8]}.csv"
        return Response(
            result.to_csv(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )
    if action == "save":
        facts = {WEEKS_FACT: form.to_text(), **result.to_facts()}
        try:
            cases_service.change_facts(
                session,
                request.app.state.settings,
                identity.actor,
                case,
                facts,
                source=FactSource.ADVOCATE.value,
                now=now_utc(),
                today=now_utc().date(),
            )
        except FactInputError as exc:
            errors.add("rows", f"These weeks cannot be saved: {exc}")
            return _page(request, case, form, result=result, errors=errors, status_code=422)
        return RedirectResponse(f"/cases/{case_id}/wages/flsa?done=saved", status_code=303)
    return _page(request, case, form, result=result)


def _calculate(form: WageForm) -> FlsaResult:
    weeks = parse_weeks(form.rows)
    state, category = form.state
    if form.rate_basis == "state" and state is None:
        raise WageInputError("Choose the state rate to use, or use the federal rate.", field="state_category")
    return calculate(
        weeks,
        rate_basis=form.rate_basis,
        state=state,
        category=category,
        include_liquidated_damages=form.liquidated,
    )


def _read_form(submitted: FormData) -> WageForm:
    rows: list[list[str]] = []
    for index in range(MAX_ROWS):
        cells = [text_field(submitted, f"{name}_{index}", max_length=40) for name in COLUMNS]
        if f"start_{index}" not in submitted:
            break
        rows.append(cells)
    basis: RateBasis = "state" if text_field(submitted, "rate_basis", max_length=10) == "state" else "federal"
    return WageForm(
        rows=[row for row in rows if any(cells.strip() for cells in row)],
        rate_basis=basis,
        state_category=text_field(submitted, "state_category", max_length=60),
        liquidated=text_field(submitted, "liquidated", max_length=5) != "no",
    )


def _field_of(exc: WageInputError) -> str:
    if exc.field == "state_category":
        return "state_category"
    if exc.row is not None and exc.field is not None:
        return f"{exc.field}_{exc.row - 1}"
    return "rows"
