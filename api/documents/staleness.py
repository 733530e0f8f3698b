"""Mark generated documents stale when a fact they were built from changes.

Called from :func:`api.cases.service.change_facts` inside its unit of work (it only adds to the
session; the caller commits), so a fact change and the staleness it causes are saved together.
A stale version keeps its content (an approved one stays frozen); the page says which facts
changed and offers to generate a new version.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Final

from sqlalchemy import Table, bindparam
from sqlmodel import Session, col, select

from api.documents.models import DocumentVersion, GenerationStatus

_VERSIONS: Final[Table] = DocumentVersion.__table__  # type: ignore[attr-defined]
# Built once (every answer runs it): building a statement costs more than running this one.
_FACTS_USED: Final = select(_VERSIONS.c.id, _VERSIONS.c.facts_used).where(
    _VERSIONS.c.case_id == bindparam("case_id"), _VERSIONS.c.status == GenerationStatus.DONE.value
)


def mark_documents_stale(session: Session, case_id: int, changed_keys: Collection[str]) -> None:
    """Add ``changed_keys`` to the stale facts of every generated version of the case that used one.

    Every answer calls this and most find nothing to mark, so the versions are first read as
    plain rows (their ids and the facts they used); only those hit are loaded as objects.
    """
    if not changed_keys:
        return
    changed = set(changed_keys)
    # No autoflush: the caller's pending fact rows are flushed by its own commit, where it
    # handles a concurrent change; flushing them here would raise outside that handling.
    with session.no_autoflush:
        used = session.execute(_FACTS_USED, {"case_id": case_id}).all()
        hit_ids = [version_id for version_id, facts_used in used if changed & set(json.loads(facts_used))]
        if not hit_ids:
            return
        versions = session.exec(select(DocumentVersion).where(col(DocumentVersion.id).in_(hit_ids))).all()
    for version in versions:
        hit = changed & set(json.loads(version.facts_used))
        before = set(json.loads(version.stale_facts)) if version.stale_facts else set()
        version.stale_facts = json.dumps(sorted(before | hit))
        session.add(version)
