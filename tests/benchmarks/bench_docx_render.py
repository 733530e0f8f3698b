"""Benchmark: rendering a five-page witness statement to DOCX (docxtpl, sandboxed Jinja).

Run: ``.venv/bin/python tests/benchmarks/bench_docx_render.py [--runs N]`` (not collected by
pytest; a few seconds).

The statement is the real ``claim_templates/witness_statement`` template filled with fictional
facts whose account is long enough for five A4 pages (checked by converting one render with
LibreOffice when it is installed). What is timed is what the worker does per document before
the PDF: build the context from typed facts, fill the template, save the Word file to bytes.
The baseline, measured in the same run, is python-docx alone opening and saving the same
template (the floor any docxtpl render pays). Goal (issue 4): median <= 50 ms. Exit status 1
when the goal is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from datetime import date
from typing import Final

from docx import Document
from pypdf import PdfReader

from api.documents.pdf import convert_docx_batch, soffice_path
from api.documents.rendering import build_context, render_docx
from workflows.catalogue import TEMPLATES_ROOT
from workflows.facts import default_fact_dictionary
from workflows.manifests import load_manifests

GOAL_MS: Final = 50.0
PARAGRAPH: Final = (
    "On that day the man who called himself the supervisor woke us at five in the morning and drove us "
    "to the packing shed, where we worked until late in the evening without a break; when I asked about "
    "my wages he said that the money was kept against the debt for my travel and my bed, and that if I "
    "spoke to anyone about it my family at home would be told I had been arrested."
)
FACTS: Final = {
    "person.full_name": "Mirela Testescu",
    "person.preferred_language": "ro",
    "person.occupation": "Student",
    "statement.prepared_how": "face_to_face",
    "statement.number": 1,
    "interpreter.name": "Ion Fictivu",
    "proceedings.court": "In the County Court at Leeds",
    "proceedings.claim_number": "K00LS999",
    "proceedings.claimant": "Mirela Testescu",
    "proceedings.defendant": "Wetherby Orchard Holdings Ltd",
    "proceedings.party_for": "claimant",
}
BUILTINS: Final = {"date": "22 November 2026", "advocate_name": "Bea", "organisation_name": "Harbour"}


def main() -> int:
    """Run the benchmark; print the figures; 1 if the goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--paragraphs", type=int, default=22, help="paragraphs of the account")
    args = parser.parse_args()
    dictionary = default_fact_dictionary()
    manifest = load_manifests(TEMPLATES_ROOT, dictionary)[0]["witness_statement"]
    raw = {**FACTS, "account.narrative": "\n\n".join([PARAGRAPH] * args.paragraphs)}
    values = dictionary.parse_facts(raw, today=date(2026, 11, 22))
    builtins = {**BUILTINS, "evidence": []}

    def render() -> bytes:
        return render_docx(manifest, build_context(dictionary, manifest, values, builtins))

    def baseline() -> bytes:
        out = io.BytesIO()
        Document(str(manifest.template_path)).save(out)
        return out.getvalue()

    for _ in range(3):  # warm caches (template bytes, Jinja environment)
        render()
        baseline()
    pages = None
    if soffice_path() is not None:
        pdf = convert_docx_batch([render()])[0].pdf
        pages = len(PdfReader(io.BytesIO(pdf)).pages) if pdf else None
    timings = {"render": [], "baseline": []}
    for _ in range(args.runs):
        for name, function in (("render", render), ("baseline", baseline)):
            started = time.perf_counter()
            function()
            timings[name].append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings["render"])
    base = statistics.median(timings["baseline"])
    p95 = sorted(timings["render"])[int(0.95 * (len(timings["render"]) - 1))]
    print(f"witness statement: {pages if pages is not None else '?'} pages (LibreOffice), {args.runs} runs")
    print(f"render median {median:.1f} ms, p95 {p95:.1f} ms")
    print(f"baseline (python-docx open+save of the template) median {base:.1f} ms")
    print(f"render / baseline: {median / base:.2f}x")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"goal: median <= {GOAL_MS:.0f} ms: {'met' if median <= GOAL_MS else 'MISSED'}")
    return 0 if median <= GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
