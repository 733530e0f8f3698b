"""The survivor's own case as their status page reads it: few, cheap statements per view.

The status page is what a survivor opens every time they sign in, so a view must cost little.
:func:`read_own_case` reads, in one statement, the case the survivor owns with its organisation's
time zone (for today's date), its advocate's name, the counts of unread messages and of the
advocate's questions, and a *stamp* of its facts, with its applications (id, workflow, version,
status) and the deadlines a person entered from a letter (those dates win over the computed
ones); checks the view with :mod:`api.access` and records ``case.viewed`` (committed: every read
of a case is in its trail).

What the engine makes of the case (next question, computed deadlines, evidence checklist) and
the survivor-visible answers depend only on the facts, the applications' workflow versions and
today. :attr:`OwnCase.derived_key` names exactly those, so a caller may keep what it derived
from them (:class:`DerivedMemo`) and skip decryption and evaluation when the key is unchanged.
The facts' stamp is how many rows they have, how many of those are superseded, and the newest
row's id: facts are never changed in place (a change supersedes the current row and adds a new
one, :mod:`api.cases.facts_store`), so every change of any fact moves the stamp. Application
statuses and entered dates are read on every view and are never part of what is kept, so they
can never be stale.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api import access
from api.access import Actor
from api.audit.service import insert_event
from api.cases.checks import require_aware, saved_id
from api.cases.models import Application, CaseFact, LegalCase
from api.cases.permissions import authorise
from api.deadlines.models import LIVE_STATES, CaseDeadline
from api.messages.service import unread_by_survivor
from api.orgs.models import DEFAULT_TIMEZONE, Organisation, User
from api.survivor_questions import service as survivor_questions

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class OwnApplication:
    """One application of the case, as the status page needs it."""

    id: int
    workflow_id: str
    workflow_version: str
    status: str


@dataclass(frozen=True, slots=True)
class EnteredDate:
    """A live deadline whose date a person entered from a letter: it wins over the computed one."""

    application_id: int
    rule_id: str
    label: str
    due: date


@dataclass(frozen=True)
class OwnCase:
    """The survivor's case, read and recorded as viewed, with what its status page needs."""

    case: LegalCase
    today: date  # on the organisation's calendar
    advocate_name: str | None
    unread_messages: int  # the advocates' messages the survivor has not read yet
    questions_waiting: int  # questions from the advocate not answered yet
    questions_asked: int  # questions from the advocate, answered or not (none withdrawn)
    applications: tuple[OwnApplication, ...]  # oldest first
    entered_dates: tuple[EnteredDate, ...]
    facts_stamp: tuple[int, ...]  # the case's fact rows: how many, how many superseded, the newest id

    @property
    def derived_key(self) -> Hashable:
        """Everything the engine's results and the survivor-visible answers depend on.

        The case's public id, not only its row id: a row id can come back after a deletion,
        a random public id does not.
        """
        workflows = tuple((a.id, a.workflow_id, a.workflow_version) for a in self.applications)
        return (saved_id(self.case), self.case.public_id, self.facts_stamp, workflows, self.today)


