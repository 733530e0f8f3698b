"""The survivor's neutral reminder exists in every language they can choose, with the same
placeholders as the English, says what the contact-preferences page promises it says, and
never names the process."""

from __future__ import annotations

from string import Formatter

import pytest

from api.contact_preferences.service import LANGUAGES as CONTACT_LANGUAGES
from api.contact_preferences.service import ContactPreferences
from api.reminders.messages import SURVIVOR_TEXT, survivor_text
from web.i18n import LANGUAGES, translate

# The page's promise (web/templates/survivor/contact.html), which quotes the reminder's body.
PAGE_PROMISE = (
    "We can send you a short message before a date that matters. It only says: “You have a date "
    "coming up — sign in to see the details.” Only choose a way that nobody else reads."
)
# Words that would tell an onlooker what the person is going through, in each language.
REVEALING = (
    "trafficking", "immigration", "compensation", "deadline", "case", "court",
    "trata", "inmigración", "indemnización", "plazo",
    "trafikim", "imigracion", "kompensim", "afat",
    "buôn người", "di trú", "bồi thường", "thời hạn",
    "trafic", "imigrare", "despăgubire", "termen",
    "اتجار", "هجرة", "تعويض", "مهلة",
)  # fmt: skip


def placeholders(text: str) -> list[str]:
    """The ``{name}`` fields of a ``str.format`` text, in order."""
    return [field for _literal, field, _spec, _conversion in Formatter().parse(text) if field is not None]


def test_the_reminder_languages_are_the_survivor_portals() -> None:
    assert tuple(LANGUAGES) == CONTACT_LANGUAGES
    assert set(SURVIVOR_TEXT) == set(LANGUAGES)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_each_language_has_every_text_with_the_same_placeholders(language: str) -> None:
    english, words = SURVIVOR_TEXT["en"], SURVIVOR_TEXT[language]
    assert set(words) == set(english)
    for key, text in words.items():
        assert text.strip(), (language, key)
        assert placeholders(text) == placeholders(english[key]), (language, key)
        if language != "en":
            assert text != english[key], f"{language}.{key} is still English"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_reminder_says_what_the_page_promises_and_nothing_revealing(language: str) -> None:
    body = SURVIVOR_TEXT[language]["body"]
    assert body.rstrip(".") in translate(language, PAGE_PROMISE)
    preferences = ContactPreferences(name="Robin", org_name_allowed=True, language=language)
    text = survivor_text(preferences, "Harbour Trust", "https://redress.example/survivor")
    assert "Robin" in text.body
    assert "Harbour Trust" in text.body
    assert body in text.body
    everything = f"{text.title}\n{text.body}".lower().replace("harbour trust", "")
    for word in REVEALING:
        assert word not in everything, (language, word)


def test_an_unknown_language_falls_back_to_english_and_no_name_gives_a_plain_greeting() -> None:
    text = survivor_text(ContactPreferences(language="xx"), "Harbour Trust", "")
    assert text.title == SURVIVOR_TEXT["en"]["subject"]
    assert text.body.splitlines()[0] == SURVIVOR_TEXT["en"]["greeting_plain"]
    assert "Harbour Trust" not in text.body  # the organisation only when the person allowed it
