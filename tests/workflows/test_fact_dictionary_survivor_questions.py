"""The fact dictionary's ``ask_survivor`` flag: only on facts the survivor may see, always with
the question (``ask``) and "why we ask" written to them; the loader says where and why otherwise."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from workflows.facts import default_fact_dictionary, load_fact_dictionary
from workflows.problems import DefinitionError


def _load(tmp_path: Path, body: str) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    load_fact_dictionary(path)


def test_a_staff_only_fact_cannot_be_asked_of_a_survivor(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        _load(
            tmp_path,
            """\
            org.first_responder:
              type: bool
              label: Is your organisation a First Responder Organisation?
              sensitivity: general
              survivor_visible: false
              ask_survivor: true
              why: It decides who refers.
            """,
        )
    assert "never ask what they may not see" in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "message"),
    [("ask_survivor: true", "needs `why`"), ("why: Because.", "`why` is only shown to survivors")],
)
def test_why_goes_with_ask_survivor(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        _load(
            tmp_path,
            f"""\
            person.phone:
              type: text
              label: Phone number
              sensitivity: confidential
              survivor_visible: true
              {extra}
            """,
        )
    assert message in str(caught.value)


PHONE = """\
person.phone:
  type: text
  label: Phone number
  sensitivity: confidential
  survivor_visible: true
"""


def test_a_question_for_the_survivor_needs_their_wording(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        _load(tmp_path, PHONE + "  ask_survivor: true\n  why: So that we can reach you.\n")
    assert "person.phone" in str(caught.value)
    assert "needs `ask`: the question as the survivor reads it" in str(caught.value)


@pytest.mark.parametrize("field", ["ask", "ask_help"])
def test_survivor_wording_goes_with_ask_survivor(tmp_path: Path, field: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        _load(tmp_path, PHONE + f"  {field}: What is your phone number?\n")
    assert f"`{field}` is only shown to survivors: set `ask_survivor: true` or remove it" in str(caught.value)


def test_a_question_for_the_survivor_loads_with_its_wording(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    extra = "  ask_survivor: true\n  ask: What is your phone number?\n  ask_help: One that is safe.\n"
    path.write_text(PHONE + extra + "  why: So that we can reach you.\n", encoding="utf-8")
    spec = load_fact_dictionary(path).get("person.phone")
    assert (spec.label, spec.ask, spec.ask_help) == (
        "Phone number",
        "What is your phone number?",
        "One that is safe.",
    )
    assert spec.survivor_question == "What is your phone number?"


def test_a_fact_no_longer_asked_of_survivors_is_named_by_its_label(tmp_path: Path) -> None:
    """A question asked before its fact lost ``ask_survivor`` still has a name to show."""
    path = tmp_path / "facts.yaml"
    path.write_text(PHONE, encoding="utf-8")
    assert load_fact_dictionary(path).get("person.phone").survivor_question == "Phone number"


def test_the_packaged_dictionary_offers_survivor_questions() -> None:
    askable = default_fact_dictionary().survivor_askable
    assert "police.reported" in [spec.key for spec in askable]
    assert all(spec.survivor_visible for spec in askable)
    assert all(spec.why for spec in askable)
    # Each written to the survivor, not the staff label again.
    assert all(spec.ask and spec.ask != spec.label for spec in askable)
    assert default_fact_dictionary().get("person.date_of_birth").ask == "When were you born?"
