"""Render a claim template (docxtpl) with a case's facts into a Word file.

Why the shape:

- **Sandboxed, autoescaped Jinja.** Templates are data that lawyers edit; the sandbox keeps a
  template from reaching Python internals, and autoescaping keeps a value such as
  ``Smith & <Sons> "Ltd"`` exactly as typed (without it docxtpl silently drops ``<...>`` and
  breaks the XML on ``&``).
- **Strict undefined.** A variable that is not in the context is an error, never a blank.
- **Missing facts are found before rendering**, by name: "the witness statement needs: date of
  first police report" (:class:`MissingFacts`), so nobody files a document with a gap in it.
- **Values arrive formatted**: dates as written in the template's country, choices as their
  English label (with ``.code`` for conditions), lists as lists of those. Facts marked
  ``confidential`` never reach a document for the other side, whatever the template says.
- Facts are nested by their dotted keys (``person.full_name`` → ``{"person": {"full_name": …}}``)
  so templates read naturally; the built-in ``doc`` namespace holds what is not a fact
  (``doc.date``, ``doc.advocate_name``, ``doc.organisation_name``, ``doc.evidence``, and
  ``doc.nmw_working``: the minimum wage calculator's working, a line per pay period;
  ``doc.findings``: the deadlines, rules and evidence the engine gives the template's workflows;
  ``doc.i914``: the Form I-914 worksheet rows; see :mod:`api.documents.findings`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar, Final

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from workflows.facts import FactDictionary, Sensitivity
from workflows.manifests import LANGUAGE_FACT, Audience, TemplateManifest
from workflows.types import FactType, Money

BUILTINS: Final = frozenset(
    {
        "doc.date",
        "doc.advocate_name",
        "doc.organisation_name",
        "doc.evidence",
        "doc.nmw_working",
        "doc.findings",
        "doc.i914",
    }
)
_PARAGRAPH_BREAK: Final = re.compile(r"\n\s*\n")
_ORDINAL_SUFFIXES: Final = {1: "st", 2: "nd", 3: "rd"}
_COMPILED_CACHE_SIZE: Final = 64  # a few parts (body, headers, footers) of each template


class MissingFacts(Exception):
    """The template needs facts the case does not have (or has as "don't know")."""

    def __init__(self, manifest: TemplateManifest, keys: Sequence[str], dictionary: FactDictionary) -> None:
        self.keys = tuple(keys)
        self.names = tuple(manifest.name_of(key, dictionary) for key in keys)
        phrase = manifest.needs_phrase
        super().__init__(f"{phrase[:1].upper()}{phrase[1:]} needs: {'; '.join(self.names)}.")


class RenderError(Exception):
    """The template could not be rendered (a template fault, not the case's)."""


@dataclass(frozen=True)
class Choice:
    """A choice fact in a template: prints as its label; ``code`` for conditions."""

    code: str
    label: str

    def __str__(self) -> str:
        return self.label


def paragraphs(text: object) -> list[str]:
    """Plain text split into paragraphs at blank lines; lines within a paragraph are joined."""
    if text is None:
        return []
    parts = _PARAGRAPH_BREAK.split(str(text).replace("\r\n", "\n").strip())
    return [" ".join(part.split()) for part in parts if part.strip()]


def lines(text: object) -> list[str]:
    """Plain text split into its non-empty lines (lists typed one item per line)."""
    if text is None:
        return []
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def ordinal(number: object) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th"."""
    value = int(str(number))
    suffix = "th" if 10 <= value % 100 <= 20 else _ORDINAL_SUFFIXES.get(value % 10, "th")
    return f"{value}{suffix}"


def initials_and_surname(name: object) -> str:
    """ "Ana Maria Popescu" → "A. M. Popescu" (PD 32 para 17.2: the witness's initials and surname)."""
    words = str(name).split()
    if len(words) < 2:
        return " ".join(words)
    return " ".join(f"{word[0]}." for word in words[:-1]) + f" {words[-1]}"


class _CompiledOnce(SandboxedEnvironment):
    """A sandbox that compiles each template source once: docxtpl hands Jinja the same XML on
    every render of a template, and compiling it costs more than rendering it."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, Any] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:  # noqa: A002
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            if len(self._compiled) >= _COMPILED_CACHE_SIZE:
                self._compiled.clear()
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


class _PatchedOnce(DocxTemplate):  # type: ignore[misc]
    """docxtpl's template with its XML clean-up (regular expressions over the whole body)
    done once per distinct body."""

    _patched: ClassVar[dict[str, str]] = {}

    def patch_xml(self, src_xml: str) -> str:
        patched = self._patched.get(src_xml)
        if patched is None:
            if len(self._patched) >= _COMPILED_CACHE_SIZE:
                self._patched.clear()
            patched = self._patched[src_xml] = str(super().patch_xml(src_xml))
        return patched


@cache
def sandbox() -> SandboxedEnvironment:
    """The one Jinja environment templates render in: sandboxed, autoescaped, strict."""
    env = _CompiledOnce(autoescape=True, undefined=StrictUndefined)
    env.filters.update(
        paragraphs=paragraphs, lines=lines, ordinal=ordinal, initials_and_surname=initials_and_surname
    )
    return env


def format_date(value: date, jurisdiction: str) -> str:
    """A date as written in the country's filings: "10 March 2025" (GB), "March 10, 2025" (US)."""
    if jurisdiction == "US":
        return f"{value:%B} {value.day}, {value.year}"
    return f"{value.day} {value:%B %Y}"


def format_value(dictionary: FactDictionary, key: str, value: object, jurisdiction: str) -> object:
    """One typed fact value as the template shows it."""
    spec = dictionary.get(key)
    if value is None:
        return None
    if isinstance(value, date):
        return format_date(value, jurisdiction)
    if spec.type is FactType.ENUM:
        return Choice(str(value), spec.options.get(str(value), str(value)))
    if spec.type is FactType.LIST and isinstance(value, tuple | list):
        return [Choice(str(item), spec.options.get(str(item), str(item))) for item in value]
    if isinstance(value, Money):
        symbol = {"GBP": "£", "USD": "$", "EUR": "€"}.get(value.currency, value.currency + " ")
        return f"{symbol}{value.amount:,.2f}"
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    return value


def missing_facts(
    dictionary: FactDictionary, manifest: TemplateManifest, values: Mapping[str, object]
) -> list[str]:
    """The keys the manifest requires that ``values`` lacks (absent, or None for "don't know")."""
    language = values.get(LANGUAGE_FACT)
    required = manifest.required_for(str(language) if language is not None else None)
    return [key for key in required if values.get(key) is None]


def build_context(
    dictionary: FactDictionary,
    manifest: TemplateManifest,
    values: Mapping[str, object],
    builtins: Mapping[str, object],
) -> dict[str, Any]:
    """The template's context: its manifest's facts, formatted and nested, plus ``doc``.

    Raises :class:`MissingFacts` naming every required fact that is missing, by its label.
    Confidential facts are left out (None) of documents for the other side.
    """
    missing = missing_facts(dictionary, manifest, values)
    if missing:
        raise MissingFacts(manifest, missing, dictionary)
    context: dict[str, Any] = {}
    for key in manifest.facts:
        value = values.get(key)
        spec = dictionary.get(key)
        if manifest.audience is Audience.OTHER_SIDE and spec.sensitivity is Sensitivity.CONFIDENTIAL:
            value = None
        _nest(context, key, format_value(dictionary, key, value, manifest.jurisdiction))
    context["doc"] = dict(builtins)
    return context


def _nest(context: dict[str, Any], key: str, value: object) -> None:
    *parents, leaf = key.split(".")
    node = context
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


@cache
def _template_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def render_docx(manifest: TemplateManifest, context: Mapping[str, Any]) -> bytes:
    """The filled-in Word file. :class:`RenderError` if the template itself is at fault."""
    template = _PatchedOnce(io.BytesIO(_template_bytes(str(manifest.template_path))))
    try:
        template.render(dict(context), jinja_env=sandbox(), autoescape=True)
    except Exception as exc:  # any Jinja or XML failure is the template's, reported as one kind
        raise RenderError(f"the template {manifest.name} could not be filled in: {exc}") from exc
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
