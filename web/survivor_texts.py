"""Texts a survivor reads that are made outside the templates, listed for the message catalogues.

Two kinds:

- Messages the ``api`` layer writes in English and the survivor's pages show as they are
  (:data:`API_MESSAGES`): the templates look them up in the catalogue at run time
  (``tr(message)``). ``tests/web/test_translations.py`` checks that the api still writes
  exactly these, so a changed wording cannot slip through untranslated.
- Texts of the workflow definitions a survivor sees (the labels of deadlines and of the
  evidence to bring): :func:`extract_workflow_texts` is a Babel extraction method for the
  definition files (``web/translations/babel.cfg``).
- The questions of the fact dictionary an advocate may ask the survivor (``ask_survivor``):
  the question and hint written to them (``ask``, ``ask_help``), "why we ask" and options,
  which their question pages show; and the staff label and hint, which the interpreter view of
  the advocate's interview shows. :func:`extract_fact_texts` extracts them from
  ``workflows/facts.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any, Final

import yaml

from web.i18n import N_

# Literal strings (Babel does not extract f-strings); the test renders the api's own messages.
API_MESSAGES: Final = (
    N_("This access code is not valid. Ask your advocate for a new one."),
    N_("Enter the access code your advocate gave you."),
    N_("Access codes contain only letters and numbers. Check the code again."),
    N_("Use at least 10 characters. A few words you will remember work well."),
    N_("Use at most 256 characters."),
    N_("Do not use one character over and over. A few words you will remember work well."),
    N_(
        "This is one of the most common passwords, so it is easy to guess. "
        "Try a few words you will remember instead."
    ),
    N_("Enter a name."),
    N_("Use at most 200 characters for a name."),
    N_("Too many attempts. Wait a few minutes, then try again."),
    N_("The sign-in name or passphrase is not right."),
    N_("The file is too big. Choose a file smaller than %(limit)s."),
    N_("The file is empty. Choose another file."),
    N_("This kind of file cannot be uploaded. Choose a photo (JPEG, PNG or HEIC) or a PDF."),
    N_("The picture could not be read. It may be damaged. Take the photo again or choose another file."),
    N_("Write a message first."),
    N_("The message is too long. Write at most 4000 characters."),
    # The contact-preferences page (api/contact_preferences/service.py).
    N_("Enter an email address like name@example.com, or leave it empty."),
    N_("Enter the email address that nobody else reads, or untick “Nobody else reads this email”."),
    N_("Use at most 60 characters."),
    N_("Choose a language from the list."),
    # The safe times on the same page (api/contact_preferences/safe_times.py).
    N_("Choose both times, or “Any time” for both."),
    N_("Choose an end time that is not the same as the start time."),
    N_("Choose a time from the list."),
)
# What each workflow definition's survivor-facing texts are: (list in the definition, field).
WORKFLOW_TEXT_FIELDS: Final = (("deadlines", "label"), ("evidence", "label"))


def extract_workflow_texts(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method: the survivor-facing labels of one workflow definition."""
    document = yaml.safe_load(fileobj.read().decode("utf-8")) or {}
    workflow = document.get("id", "?")
    for section, field in WORKFLOW_TEXT_FIELDS:
        for item in document.get(section) or []:
            text = item.get(field)
            if isinstance(text, str) and text:
                yield 0, "gettext", text, [f"{workflow}: {section}.{item.get('id', '?')}"]


# What a survivor reads of a fact they may be asked: the question and hint written to them and
# "why we ask" on their own pages; the staff label and hint through an interpreter.
FACT_TEXT_FIELDS: Final = ("label", "help", "why", "ask", "ask_help")


def extract_fact_texts(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method: the texts of every fact marked ``ask_survivor`` in the fact
    dictionary, and its options' labels."""
    document = yaml.safe_load(fileobj.read().decode("utf-8")) or {}
    for key, body in document.items():
        if not isinstance(body, dict) or not body.get("ask_survivor"):
            continue
        for field in FACT_TEXT_FIELDS:
            text = body.get(field)
            if isinstance(text, str) and text:
                yield 0, "gettext", text, [f"{key}: {field}"]
        for value, label in (body.get("options") or {}).items():
            if isinstance(label, str) and label:
                yield 0, "gettext", label, [f"{key}: options.{value}"]