def _own_case_statement() -> Select[*tuple[Any, ...]]:
    """One statement for everything a view reads (built once: building and keying a statement
    costs more than running it).

    A row per application and date entered from a letter: the case (as an entity, for the
    access policy), its organisation's time zone, its advocate's name, how many of the
    advocates' messages are unread (:func:`api.messages.service.unread_by_survivor`), how many
    of their questions wait and were asked (:func:`api.survivor_questions.service.open_counts`),
    the stamp of its facts, then the application's id, workflow, version and status and the
    entered date's rule, label and date (None where there is none).
    """
    advocate = aliased(User)
    entered = aliased(CaseDeadline)
    questions_waiting, questions_asked = survivor_questions.open_counts(col(LegalCase.id))
    of_case = col(CaseFact.case_id) == col(LegalCase.id)
    stamp = [
        select(aggregate).where(of_case).correlate(LegalCase).scalar_subquery().label(name)
        for name, aggregate in (
            ("facts", func.count()),
            ("superseded_facts", func.count(col(CaseFact.superseded_at))),
            ("newest_fact", func.coalesce(func.max(CaseFact.id), 0)),
        )
    ]
    return (
        sa_select(
            LegalCase,
            col(Organisation.timezone).label("timezone"),
            col(advocate.display_name).label("advocate_name"),
            unread_by_survivor(col(LegalCase.id)).label("unread_messages"),
            questions_waiting.label("questions_waiting"),
            questions_asked.label("questions_asked"),
            *stamp,
            col(Application.id).label("application_id"),
            col(Application.workflow_id).label("workflow_id"),
            col(Application.workflow_version).label("workflow_version"),
            col(Application.status).label("application_status"),
            col(entered.rule_id).label("entered_rule"),
            col(entered.label).label("entered_label"),
            col(entered.due_on).label("entered_due"),
        )
        .join(Organisation, col(Organisation.id) == col(LegalCase.organisation_id))
        .outerjoin(advocate, col(advocate.id) == col(LegalCase.assigned_user_id))
        .outerjoin(Application, col(Application.case_id) == col(LegalCase.id))
        .outerjoin(
            entered,
            and_(
                col(entered.application_id) == col(Application.id),
                col(entered.override_due).is_not(None),
                col(entered.state).in_(LIVE_STATES),
            ),
        )
        .where(col(LegalCase.survivor_user_id) == bindparam("survivor_user_id"))
        .order_by(col(LegalCase.id), col(Application.id), col(entered.id))
    )


_OWN_CASE: Final = _own_case_statement()


def read_own_case(session: Session, actor: Actor, *, now: datetime) -> OwnCase | None:
    """The case whose survivor ``actor`` is (a survivor account belongs to one case), or None.

    Access is checked with :mod:`api.access` (:class:`~api.cases.errors.CaseNotFound` if the
    policy refuses it) and the view recorded as ``case.viewed``; commits.
    """
    require_aware(now)
    rows = session.execute(_OWN_CASE, {"survivor_user_id": actor.user_id}).all()
    if not rows:
        return None
    first = rows[0]
    case = first.LegalCase
    rows = [row for row in rows if row.LegalCase is case]  # one case per survivor account; be sure
    facts = authorise(session, actor, case)
    insert_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action="case.viewed",
        at=now,
    )
    session.commit()
    applications: dict[int, OwnApplication] = {}
    entered: list[EnteredDate] = []
    for row in rows:
        application_id = row.application_id
        if application_id is None or not access.may_view_application(actor, facts, application_id):
            continue
        applications.setdefault(
            application_id,
            OwnApplication(application_id, row.workflow_id, row.workflow_version, row.application_status),
        )
        if row.entered_rule is not None:
            entered.append(EnteredDate(application_id, row.entered_rule, row.entered_label, row.entered_due))
    return OwnCase(
        case=case,
        today=now.astimezone(_zone(first.timezone)).date(),
        advocate_name=first.advocate_name,
        unread_messages=int(first.unread_messages),
        questions_waiting=int(first.questions_waiting),
        questions_asked=int(first.questions_asked),
        applications=tuple(applications.values()),
        entered_dates=tuple(entered),
        facts_stamp=(int(first.facts), int(first.superseded_facts), int(first.newest_fact)),
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):  # the organisation's setting is checked when saved; be safe
        return ZoneInfo(DEFAULT_TIMEZONE)


# --- keeping what was derived ---------------------------------------------------------------------

DEFAULT_ENTRIES: Final = 512
DEFAULT_MAX_AGE_SECONDS: Final = 600.0


class DerivedMemo(Generic[T]):
    """What a process derived from a case's facts, by :attr:`OwnCase.derived_key`.

    Bounded (least recently used entries go first) and short-lived (``max_age_seconds``): the
    values hold decrypted answers, which should not stay in memory longer than they help.
    Thread-safe: the web server runs synchronous routes on a thread pool.
    """

    def __init__(
        self, *, entries: int = DEFAULT_ENTRIES, max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS
    ) -> None:
        self._entries = entries
        self._max_age = max_age_seconds
        self._items: OrderedDict[Hashable, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, derive: Callable[[], T]) -> T:
        """The value kept for ``key``, or ``derive()`` (then kept)."""
        now = time.monotonic()
        with self._lock:
            found = self._items.get(key)
            if found is not None and now - found[0] < self._max_age:
                self._items.move_to_end(key)
                return found[1]
        value = derive()  # outside the lock: two first views of one case may both derive
        with self._lock:
            self._items[key] = (now, value)
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
