"""The fact dictionary's ``ask_survivor`` flag: only on facts the survivor may see, always with
"why we ask" written to them; the loader says where and why otherwise."""

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


def test_the_packaged_dictionary_offers_survivor_questions() -> None:
    askable = default_fact_dictionary().survivor_askable
    assert "police.reported" in [spec.key for spec in askable]
    assert all(spec.survivor_visible for spec in askable)
    assert all(spec.why for spec in askable)
