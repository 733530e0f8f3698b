"""Safe YAML loading that remembers where every value came from.

Definitions are data written by people, so problems must point at a line. PyYAML's safe
loader builds plain dicts and lists (no Python objects, no tags that construct code); we also
compose the node tree once to record the line of every mapping key and sequence item, keyed by
its path (``("steps", 2, "questions", 0, "when")``). Duplicate keys, which PyYAML would
silently collapse to the last one, are reported instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class LineMap:
    """Line numbers (1-based) of the values in one YAML document, by path."""

    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_for(self, path: Sequence[str | int]) -> int:
        """The line of ``path``, or of its nearest recorded ancestor; 1 if nothing is known."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


@dataclass(frozen=True)
class YamlDocument:
    """The plain data of a YAML file, its line map, and structural problems (duplicate keys)."""

    path: Path
    data: object
    lines: LineMap
    duplicate_keys: tuple[tuple[PathKey, int], ...]


class YamlSyntaxError(ValueError):
    """The file is not valid YAML; ``line`` is 1-based."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")


def load_yaml(path: Path) -> YamlDocument:
    """Parse ``path`` with the safe loader and record the line of every value."""
    text = path.read_text(encoding="utf-8")
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse YAML ``text`` (named ``path`` in messages) safely, with line numbers."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlSyntaxError(path, line, f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(path, 1, f"invalid YAML: {exc}") from None
    lines: dict[PathKey, int] = {}
    duplicates: list[tuple[PathKey, int]] = []
    if node is not None:
        _walk(node, (), lines, duplicates)
    return YamlDocument(path, data, LineMap(lines), tuple(duplicates))


def _walk(
    node: yaml.Node,
    path: PathKey,
    lines: dict[PathKey, int],
    duplicates: list[tuple[PathKey, int]],
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                duplicates.append((child, key_node.start_mark.line + 1))
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, lines, duplicates)
            # A key's line is where the key is written, even if its value starts lower.
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, duplicates)
