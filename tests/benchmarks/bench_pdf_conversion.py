"""Benchmark: DOCX → PDF throughput of the worker's path against one cold ``soffice`` per document.

Run: ``.venv/bin/python tests/benchmarks/bench_pdf_conversion.py [--documents N]`` (not collected
by pytest; needs LibreOffice; about a minute).

Both sides convert the same rendered claim documents (every template in turn, fictional facts)
with :func:`api.documents.pdf.convert_docx_batch`, i.e. with a private profile per call and every
output checked:

- **baseline**: one ``soffice`` call per document, as a naive converter (or docassemble's one
  conversion at a time) does, paying LibreOffice's start-up every time;
- **worker path**: what :func:`api.documents.service.run_generation` does, batches of
  ``BATCH_SIZE`` documents per call.

Goal (issue 4): worker path throughput >= 3x the baseline's. Exit status 1 when it is missed or
any conversion failed. The machine's other load slows both sides alike; the ratio is the figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from typing import Final

from api.documents.pdf import convert_docx_batch, soffice_path
from api.documents.rendering import build_context, render_docx
from api.documents.service import BATCH_SIZE
from workflows.catalogue import TEMPLATES_ROOT
from workflows.facts import default_fact_dictionary
from workflows.manifests import load_manifests

GOAL_RATIO: Final = 3.0
# The same fictional facts as the tests' fixtures (tests/ is not importable from a script).
FACTS: Final = {
    "person.full_name": "Mirela Testescu",
    "person.date_of_birth": "1994-06-12",
    "person.preferred_language": "ro",
    "account.narrative": "I was offered work on a farm.\n\nMy passport was taken.\n\nI left in September.",
    "statement.prepared_how": "face_to_face",
    "statement.number": 1,
    "interpreter.name": "Ion Fictivu",
    "proceedings.court": "In the County Court at Leeds",
    "proceedings.claim_number": "K00LS999",
    "proceedings.claimant": "Mirela Testescu",
    "proceedings.defendant": "Wetherby Orchard Holdings Ltd",
    "proceedings.party_for": "claimant",
    "incident.date": "2024-08-30",
    "police.first_report_date": "2024-09-05",
    "police.crime_reference": "WY-2024-00042",
    "nrm.rg_decision_date": "2024-09-20",
    "nrm.reconsideration_grounds": "The decision ignored the support worker's report.",
    "nrm.new_evidence": "GP letter",
    "nrm.cg_decision_date": "2024-12-15",
    "vts.grounds": ["recovery"],
    "vts.recovery_evidence": "Counsellor's letter",
    "us.declaration_place": "outside_us",
    "us.t.exhibits": "Declaration\nI-914 Supplement B",
}
BUILTINS: Final = {
    "date": "22 November 2026",
    "advocate_name": "Bea",
    "organisation_name": "Harbour",
    "evidence": [],
}


def _documents(count: int) -> list[bytes]:
    dictionary = default_fact_dictionary()
    manifests = sorted(load_manifests(TEMPLATES_ROOT, dictionary)[0].values(), key=lambda m: m.name)
    values = dictionary.parse_facts(FACTS, today=date(2026, 11, 22))
    return [
        render_docx(manifest, build_context(dictionary, manifest, values, BUILTINS))
        for manifest in (manifests[i % len(manifests)] for i in range(count))
    ]


def _timed(documents: list[bytes], per_call: int) -> tuple[float, int]:
    started = time.perf_counter()
    failures = 0
    for start in range(0, len(documents), per_call):
        results = convert_docx_batch(documents[start : start + per_call])
        failures += sum(1 for result in results if result.pdf is None)
    return time.perf_counter() - started, failures


def main() -> int:
    """Run the benchmark; print the figures; 1 if the goal is missed or a conversion failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2 * BATCH_SIZE)
    args = parser.parse_args()
    if soffice_path() is None:
        print("LibreOffice is not installed (.dev/system-packages installs it).")
        return 1
    documents = _documents(args.documents)
    convert_docx_batch(documents[:1])  # warm the disk cache for both sides alike
    baseline, baseline_failures = _timed(documents, 1)
    batched, batched_failures = _timed(documents, BATCH_SIZE)
    ratio = baseline / batched
    count = len(documents)
    print(f"{count} documents; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"baseline, one cold soffice per document: {baseline:.1f} s ({count / baseline:.2f} documents/s)")
    print(f"worker path, batches of {BATCH_SIZE}: {batched:.1f} s ({count / batched:.2f} documents/s)")
    verdict = "met" if ratio >= GOAL_RATIO else "MISSED"
    print(f"throughput ratio: {ratio:.1f}x (goal >= {GOAL_RATIO:.0f}x: {verdict})")
    if baseline_failures or batched_failures:
        print(f"conversions failed: baseline {baseline_failures}, worker path {batched_failures}")
        return 1
    return 0 if ratio >= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
