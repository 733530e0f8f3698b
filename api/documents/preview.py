"""An accessible preview of a generated Word file: its blocks (headings, paragraphs, numbered
paragraphs, tables) read back with python-docx.

The preview is built from the very file that is downloaded, so a reviewer reads what will be
filed. Blocks are plain data (kind, text, number) and the page renders them as semantic HTML
(``<h2>``, ``<p>``, ``<ol>``, ``<table>``) through autoescaped templates: a screen reader gets
the structure, and nothing in a fact can become markup. Each block has a number, so a lawyer
can comment on one paragraph and a diff can line versions up.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass
from typing import Final

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

HEADING: Final = "heading"
PARAGRAPH: Final = "paragraph"
NUMBERED: Final = "numbered"
TABLE_ROW: Final = "row"


@dataclass(frozen=True)
class Block:
    """One block of the preview; ``number`` counts numbered paragraphs (1, 2, …), else 0."""

    index: int
    kind: str
    text: str
    align: str = ""
    bold: bool = False
    number: int = 0
    cells: tuple[str, ...] = ()


def blocks_of(docx_bytes: bytes) -> list[Block]:
    """The document's blocks, in order (empty paragraphs left out)."""
    document = Document(io.BytesIO(docx_bytes))
    blocks: list[Block] = []
    numbered = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = tuple(cell.text.strip() for cell in row.cells)
                blocks.append(Block(len(blocks), TABLE_ROW, " | ".join(cells), cells=cells))
            continue
        paragraph: Paragraph = item
        text = paragraph.text.strip()
        if not text:
            continue
        style = paragraph.style.name if paragraph.style is not None else ""
        if style.startswith(("Heading", "Title")):
            blocks.append(Block(len(blocks), HEADING, text))
        elif style.startswith("List Number"):
            numbered += 1
            blocks.append(Block(len(blocks), NUMBERED, text, number=numbered))
        else:
            alignment = paragraph.alignment
            align = {1: "center", 2: "right"}.get(int(alignment), "") if alignment is not None else ""
            bold = bool(paragraph.runs) and all(run.bold for run in paragraph.runs if run.text.strip())
            blocks.append(Block(len(blocks), PARAGRAPH, text, align=align, bold=bold))
    return blocks


def to_json(blocks: list[Block]) -> bytes:
    """The blocks as compact JSON (stored encrypted)."""
    return json.dumps([asdict(block) for block in blocks], ensure_ascii=False, separators=(",", ":")).encode()


def from_json(data: bytes) -> list[Block]:
    """Blocks back from :func:`to_json`."""
    return [Block(**{**raw, "cells": tuple(raw.get("cells", ()))}) for raw in json.loads(data.decode())]
