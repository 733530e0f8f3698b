"""Check the Word templates themselves: Jinja syntax, and every variable known.

Run by ``redress check`` (with the manifests of :mod:`workflows.manifests`) and by the test
suite. A template's problems are reported with the template and the place: the paragraph number
in the document and the start of its text, since a lawyer editing in Word sees paragraphs, not
XML lines. The rule for variables: what a template uses ⊆ its manifest's facts (and the built-in
``doc`` values) ⊆ the fact dictionary (the second half is the manifest's own check).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, meta, nodes

from api.documents.rendering import BUILTINS, sandbox
from workflows.facts import FactDictionary
from workflows.manifests import TemplateManifest, load_manifests
from workflows.problems import Problem

_TEXT: Final = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
_PARAGRAPH_END: Final = "</w:p>"
_EXCERPT_LENGTH: Final = 50


def template_source(path: Path) -> str:
    """The body of the template as docxtpl hands it to Jinja, one paragraph per line."""
    template = DocxTemplate(str(path))
    template.init_docx()
    xml: str = template.patch_xml(template.get_xml())
    return xml.replace(_PARAGRAPH_END, _PARAGRAPH_END + "\n")


def _excerpt(source: str, line: int) -> str:
    lines = source.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    text = "".join(_TEXT.findall(lines[line - 1])).strip()
    return text if len(text) <= _EXCERPT_LENGTH else text[: _EXCERPT_LENGTH - 1] + "…"


def used_variables(source: str) -> list[tuple[str, int]]:
    """Every variable path the template reads (``person.full_name``), with its line.

    Names the template defines itself (loop variables, ``loop``) are left out.
    """
    tree = sandbox().parse(source)
    free = meta.find_undeclared_variables(tree)
    found: list[tuple[str, int]] = []
    for path, line in _paths(tree):
        if path.split(".", 1)[0] in free:
            found.append((path, line))
    return found


def _paths(node: nodes.Node) -> Iterator[tuple[str, int]]:
    if isinstance(node, nodes.Getattr):
        dotted = _dotted(node)
        if dotted is not None:
            yield dotted, node.lineno
            return
    if isinstance(node, nodes.Name) and node.ctx == "load":
        yield node.name, node.lineno
        return
    for child in node.iter_child_nodes():
        yield from _paths(child)


def _dotted(node: nodes.Expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if isinstance(node, nodes.Name):
        return ".".join([node.name, *reversed(parts)])
    return None


def _known(path: str, allowed: frozenset[str]) -> bool:
    """Whether ``path`` is an allowed key or an attribute of one (``person.preferred_language.code``)."""
    parts = path.split(".")
    return any(".".join(parts[:end]) in allowed for end in range(1, len(parts) + 1))


def check_template(manifest: TemplateManifest) -> list[Problem]:
    """The problems of one template: unreadable, a syntax error, or an unknown variable."""
    path = manifest.template_path
    try:
        source = template_source(path)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        return [Problem(path, 1, f"cannot open the Word file: {exc}", "save it again from Word as .docx")]
    try:
        used = used_variables(source)
    except TemplateSyntaxError as exc:
        line = exc.lineno or 1
        return [
            Problem(
                path,
                line,
                f"template syntax error in paragraph {line} ({_excerpt(source, line)!r}): {exc.message}",
                "check that every {% if %} / {% for %} has its {% endif %} / {% endfor %} and every "
                "{{ is closed by }}",
            )
        ]
    allowed = frozenset(manifest.facts) | BUILTINS
    problems = []
    reported: set[str] = set()
    for variable, line in used:
        if _known(variable, allowed) or variable in reported:
            continue
        reported.add(variable)
        problems.append(
            Problem(
                path,
                line,
                f"unknown variable {variable} in paragraph {line} ({_excerpt(source, line)!r})",
                f"add the fact to {manifest.name}/manifest.yaml, or use one of: {', '.join(sorted(allowed))}",
            )
        )
    return problems


def check_templates(root: Path, facts: FactDictionary) -> list[Problem]:
    """Every problem of every manifest and template under ``root``."""
    manifests, problems = load_manifests(root, facts)
    for manifest in manifests.values():
        problems.extend(check_template(manifest))
    return problems
