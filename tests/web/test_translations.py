"""Every text a survivor reads has a translation in every catalogue (Babel extraction vs. the
``.po`` files), the translations keep their placeholders and markup, each catalogue says it
awaits a professional translator, and the api still writes the messages the catalogues know."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from pydantic import SecretStr

from api.auth.service import WRONG_SURVIVOR_CREDENTIALS
from api.cases.errors import AccessCodeError
from api.contact_preferences import safe_times
from api.contact_preferences import service as contact_service
from api.evidence import service as evidence_service
from api.messages import service as messages_service
from api.orgs.models import NAME_MAX_LENGTH
from api.security.passwords import MAX_PASSPHRASE_LENGTH, MIN_PASSPHRASE_LENGTH, check_passphrase
from api.security.random_tokens import AccessCodeError as CodeTypingError
from api.security.random_tokens import hash_access_code
from web.i18n import LANGUAGES, catalogue_path, translate
from web.survivor_texts import API_MESSAGES

ROOT = Path(__file__).resolve().parents[2]
MARKUP = re.compile(r"%\(\w+\)s|<[^>]+>")
REVIEW_NOTE = "AWAITING REVIEW BY A PROFESSIONAL TRANSLATOR"


def _method_map_and_options() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """The extraction map of ``web/translations/babel.cfg``, as pybabel reads it."""
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "web" / "translations" / "babel.cfg").open(encoding="utf-8") as cfg:
        return parse_mapping_cfg(cfg)


def survivor_texts() -> set[str]:
    """Every msgid a survivor may read, freshly extracted from the code and the definitions."""
    method_map, options_map = _method_map_and_options()
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "tr": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as po_file:
        return read_po(po_file, locale=language)


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    texts = survivor_texts()
    assert len(texts) > 100  # the extraction really ran over templates, code and definitions
    return texts


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_survivor_text_has_a_translation(extracted: set[str], language: str) -> None:
    messages = {message.id: message for message in catalogue(language) if message.id}
    missing = sorted(text for text in extracted if text not in messages)
    untranslated = sorted(
        text for text in extracted if text in messages and (not messages[text].string or messages[text].fuzzy)
    )
    assert not missing, f"{language}: not in the catalogue (see web/translations/README.md): {missing}"
    assert not untranslated, f"{language}: no translation yet: {untranslated}"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_translations_keep_placeholders_and_markup(language: str) -> None:
    for message in catalogue(language):
        if message.id and message.string:
            assert sorted(MARKUP.findall(message.id)) == sorted(MARKUP.findall(message.string)), message.id


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_each_catalogue_says_it_awaits_a_professional_translator(language: str) -> None:
    header = catalogue_path(language).read_text(encoding="utf-8").split("msgid", 1)[0]
    assert REVIEW_NOTE in header


def test_a_missing_translation_is_caught() -> None:
    """The check above can fail: a text not in the catalogues is reported."""
    spanish = {message.id for message in catalogue("es") if message.id}
    assert "A text nobody has translated" not in spanish
    assert translate("es", "A text nobody has translated") == "A text nobody has translated"
    assert translate("es", "Exit this page") == "Salir de esta página"
    assert translate("ar", "Exit this page") == "الخروج من هذه الصفحة"


def test_the_api_still_writes_the_messages_the_catalogues_know() -> None:
    """A survivor sees these api messages as they are; changed wording must fail here."""
    written = {
        AccessCodeError.GENERIC_MESSAGE,
        WRONG_SURVIVOR_CREDENTIALS,
        check_passphrase("short"),
        check_passphrase("x" * (MAX_PASSPHRASE_LENGTH + 1)),
        check_passphrase("a" * MIN_PASSPHRASE_LENGTH),
        check_passphrase("password123"),
        f"Use at most {NAME_MAX_LENGTH} characters for a name.",
        evidence_service.TOO_BIG,
        evidence_service.EMPTY,
        evidence_service.WRONG_TYPE,
        evidence_service.DAMAGED,
        messages_service.EMPTY,
        messages_service.TOO_LONG,
        contact_service.BAD_EMAIL,
        contact_service.SAFE_EMAIL_MISSING,
        contact_service.NAME_TOO_LONG,
        contact_service.UNKNOWN_LANGUAGE,
        safe_times.BOTH_HOURS,
        safe_times.SAME_HOURS,
        safe_times.BAD_HOUR,
    }
    for typo in ("", "A!B@C#D$E%F^G&H*"):
        with pytest.raises(CodeTypingError) as caught:
            hash_access_code(typo, secret_key=SecretStr("k" * 32))
        written.add(str(caught.value))
    assert None not in written
    assert written <= set(API_MESSAGES), written - set(API_MESSAGES)


def test_every_question_a_survivor_may_be_asked_is_extracted(extracted: set[str]) -> None:
    """The fact dictionary's ``ask_survivor`` questions are survivor texts (so the test above
    fails while one has no translation): the wording written to the survivor, and the staff
    label and hint the interpreter view shows. Staff-only facts are never extracted."""
    from workflows.facts import default_fact_dictionary

    dictionary = default_fact_dictionary()
    askable = dictionary.survivor_askable
    assert len(askable) >= 10
    for spec in askable:
        texts = [spec.ask, spec.ask_help, spec.why, spec.label, spec.help, *spec.options.values()]
        assert {text for text in texts if text} <= extracted, spec.key
    staff_only = [spec.label for spec in dictionary.specs.values() if not spec.survivor_visible]
    assert staff_only
    assert not set(staff_only) & extracted
