"""Manifests of the Word templates in ``claim_templates/<name>/manifest.yaml``: what each
template is, and the facts it needs.

A manifest names the template's title and version, its language, its paper size (A4 for the UK,
Letter for the US), its jurisdiction, who reads the finished document (``court``, ``authority``
or ``other_side``), the workflows that use it and the facts it needs (``required``: generation
refuses to start without them and says which; ``optional``: the template copes with their
absence). Checked here, purely: the schema, every fact in the fact dictionary, and no
``confidential`` fact (an address, a phone number) in a document meant for the other side.
What the ``.docx`` itself says (its Jinja tags) is checked in :mod:`api.documents.template_lint`,
which may import Jinja; this package may not.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workflows.facts import FactDictionary, Sensitivity
from workflows.problems import Problem

MANIFEST_FILE: Final = "manifest.yaml"
TEMPLATE_FILE: Final = "template.docx"
LANGUAGE_FACT: Final = "person.preferred_language"
INTERPRETED_UNLESS: Final = "en"  # documents are in English: any other language needs an interpreter


class Audience(StrEnum):
    """Who reads the finished document."""

    COURT = "court"
    AUTHORITY = "authority"
    OTHER_SIDE = "other_side"
    INTERNAL = "internal"  # a note for the organisation's own file


class _FactsDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")

    required: list[str] = Field(default_factory=list)
    when_interpreted: list[str] = Field(default_factory=list)
    optional: list[str] = Field(default_factory=list)


class _ManifestDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=120)
    version: str = Field(pattern=r"^\d+\.\d+$")
    language: str = Field(pattern=r"^[a-z]{2}$")
    paper: Literal["A4", "Letter"]
    jurisdiction: Literal["GB", "US"]
    audience: Audience
    workflows: list[str] = Field(default_factory=list)
    summary: str = Field(default="", max_length=500)
    facts: _FactsDoc
    # How a missing fact is named in "the statement needs: …", where its label is a question.
    names: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class TemplateManifest:
    """One template's manifest, validated."""

    name: str
    title: str
    version: str
    language: str
    paper: str
    jurisdiction: str
    audience: Audience
    workflows: tuple[str, ...]
    summary: str
    required: tuple[str, ...]
    when_interpreted: tuple[str, ...]
    optional: tuple[str, ...]
    folder: Path
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def facts(self) -> tuple[str, ...]:
        """Every fact the template may use, required first."""
        return self.required + self.when_interpreted + self.optional

    def name_of(self, key: str, facts: FactDictionary) -> str:
        """What the fact is called in a message: the manifest's name for it, else its label."""
        return self.names.get(key) or facts.get(key).label

    @property
    def needs_phrase(self) -> str:
        """ "the witness statement (CPR Part 32)": the title as it reads inside a sentence. A title
        that starts with a name keeps its capital: an abbreviation ("CICA claim pack"), a letter
        ("T visa cover letter") or a form's name ("Form I-914 worksheet", "Supplement B request letter")."""
        title = self.title
        words = title.split()
        starts_with_a_name = (
            title[1:2].isupper()
            or len(words[0]) == 1
            or (
                len(words) > 1
                and words[1][:1].isupper()
                and (len(words[1]) == 1 or any(c.isdigit() for c in words[1]))
            )
        )
        return "the " + (title if starts_with_a_name else title[:1].lower() + title[1:])

    def required_for(self, language: str | None) -> tuple[str, ...]:
        """The facts required when the person speaks ``language`` (those about the interpreter
        too, unless it is English)."""
        return self.required + (self.when_interpreted if language != INTERPRETED_UNLESS else ())

    @property
    def template_path(self) -> Path:
        """The Word template itself."""
        return self.folder / TEMPLATE_FILE


def template_folders(root: Path) -> Iterator[Path]:
    """Every folder of ``root`` holding a manifest, by name."""
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if (folder / MANIFEST_FILE).is_file():
            yield folder


def load_manifest(folder: Path, facts: FactDictionary) -> tuple[TemplateManifest | None, list[Problem]]:
    """The manifest of ``folder`` and every problem found in it (the manifest is None if any)."""
    path = folder / MANIFEST_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return None, [Problem(path, 1, f"cannot read the manifest: {exc}", "fix the YAML")]
    try:
        doc = _ManifestDoc.model_validate(raw)
    except ValidationError as exc:
        return None, [
            Problem(
                path,
                1,
                f"{'.'.join(str(part) for part in error['loc']) or 'manifest'}: {error['msg']}",
                "see claim_templates/README.md for the manifest's fields",
            )
            for error in exc.errors()
        ]
    problems: list[Problem] = []
    seen: set[str] = set()
    for key in [*doc.facts.required, *doc.facts.when_interpreted, *doc.facts.optional]:
        if key in seen:
            problems.append(Problem(path, 1, f"fact {key} is listed twice", "list each fact once"))
        seen.add(key)
        if key not in facts:
            problems.append(
                Problem(
                    path, 1, f"fact {key} is not in the fact dictionary", "add it to workflows/facts.yaml"
                )
            )
        elif doc.audience is Audience.OTHER_SIDE and facts.get(key).sensitivity is Sensitivity.CONFIDENTIAL:
            problems.append(
                Problem(
                    path,
                    1,
                    f"fact {key} is confidential and this document is for the other side",
                    "leave it out: where the person can be found must never reach the other side",
                )
            )
    for key in doc.names:
        if key not in seen:
            problems.append(
                Problem(path, 1, f"names: {key} is not one of the manifest's facts", "name listed facts only")
            )
    if doc.facts.when_interpreted and LANGUAGE_FACT not in doc.facts.required:
        problems.append(
            Problem(
                path,
                1,
                f"facts.when_interpreted needs {LANGUAGE_FACT} among the required facts",
                "whether an interpreter was needed follows from the person's language",
            )
        )
    if not (folder / TEMPLATE_FILE).is_file():
        problems.append(
            Problem(path, 1, f"{TEMPLATE_FILE} is missing beside the manifest", "add the Word file")
        )
    if problems:
        return None, problems
    manifest = TemplateManifest(
        name=folder.name,
        title=doc.title,
        version=doc.version,
        language=doc.language,
        paper=doc.paper,
        jurisdiction=doc.jurisdiction,
        audience=doc.audience,
        workflows=tuple(doc.workflows),
        summary=doc.summary,
        required=tuple(doc.facts.required),
        when_interpreted=tuple(doc.facts.when_interpreted),
        optional=tuple(doc.facts.optional),
        folder=folder,
        names=dict(doc.names),
    )
    return manifest, []


def load_manifests(root: Path, facts: FactDictionary) -> tuple[dict[str, TemplateManifest], list[Problem]]:
    """Every valid manifest under ``root`` by template name, and the problems of the others."""
    manifests: dict[str, TemplateManifest] = {}
    problems: list[Problem] = []
    for folder in template_folders(root):
        manifest, found = load_manifest(folder, facts)
        problems.extend(found)
        if manifest is not None:
            manifests[manifest.name] = manifest
    return manifests, problems
