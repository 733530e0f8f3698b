"""Properties of the engine over the real definitions (``uk.cica`` and ``uk.nrm``).

* A later trigger never gives an earlier deadline, and no computed deadline falls before its
  trigger. The one lawful exception is a change of rule: a positive Reasonable Grounds decision
  on 12 December 2022 had a 45-day recovery period and one on 13 December 2022 a 30-day one, so
  UK-NRM-D2 is checked within each version of its rule.
* Evaluation is deterministic: the same facts (in any order) give the same result.
* Evaluation never raises for valid fact values, generated from the fact dictionary's types and
  options (``None`` for "don't know"; past-only dates not after today).

Dates stay within 1990-2060.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.workflows.engine_results import due_of, evaluate_raw
from workflows.catalogue import default_catalogue
from workflows.engine import EvaluationError, evaluate
from workflows.facts import FactSpec, FactValueError, default_fact_dictionary
from workflows.types import FactType

EARLIEST = date(1990, 1, 1)
LATEST = date(2060, 12, 31)
# A late "today", so that every generated past-only trigger is allowed.
LATE_TODAY = LATEST
COUNTRIES = ("GB", "GB-ENG", "GB-WLS", "GB-SCT", "GB-NIR", "RO", "VN", "AL", "FR", "US-CA")
WORKFLOW_IDS = ("uk.cica", "uk.nrm")

PROPERTY_SETTINGS = settings(max_examples=100, deadline=None)


# --- a later trigger never gives an earlier deadline -----------------------------------------


@dataclass(frozen=True)
class TriggerCase:
    """One deadline, the fact that triggers it, and other facts that make it apply."""

    workflow: str
    deadline: str
    trigger: str
    base: Mapping[str, object] = field(default_factory=dict)
    earliest: date = EARLIEST
    latest: date = LATEST

    def __str__(self) -> str:
        return f"{self.deadline}<-{self.trigger}[{self.earliest}..{self.latest}]"


TRIGGER_CASES = [
    TriggerCase("uk.cica", "UK-CICA-D1", "incident.date", {"person.date_of_birth": "1960-01-01"}),
    TriggerCase(
        "uk.cica",
        "UK-CICA-D2a",
        "person.date_of_birth",
        {
            "incident.date": "2000-06-01",
            "police.reported": True,
            "police.first_report_date": "2000-07-01",
        },
        latest=date(2000, 6, 1),  # born by the incident
    ),
    TriggerCase(
        "uk.cica",
        "UK-CICA-D2b",
        "police.first_report_date",
        {"person.date_of_birth": "1990-01-01", "incident.date": "2000-01-01", "police.reported": True},
        earliest=date(2008, 1, 1),  # the 18th birthday
    ),
    TriggerCase("uk.cica", "UK-CICA-D5", "cica.decision_date"),
    # Later questions apply only once the decision they follow is recorded (pruned otherwise).
    TriggerCase("uk.cica", "UK-CICA-D6", "cica.review_decision_date", {"cica.decision_date": "1990-01-01"}),
    TriggerCase(
        "uk.cica",
        "UK-CICA-D7",
        "cica.ftt_decision_date",
        {"cica.decision_date": "1990-01-01", "cica.review_decision_date": "1990-01-01"},
    ),
    TriggerCase("uk.cica", "UK-CICA-D8", "cica.decision_date", {"cica.decision_outcome": "award"}),
    TriggerCase("uk.nrm", "UK-NRM-D1", "nrm.referral_date"),
    TriggerCase(
        "uk.nrm",
        "UK-NRM-D2",
        "nrm.rg_decision_date",
        {"nrm.rg_decision": "positive"},
        latest=date(2022, 12, 12),  # the 45-day rule
    ),
    TriggerCase(
        "uk.nrm",
        "UK-NRM-D2",
        "nrm.rg_decision_date",
        {"nrm.rg_decision": "positive"},
        earliest=date(2022, 12, 13),  # the 30-day rule
    ),
    TriggerCase(
        "uk.nrm",
        "UK-NRM-D2",
        "nrm.rg_decision_date",
        {"nrm.rg_decision": "positive", "nrm.cg_decision": "positive", "nrm.cg_decision_date": "2024-05-01"},
        earliest=date(2022, 12, 13),
        latest=date(2024, 5, 1),  # the CG decision cannot precede the RG decision
    ),
    TriggerCase(
        "uk.nrm",
        "UK-NRM-D2",
        "nrm.cg_decision_date",  # the period runs on to the CG decision
        {"nrm.rg_decision": "positive", "nrm.rg_decision_date": "2024-03-01", "nrm.cg_decision": "positive"},
        earliest=date(2024, 3, 1),
    ),
    TriggerCase("uk.nrm", "UK-NRM-D4", "nrm.msvcc_consent_date", {"nrm.rg_decision": "positive"}),
    *(
        TriggerCase(
            "uk.nrm",
            register_id,
            "nrm.cg_decision_date",
            {"nrm.rg_decision": "positive", "nrm.rg_decision_date": "1990-01-01", "nrm.cg_decision": cg},
        )
        for register_id, cg in (("UK-NRM-D5", "positive"), ("UK-NRM-D6", "negative"))
    ),
    *(
        TriggerCase(
            "uk.nrm",
            register_id,
            "nrm.cg_decision_date",
            {
                "nrm.rg_decision": "positive",
                "nrm.rg_decision_date": "1990-01-01",
                "nrm.cg_decision": "negative",
            },
        )
        for register_id in ("UK-NRM-D7", "UK-NRM-D8")
    ),
    *(
        TriggerCase(
            "uk.nrm",
            register_id,
            "nrm.rg_decision_date",
            {"nrm.rg_decision": "negative", "nrm.cg_decision": "pending"},
        )
        for register_id in ("UK-NRM-D7", "UK-NRM-D8")
    ),
]


def test_every_deadline_of_both_definitions_has_a_trigger_case() -> None:
    """The monotonicity property below covers every deadline rule."""
    covered = {(case.workflow, case.deadline) for case in TRIGGER_CASES}
    for workflow_id in WORKFLOW_IDS:
        for rule in default_catalogue().get(workflow_id, LATE_TODAY).deadlines:
            assert (workflow_id, rule.id) in covered


@pytest.mark.parametrize("case", TRIGGER_CASES, ids=str)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_later_trigger_never_gives_an_earlier_deadline(case: TriggerCase, data: st.DataObject) -> None:
    # Given two trigger dates, the second not earlier than the first
    first, second = sorted(
        data.draw(st.dates(case.earliest, case.latest), label=f"{case.trigger} {n}") for n in (1, 2)
    )
    # When the deadline is computed for each, all other facts unchanged
    results = [
        evaluate_raw(case.workflow, {**case.base, case.trigger: when.isoformat()}, LATE_TODAY)
        for when in (first, second)
    ]
    dues = [due_of(result, case.deadline) for result in results]
    # Then the deadline applies to both, and the later trigger gives a date no earlier
    assert dues[0] is not None
    assert dues[1] is not None
    assert dues[0] <= dues[1]
    # And no deadline falls before its trigger
    for result in results:
        for item in result["deadlines"]:
            assert item["due"] >= item["trigger_date"], item


def test_the_rule_change_of_13_december_2022_is_the_exception() -> None:
    """A later positive RG decision gave an earlier end of the recovery period, by law."""
    before = evaluate_raw(
        "uk.nrm", {"nrm.rg_decision": "positive", "nrm.rg_decision_date": "2022-12-12"}, LATE_TODAY
    )
    after = evaluate_raw(
        "uk.nrm", {"nrm.rg_decision": "positive", "nrm.rg_decision_date": "2022-12-13"}, LATE_TODAY
    )
    assert due_of(before, "UK-NRM-D2") == date(2023, 1, 25)
    assert due_of(after, "UK-NRM-D2") == date(2023, 1, 11)


# --- random valid facts -----------------------------------------------------------------------


def raw_values(spec: FactSpec, today: date) -> st.SearchStrategy[object]:
    """JSON-style raw values valid for ``spec`` on ``today``."""
    if spec.type is FactType.DATE:
        latest = min(today, LATEST) if spec.past_only else LATEST
        return st.dates(EARLIEST, latest).map(date.isoformat)
    if spec.type is FactType.BOOL:
        return st.booleans()
    if spec.type is FactType.ENUM:
        return st.sampled_from(sorted(spec.options))
    if spec.type is FactType.LIST:
        options = sorted(spec.options)
        return st.lists(st.sampled_from(options), unique=True, max_size=len(options))
    if spec.type is FactType.TEXT:
        return st.text(max_size=min(spec.max_length, 40))
    if spec.type is FactType.COUNTRY:
        return st.sampled_from(COUNTRIES)
    if spec.type is FactType.NUMBER:
        low = int(spec.min) if spec.min is not None else -1000
        high = int(spec.max) if spec.max is not None else 1000
        return st.integers(low, high)
    assert spec.type is FactType.MONEY
    return st.fixed_dictionaries(
        {
            "amount": st.integers(0, 100_000).map(str),
            "currency": st.sampled_from(spec.currencies),
        }
    )


@st.composite
def cases(draw: st.DrawFn, workflow_id: str) -> tuple[date, dict[str, object]]:
    """A day on which ``workflow_id`` is in force and any subset of its facts, answered or null."""
    workflow = next(w for w in default_catalogue() if w.id == workflow_id)
    today = draw(st.dates(max(workflow.effective_from, EARLIEST), LATEST), label="today")
    dictionary = default_fact_dictionary()
    keys = sorted({question.fact for question in workflow.questions})
    optional = {key: st.one_of(st.none(), raw_values(dictionary.get(key), today)) for key in keys}
    facts = draw(st.fixed_dictionaries({}, optional=optional), label="facts")
    return today, facts


def chronological(facts: Mapping[str, object]) -> bool:
    """Dates in a possible order (input validation refuses the rest; see the tests below)."""
    dictionary = default_fact_dictionary()
    try:
        dictionary.check_order(
            {key: dictionary.parse_value(key, value, today=LATE_TODAY) for key, value in facts.items()}
        )
    except FactValueError:
        return False
    return True


def draw_valid_case(data: st.DataObject, workflow_id: str) -> tuple[date, dict[str, object]]:
    """Draw a day and facts for ``workflow_id`` whose dates are in a possible order."""
    today, facts = data.draw(cases(workflow_id))
    assume(chronological(facts))
    return today, facts


@pytest.mark.parametrize("workflow_id", WORKFLOW_IDS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_evaluating_valid_facts_never_raises(workflow_id: str, data: st.DataObject) -> None:
    # Given valid values for any of the facts the definition asks
    today, facts = draw_valid_case(data, workflow_id)
    # When
    result = evaluate_raw(workflow_id, facts, today)
    # Then a coherent result comes back
    assert result["next_question"] is None or result["next_question"] not in facts
    assert set(result["unused"]) <= set(facts)
    for item in result["deadlines"]:
        if not item["from_letter"]:
            assert item["due"] >= item["trigger_date"], item


@pytest.mark.parametrize("workflow_id", WORKFLOW_IDS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_evaluation_is_deterministic(workflow_id: str, data: st.DataObject) -> None:
    # Given valid facts
    today, facts = draw_valid_case(data, workflow_id)
    # When evaluated twice, and with the facts in the reverse order
    first = evaluate_raw(workflow_id, facts, today)
    again = evaluate_raw(workflow_id, facts, today)
    reordered = evaluate_raw(workflow_id, dict(reversed(list(facts.items()))), today)
    # Then the results are equal
    assert first == again
    assert first == reordered


def test_an_incident_before_the_date_of_birth_is_refused_by_name() -> None:
    # Given two valid dates in an impossible order
    facts = {"person.date_of_birth": "2000-05-01", "incident.date": "1999-01-01"}
    # When / Then input validation names the field and the date it cannot precede
    with pytest.raises(FactValueError, match=r"^incident.date: 1999-01-01 is before the date of birth"):
        default_fact_dictionary().parse_facts(facts, today=date(2026, 11, 22))


def test_the_engine_reports_impossible_facts_instead_of_crashing() -> None:
    # Given typed facts that bypassed input validation
    workflow = default_catalogue().get("uk.cica", date(2026, 11, 22))
    facts = {"person.date_of_birth": date(2000, 5, 1), "incident.date": date(1999, 1, 1)}
    # When / Then the engine raises its own error, which the CLI turns into one line
    with pytest.raises(EvaluationError, match="age_on"):
        evaluate(workflow, facts, date(2026, 11, 22))
