"""Apply :mod:`api.access` to one case, raising the cases domain's errors.

A case the actor may not see is :class:`CaseNotFound`, whatever the reason (another
organisation's, not shared, not theirs): a 404 that never confirms the case exists. A case the
actor may see but not act on in the way asked is :class:`AccessDenied` (403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlmodel import Session

from api import access
from api.access import Actor, CaseAccess
from api.cases.errors import AccessDenied, CaseNotFound
from api.cases.models import LegalCase

Rule = Callable[[Actor, CaseAccess], bool]


def authorise(session: Session, actor: Actor, case: LegalCase, rule: Rule | None = None) -> CaseAccess:
    """Check that ``actor`` sees ``case`` and, if given, that ``rule`` allows the action."""
    facts = access.case_access(session, actor, case)
    if not access.may_view(actor, facts):
        raise CaseNotFound(case.public_id)
    if rule is not None and not rule(actor, facts):
        raise AccessDenied()
    return facts


def authorise_answers(session: Session, actor: Actor, case: LegalCase, keys: Iterable[str]) -> CaseAccess:
    """Check that ``actor`` may give the answers of facts ``keys`` (:func:`api.access.may_answer`)."""
    facts = authorise(session, actor, case)
    if access.may_edit_facts(actor, facts):
        return facts
    facts = access.with_asked_facts(session, actor, case, facts)
    if not access.may_answer(actor, facts, keys):
        raise AccessDenied()
    return facts
