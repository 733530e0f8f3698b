"""Who may open which page, on whose case: every page route × every kind of caller × (the home
organisation's case, another organisation's case), with the status (and redirect) each must get.

The table ``EXPECTED`` is the specification. ``test_every_page_route_has_a_row`` builds the list
of page routes from the app, so a page added without a row here fails the suite.

Callers (fictional people of :mod:`tests.api.cases.builders`, plus two survivors): nobody signed
in; the home organisation's admin and advocate; the partner firm's lawyer the home case is shared
with; a home lawyer it is not shared with; the survivor of the home case; the survivor of another
home case; the advocate of the other organisation (for whom the "foreign" case is their own).

The rules the table spells out: nobody signed in is sent to the right sign-in page; a survivor
on a staff page goes back to their own view; a case (or anything in it) the caller may not see
is 404, exactly as an id that does not exist (never 403, never 500: nothing confirms that it
exists); a lawyer who may read a case but tries to change it gets 403.

Every POST is sent with the caller's CSRF token (read from a page they can see) and, where the
route reads a form, a deliberately *invalid* one: 422 then means "through the access check, the
form refused", which only a caller allowed to act may get. So the cells change nothing the
others see; the few that act without a form (issuing an access code, revoking a share or a
token) act on something made for the cell. For ``/account/tokens/{token_id}/revoke`` the two
targets are the caller's own token and someone else's. Routes about no one case are requested
once (their two columns must agree). The organisations, people and cases are made once for the
module; every cell gets a fresh browser session.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.access import Actor, actor_for
from api.app import API_PREFIX
from api.auth.models import SCOPE_CASES_READ
from api.auth.service import create_api_token, start_session
from api.cases import service
from api.cases.sharing import share_case
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.db.engine import create_db_engine
from api.db.migrate import upgrade_to_head
from api.documents import service as service_documents
from api.evidence import service as evidence_service
from api.orgs.models import Role, User
from api.orgs.service import create_user
from api.settings import Settings
from api.survivor_questions import service as questions_service
from api.survivor_questions.models import SurvivorQuestion
from tests.api.cases.builders import NOW, PASSPHRASE, PASSWORD, TODAY, World, id_of, make_world
from tests.api.documents.fixtures import FACTS as DOCUMENT_FACTS
from web.app import create_app
from web.csrf import COOKIE_NAME as CSRF_COOKIE
from web.errors import JSON_PATHS
from web.identity import SESSION_COOKIE

# --- callers and targets --------------------------------------------------------------------------

ANONYMOUS = "anonymous"
ADMIN = "admin"
ADVOCATE = "advocate"
LAWYER_SHARED = "lawyer with share"
LAWYER_NOT_SHARED = "lawyer without share"
SURVIVOR = "survivor of the case"
OTHER_SURVIVOR = "survivor of another case"
OTHER_ORG_ADVOCATE = "other org's advocate"
CALLERS: Final = (
    ANONYMOUS,
    ADMIN,
    ADVOCATE,
    LAWYER_SHARED,
    LAWYER_NOT_SHARED,
    SURVIVOR,
    OTHER_SURVIVOR,
    OTHER_ORG_ADVOCATE,
)
HOME, FOREIGN = "home case", "foreign case"
TARGETS: Final = (HOME, FOREIGN)
# Where each caller reads their CSRF token: a page they can see that has a form.
TOKEN_PAGES: Final = {
    ANONYMOUS: "/sign-in",
    SURVIVOR: "/survivor",
    OTHER_SURVIVOR: "/survivor",
} | dict.fromkeys((ADMIN, ADVOCATE, LAWYER_SHARED, LAWYER_NOT_SHARED, OTHER_ORG_ADVOCATE), "/account")

# --- what each caller must get --------------------------------------------------------------------


@dataclass(frozen=True)
class Want:
    """A status, and for a redirect where to (``{next}``, ``{case}``, ``{app}`` filled in)."""

    status: int
    location: str | None = None


def see(location: str) -> Want:
    """A redirect (303, "See Other") to ``location``."""
    return Want(303, location)


OK = Want(200)
NO_CONTENT = Want(204)
FORM_REFUSED = Want(422)  # through the access check; the (deliberately invalid) form is refused
FORBIDDEN = Want(403)
NOT_FOUND = Want(404)
TO_STAFF_SIGN_IN = see("/sign-in?next={next}")
TO_SURVIVOR_SIGN_IN = see("/survivor/sign-in?next={next}")
TO_SURVIVOR_VIEW = see("/survivor")

FIRST_QUESTION: Final = "person.date_of_birth"  # what uk.cica asks first of a new case
APPLICATION: Final = "/cases/{case_id}/applications/{application_id}"
QUESTION: Final = APPLICATION + "/questions/{fact_key}"
DOCUMENTS: Final = "/cases/{case_id}/documents"
VERSION: Final = DOCUMENTS + "/versions/{version_id}"

Cell = tuple[Want, Want]  # (on the home organisation's case, on the foreign one)
Row = dict[str, Cell]
STAFF: Final = (ADMIN, ADVOCATE, LAWYER_SHARED, LAWYER_NOT_SHARED, OTHER_ORG_ADVOCATE)


def _cell(want: Want | Cell) -> Cell:
    return want if isinstance(want, tuple) else (want, want)


def by_kind(
    *, anonymous: Want | Cell, caseworkers: Want | Cell, lawyers: Want | Cell, survivors: Want | Cell
) -> Row:
    """A row by kind of caller (caseworkers: the admin and both organisations' advocates)."""
    kinds = {
        ANONYMOUS: anonymous,
        ADMIN: caseworkers,
        ADVOCATE: caseworkers,
        OTHER_ORG_ADVOCATE: caseworkers,
        LAWYER_SHARED: lawyers,
        LAWYER_NOT_SHARED: lawyers,
        SURVIVOR: survivors,
        OTHER_SURVIVOR: survivors,
    }
    return {caller: _cell(kinds[caller]) for caller in CALLERS}


def everyone(want: Want) -> Row:
    """The same answer whoever asks."""
    return by_kind(anonymous=want, caseworkers=want, lawyers=want, survivors=want)


def staff_page(caseworkers: Want | Cell, *, lawyers: Want | Cell | None = None) -> Row:
    """A staff page about no one case: sign in first; survivors back to their view."""
    return by_kind(
        anonymous=TO_STAFF_SIGN_IN,
        caseworkers=caseworkers,
        lawyers=caseworkers if lawyers is None else lawyers,
        survivors=TO_SURVIVOR_VIEW,
    )


def on_a_case(*, caseworkers: Want, lawyer_with_share: Want) -> Row:
    """A staff page about one case: what its organisation's admin and advocates get, and what
    the lawyer it is shared with gets; to everyone else on staff it does not exist."""
    return {
        ANONYMOUS: _cell(TO_STAFF_SIGN_IN),
        ADMIN: (caseworkers, NOT_FOUND),
        ADVOCATE: (caseworkers, NOT_FOUND),
        LAWYER_SHARED: (lawyer_with_share, NOT_FOUND),
        LAWYER_NOT_SHARED: (NOT_FOUND, NOT_FOUND),
        SURVIVOR: _cell(TO_SURVIVOR_VIEW),
        OTHER_SURVIVOR: _cell(TO_SURVIVOR_VIEW),
        OTHER_ORG_ADVOCATE: (NOT_FOUND, caseworkers),
    }


def admins_only(admin: Want) -> Row:
    """A staff page about one case for its organisation's admin alone: 403 for whoever else may
    see the case (the other organisation's advocate sees the foreign case), 404 for the rest."""
    return on_a_case(caseworkers=FORBIDDEN, lawyer_with_share=FORBIDDEN) | {ADMIN: (admin, NOT_FOUND)}


EXPECTED: Final[dict[tuple[str, str], Row]] = {
    # The start page and first run (the installation is set up: /setup is closed for good).
    ("GET", "/"): by_kind(
        anonymous=see("/sign-in"),
        caseworkers=see("/cases"),
        lawyers=see("/cases"),
        survivors=see("/survivor"),
    ),
    ("GET", "/setup"): everyone(NOT_FOUND),
    ("POST", "/setup"): everyone(NOT_FOUND),
    # Staff sign-in: no passphrase was given a moment ago, so the second factor starts again.
    ("GET", "/sign-in"): by_kind(
        anonymous=OK, caseworkers=see("/cases"), lawyers=see("/cases"), survivors=OK
    ),
    ("POST", "/sign-in"): everyone(FORM_REFUSED),
    ("GET", "/sign-in/second-factor"): everyone(see("/sign-in")),
    ("POST", "/sign-in/second-factor"): everyone(see("/sign-in")),
    ("POST", "/sign-out"): everyone(see("/sign-in")),
    ("POST", "/session/keep-alive"): by_kind(
        anonymous=see("/sign-in?next=/"), caseworkers=NO_CONTENT, lawyers=NO_CONTENT, survivors=NO_CONTENT
    ),
    # The person's own account.
    ("GET", "/account"): staff_page(OK),
    ("POST", "/account/tokens"): staff_page(FORM_REFUSED),
    ("POST", "/account/tokens/{token_id}/revoke"): staff_page((see("/account?done=revoked"), NOT_FOUND)),
    ("GET", "/account/second-factor"): staff_page(OK),
    ("POST", "/account/second-factor"): staff_page(FORM_REFUSED),
    # Cases.
    ("GET", "/cases"): staff_page(OK),
    ("GET", "/cases/new"): staff_page(OK, lawyers=FORBIDDEN),
    ("POST", "/cases/new"): staff_page(FORM_REFUSED, lawyers=FORBIDDEN),
    ("GET", "/cases/{case_id}"): on_a_case(caseworkers=OK, lawyer_with_share=OK),
    ("POST", "/cases/{case_id}/applications"): on_a_case(
        caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN
    ),
    ("POST", "/cases/{case_id}/access-code"): on_a_case(caseworkers=OK, lawyer_with_share=FORBIDDEN),
    ("GET", "/cases/{case_id}/sharing"): on_a_case(caseworkers=OK, lawyer_with_share=FORBIDDEN),
    ("POST", "/cases/{case_id}/sharing"): on_a_case(caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN),
    ("POST", "/cases/{case_id}/sharing/{share_id}/revoke"): on_a_case(
        caseworkers=see("/cases/{case}/sharing?done=revoked"), lawyer_with_share=FORBIDDEN
    ),
    # Comments: lawyers comment on what is shared with them too.
    ("POST", "/cases/{case_id}/comments"): on_a_case(
        caseworkers=FORM_REFUSED, lawyer_with_share=FORM_REFUSED
    ),
    # Documents: lawyers the case is shared with read, comment and decide; advocates ask and file.
    ("GET", DOCUMENTS): on_a_case(caseworkers=OK, lawyer_with_share=OK),
    ("POST", DOCUMENTS): on_a_case(caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN),
    ("GET", DOCUMENTS + "/{template}/answers"): on_a_case(caseworkers=OK, lawyer_with_share=FORBIDDEN),
    ("POST", DOCUMENTS + "/{template}/answers"): on_a_case(
        caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN
    ),
    ("GET", DOCUMENTS + "/bundle/{bundle_format}"): on_a_case(caseworkers=OK, lawyer_with_share=OK),
    ("GET", VERSION): on_a_case(caseworkers=OK, lawyer_with_share=OK),
    # Filling a copy of the official I-914 (issue 8): the page and the (refused, fileless) upload;
    # the matrix's cases have no filled form, so a download is not found for everyone.
    ("GET", DOCUMENTS + "/i914-pdf"): on_a_case(caseworkers=OK, lawyer_with_share=OK),
    ("POST", DOCUMENTS + "/i914-pdf"): on_a_case(caseworkers=FORM_REFUSED, lawyer_with_share=FORM_REFUSED),
    ("GET", DOCUMENTS + "/i914-pdf/{fill_id}/download"): on_a_case(
        caseworkers=NOT_FOUND, lawyer_with_share=NOT_FOUND
    ),
    ("GET", VERSION + "/download/{kind}"): on_a_case(caseworkers=OK, lawyer_with_share=OK),
    ("POST", VERSION + "/comments"): on_a_case(caseworkers=FORM_REFUSED, lawyer_with_share=FORM_REFUSED),
    ("POST", VERSION + "/review"): on_a_case(caseworkers=FORBIDDEN, lawyer_with_share=FORM_REFUSED),
    ("POST", VERSION + "/filing"): on_a_case(caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN),
    # The interview: the entry leads on (a reader, to "check your answers").
    ("GET", APPLICATION): on_a_case(
        caseworkers=see(f"/cases/{{case}}/applications/{{app}}/questions/{FIRST_QUESTION}"),
        lawyer_with_share=see("/cases/{case}/applications/{app}/check-answers"),
    ),
    ("GET", QUESTION): on_a_case(caseworkers=OK, lawyer_with_share=FORBIDDEN),
    ("POST", QUESTION): on_a_case(caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN),
    ("GET", APPLICATION + "/check-answers"): on_a_case(caseworkers=OK, lawyer_with_share=OK),
    # The minimum wage calculator (issue 7): lawyers the whole case is shared with read it.
    ("GET", "/cases/{case_id}/wages"): on_a_case(caseworkers=OK, lawyer_with_share=OK),
    ("POST", "/cases/{case_id}/wages"): on_a_case(caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN),
    ("GET", "/cases/{case_id}/wages/working.csv"): on_a_case(
        caseworkers=see("/cases/{case}/wages"), lawyer_with_share=see("/cases/{case}/wages")
    ),
    # The FLSA wage calculator: the case's caseworkers only.
    ("GET", "/cases/{case_id}/wages/flsa"): on_a_case(caseworkers=OK, lawyer_with_share=FORBIDDEN),
    ("POST", "/cases/{case_id}/wages/flsa"): on_a_case(caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN),
    # The survivor's pages.
    ("GET", "/survivor/start"): by_kind(anonymous=OK, caseworkers=OK, lawyers=OK, survivors=TO_SURVIVOR_VIEW),
    ("POST", "/survivor/start"): everyone(FORM_REFUSED),
    ("GET", "/survivor/sign-in"): by_kind(
        anonymous=OK, caseworkers=OK, lawyers=OK, survivors=TO_SURVIVOR_VIEW
    ),
    ("POST", "/survivor/sign-in"): everyone(FORM_REFUSED),
    ("POST", "/survivor/sign-out"): everyone(see("/survivor/sign-in?signed_out=1")),
    ("GET", "/survivor"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN, caseworkers=see("/cases"), lawyers=see("/cases"), survivors=OK
    ),
    # Deadlines and reminders (issue 5). The deadline form is refused before any lookup, so the
    # deadline id in these cells need not exist.
    ("GET", "/cases/{case_id}/deadlines"): on_a_case(caseworkers=OK, lawyer_with_share=OK),
    ("POST", "/cases/{case_id}/deadlines/{deadline_id}"): on_a_case(
        caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN
    ),
    ("GET", "/notifications"): staff_page(OK),
    ("POST", "/notifications/read"): staff_page(see("/notifications")),
    ("POST", "/notifications/digest"): staff_page(FORM_REFUSED),
    ("GET", "/account/calendar"): staff_page(OK),
    ("POST", "/account/calendar"): staff_page(FORM_REFUSED),
    ("GET", "/calendar/{token}.ics"): everyone(NOT_FOUND),  # an unknown token, whoever asks
    ("GET", "/organisation/reminders"): {**staff_page(FORBIDDEN), ADMIN: _cell(OK)},
    ("POST", "/organisation/reminders"): {**staff_page(FORBIDDEN), ADMIN: _cell(FORM_REFUSED)},
    # Issue 3: the organisation's people and partners (its admins only), /welcome with a set-up
    # code (anyone: nothing there depends on who is signed in), one's own passphrase.
    ("GET", "/organisation/people"): {**staff_page(FORBIDDEN), ADMIN: _cell(OK)},
    ("POST", "/organisation/people"): {**staff_page(FORBIDDEN), ADMIN: _cell(FORM_REFUSED)},
    ("POST", "/organisation/people/{user_id}"): {**staff_page(FORBIDDEN), ADMIN: _cell(FORM_REFUSED)},
    ("POST", "/organisation/partners"): {**staff_page(FORBIDDEN), ADMIN: _cell(FORM_REFUSED)},
    ("POST", "/organisation/security"): {**staff_page(FORBIDDEN), ADMIN: _cell(FORM_REFUSED)},
    ("GET", "/welcome"): everyone(OK),
    ("POST", "/welcome"): everyone(FORM_REFUSED),
    ("GET", "/account/passphrase"): staff_page(OK),
    ("POST", "/account/passphrase"): staff_page(FORM_REFUSED),
    ("GET", "/survivor/contact-preferences"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN, caseworkers=see("/cases"), lawyers=see("/cases"), survivors=OK
    ),
    ("POST", "/survivor/contact-preferences"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN,
        caseworkers=see("/cases"),
        lawyers=see("/cases"),
        survivors=FORM_REFUSED,
    ),
    # Issue 6: the way out ends whoever's session this browser has; safety pages; the language.
    ("GET", "/survivor/exit"): everyone(see("https://www.bbc.co.uk/weather")),
    ("POST", "/survivor/exit"): everyone(NO_CONTENT),
    ("GET", "/survivor/before-you-continue"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN, caseworkers=see("/cases"), lawyers=see("/cases"), survivors=OK
    ),
    ("POST", "/survivor/before-you-continue"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN,
        caseworkers=see("/cases"),
        lawyers=see("/cases"),
        survivors=TO_SURVIVOR_VIEW,
    ),
    ("GET", "/survivor/safety-advice"): everyone(OK),
    ("POST", "/survivor/language"): everyone(TO_SURVIVOR_VIEW),
    ("GET", "/survivor/files"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN, caseworkers=see("/cases"), lawyers=see("/cases"), survivors=OK
    ),
    ("POST", "/survivor/files"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN,
        caseworkers=see("/cases"),
        lawyers=see("/cases"),
        survivors=FORM_REFUSED,
    ),
    ("GET", "/survivor/messages"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN, caseworkers=see("/cases"), lawyers=see("/cases"), survivors=OK
    ),
    ("POST", "/survivor/messages"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN,
        caseworkers=see("/cases"),
        lawyers=see("/cases"),
        survivors=FORM_REFUSED,
    ),
    ("GET", "/survivor/my-data"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN, caseworkers=see("/cases"), lawyers=see("/cases"), survivors=OK
    ),
    ("POST", "/survivor/my-data/copy"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN, caseworkers=see("/cases"), lawyers=see("/cases"), survivors=OK
    ),
    ("POST", "/survivor/my-data/deletion"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN,
        caseworkers=see("/cases"),
        lawyers=see("/cases"),
        survivors=see("/survivor/my-data?asked=1"),
    ),
    ("POST", "/cases/{case_id}/deletion-request/handled"): on_a_case(
        caseworkers=see("/cases/{case}#deletion-request"), lawyer_with_share=FORBIDDEN
    ),
    # Messages with the survivor: the case's caseworkers only (lawyers take no part).
    ("POST", "/cases/{case_id}/messages"): on_a_case(caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN),
    # Staff download a case's file; the lawyer the whole case is shared with may read it too.
    ("GET", "/cases/{case_id}/evidence/{file_id}"): on_a_case(caseworkers=OK, lawyer_with_share=OK),
    # Erasing a case: its organisation's admin only; its advocates and lawyer may see the case but not this.
    ("GET", "/cases/{case_id}/erase"): admins_only(OK),
    ("POST", "/cases/{case_id}/erase"): admins_only(FORM_REFUSED),
    # Where an application stands, and closing the case: caseworkers; the lawyer reads only.
    ("POST", APPLICATION + "/status"): on_a_case(caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN),
    ("POST", "/cases/{case_id}/status"): on_a_case(caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN),
    # Questions asked of the survivor: the case's caseworkers ask and withdraw them; the survivor
    # of the case answers those of their own case (the target's question); nobody else sees one.
    ("GET", "/cases/{case_id}/survivor-questions"): on_a_case(caseworkers=OK, lawyer_with_share=FORBIDDEN),
    ("POST", "/cases/{case_id}/survivor-questions"): on_a_case(
        caseworkers=FORM_REFUSED, lawyer_with_share=FORBIDDEN
    ),
    ("POST", "/cases/{case_id}/survivor-questions/{question_id}/withdraw"): on_a_case(
        caseworkers=see("/cases/{case}/survivor-questions"), lawyer_with_share=FORBIDDEN
    ),
    ("GET", "/survivor/questions"): by_kind(
        anonymous=TO_SURVIVOR_SIGN_IN, caseworkers=see("/cases"), lawyers=see("/cases"), survivors=OK
    ),
    ("GET", "/survivor/questions/{question_id}"): {
        **by_kind(
            anonymous=TO_SURVIVOR_SIGN_IN,
            caseworkers=see("/cases"),
            lawyers=see("/cases"),
            survivors=NOT_FOUND,
        ),
        SURVIVOR: (OK, NOT_FOUND),
    },
    ("POST", "/survivor/questions/{question_id}"): {
        **by_kind(
            anonymous=TO_SURVIVOR_SIGN_IN,
            caseworkers=see("/cases"),
            lawyers=see("/cases"),
            survivors=NOT_FOUND,
        ),
        SURVIVOR: (FORM_REFUSED, NOT_FOUND),
    },
}

# What each POST sends besides the CSRF token: an invalid form wherever the route reads one.
FORMS: Final[dict[tuple[str, str], dict[str, str]]] = {
    ("POST", "/setup"): {},
    ("POST", "/sign-in"): {"email": "", "password": ""},
    ("POST", "/sign-in/second-factor"): {"code": ""},
    ("POST", "/sign-out"): {},
    ("POST", "/session/keep-alive"): {},
    ("POST", "/account/tokens"): {"name": "", "scopes": SCOPE_CASES_READ},
    ("POST", "/account/tokens/{token_id}/revoke"): {},
    ("POST", "/account/second-factor"): {"secret": "", "code": ""},
    ("POST", "/cases/new"): {"reference": "", "preferred_language": "ro", "jurisdiction": "GB-ENG"},
    ("POST", "/cases/{case_id}/applications"): {"workflow_id": ""},
    ("POST", "/cases/{case_id}/access-code"): {},
    ("POST", "/cases/{case_id}/sharing"): {"lawyer": "", "scope": "case"},
    ("POST", "/cases/{case_id}/sharing/{share_id}/revoke"): {},
    ("POST", "/cases/{case_id}/comments"): {"body": "", "application_id": ""},
    ("POST", QUESTION): {"answer": "not a date"},
    ("POST", "/cases/{case_id}/wages"): {"rows": "1", "start-0": "not a date", "end-0": "", "hours-0": ""},
    ("POST", "/cases/{case_id}/wages/flsa"): {"start_0": "not a date", "hours_0": "40", "action": "save"},
    ("POST", DOCUMENTS): {"template": ""},
    ("POST", DOCUMENTS + "/{template}/answers"): {},
    ("POST", VERSION + "/comments"): {"body": ""},
    ("POST", DOCUMENTS + "/i914-pdf"): {},
    ("POST", VERSION + "/review"): {"decision": ""},
    ("POST", VERSION + "/filing"): {"filed_on": "", "method": "", "recipient": ""},
    ("POST", "/survivor/start"): {"code": "", "display_name": "", "passphrase": "", "passphrase_again": ""},
    ("POST", "/survivor/sign-in"): {"sign_in_name": "", "passphrase": ""},
    ("POST", "/survivor/sign-out"): {},
    ("POST", "/cases/{case_id}/deadlines/{deadline_id}"): {"action": ""},
    ("POST", "/notifications/read"): {},
    ("POST", "/notifications/digest"): {"digest": ""},
    ("POST", "/account/calendar"): {"action": ""},
    ("POST", "/organisation/reminders"): {"hour_limit": "noon"},
    ("POST", "/organisation/people"): {"name": "", "email": "", "role": ""},
    ("POST", "/organisation/people/{user_id}"): {"action": ""},
    ("POST", "/organisation/partners"): {"action": ""},
    ("POST", "/organisation/security"): {"staff_totp": ""},
    ("POST", "/welcome"): {"email": "", "code": "", "passphrase": ""},
    ("POST", "/account/passphrase"): {"current": "", "new": ""},
    ("POST", "/survivor/contact-preferences"): {"reminders": ""},
    ("POST", "/survivor/exit"): {},
    ("POST", "/survivor/before-you-continue"): {},
    ("POST", "/survivor/language"): {"language": "", "back": ""},
    ("POST", "/survivor/files"): {},
    ("POST", "/survivor/messages"): {"body": ""},
    ("POST", "/survivor/my-data/copy"): {},
    ("POST", "/survivor/my-data/deletion"): {},
    ("POST", "/cases/{case_id}/deletion-request/handled"): {},
    ("POST", "/cases/{case_id}/messages"): {"body": ""},
    ("POST", "/cases/{case_id}/erase"): {"confirm_reference": "not the reference"},
    ("POST", APPLICATION + "/status"): {"status": "approved"},
    ("POST", "/cases/{case_id}/status"): {"case_status": "archived"},
    ("POST", "/cases/{case_id}/survivor-questions"): {"fact": "", "note": ""},
    ("POST", "/cases/{case_id}/survivor-questions/{question_id}/withdraw"): {},
    ("POST", "/survivor/questions/{question_id}"): {},
}
# A query that makes a route about the target (the case list, searched for the target's reference).
QUERIES: Final = {("GET", "/cases"): "?q={reference}"}
CASE_LIST: Final = ("GET", "/cases")
CASE_PAGE: Final = ("GET", "/cases/{case_id}")

_IDLE_SECONDS: Final = re.compile(r'data-idle-seconds="\d+"')
_CSRF_FIELD: Final = re.compile(r'name="csrf_token" value="([^"]+)"')


def involves_target(route: tuple[str, str]) -> bool:
    """Whether the route is about a case (or token) of the target: else one column is enough."""
    return "{" in route[1] or route in QUERIES


# --- the world ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A case with a ``uk.cica`` application, the organisation's advocate, and a lawyer of the
    case's organisation (or a partner) to share one application with for the revoke cells."""

    case_id: str
    application_id: str
    reference: str
    advocate_id: int
    share_lawyer_id: int
    version_id: str = ""  # a generated document of the case
    file_id: str = ""  # an evidence file of the case (issue 6)
    question_id: str = ""  # a question asked of the case's survivor (issue 6)


@dataclass
class Matrix:
    """The app, its database and the callers, shared by the module's cells."""

    client: TestClient
    engine: Engine
    settings: Settings
    targets: dict[str, Target]
    users: dict[str, int]  # caller -> user id (everyone but the anonymous caller)
    someone_elses_token: int
    csrf: dict[str, tuple[str, str]] = field(default_factory=dict)  # caller -> (cookie, token)

    def new_session(self, caller: str) -> str | None:
        """A fresh session of the caller (None for nobody signed in)."""
        user_id = self.users.get(caller)
        if user_id is None:
            return None
        with Session(self.engine) as session:
            return start_session(session, self.settings, session.get_one(User, user_id), datetime.now(UTC))

    def browse_as(self, caller: str) -> None:
        """Make the client the caller's browser: their CSRF cookie and a fresh session."""
        self.client.cookies.clear()
        if caller in self.csrf:
            self.client.cookies.set(CSRF_COOKIE, self.csrf[caller][0])
        token = self.new_session(caller)
        if token is not None:
            self.client.cookies.set(SESSION_COOKIE, token)

    def fresh_share(self, target: Target) -> int:
        """An active share of the target's application (the whole case's share is left alone)."""
        with Session(self.engine) as session:
            case = service.get_case(
                session, self._actor(session, target.advocate_id), target.case_id, now=NOW
            )
            share = share_case(
                session,
                self._actor(session, target.advocate_id),
                case,
                lawyer_user_id=target.share_lawyer_id,
                now=NOW,
                application_public_id=target.application_id,
            )
            return id_of(share)

    def fresh_question(self, target: Target) -> str:
        """A new question on the target's case, for a cell that withdraws one."""
        with Session(self.engine) as session:
            case = service.get_case(
                session, self._actor(session, target.advocate_id), target.case_id, now=NOW
            )
            question = SurvivorQuestion(
                case_id=id_of(case),
                fact_key="person.phone",
                asked_by_user_id=target.advocate_id,
                asked_at=NOW,
            )
            session.add(question)
            session.commit()
            return question.public_id

    def fresh_token(self, caller: str, kind: str) -> int:
        """The caller's own new token (the home column), or someone else's (the foreign one).

        Nobody signed in and survivors (who have no tokens) get someone else's: they never get
        as far as the token anyway.
        """
        if kind == FOREIGN or caller not in STAFF:
            return self.someone_elses_token
        with Session(self.engine) as session:
            owner = session.get_one(User, self.users[caller])
            row, _ = create_api_token(session, owner, "Matrix", [SCOPE_CASES_READ], NOW)
            assert row.id is not None
            return row.id

    @staticmethod
    def _actor(session: Session, user_id: int) -> Actor:
        return actor_for(session, session.get_one(User, user_id))


def _open_case(session: Session, settings: Settings, advocate: User, reference: str) -> tuple[str, str]:
    actor = actor_for(session, advocate)
    case = service.create_case(
        session, settings, actor, reference=reference, preferred_language="ro", jurisdiction="GB-ENG", now=NOW
    )
    application = service.start_application(session, settings, actor, case, "uk.cica", now=NOW, today=TODAY)
    return case.public_id, application.public_id


def _document_of(session: Session, settings: Settings, advocate: User, case_id: str) -> str:
    """A generated NRM reconsideration request of the case (its public id), from fictional facts
    that uk.cica does not ask (its first question stays the first)."""
    actor = actor_for(session, advocate)
    case = service.get_case(session, actor, case_id, now=NOW)
    facts = {
        key: DOCUMENT_FACTS[key]
        for key in service_documents.template_catalogue()["nrm_reconsideration_request"].required
    }
    service.change_facts(session, settings, actor, case, facts, source="advocate", now=NOW, today=TODAY)
    version = service_documents.request_generation(
        session, settings, actor, case, "nrm_reconsideration_request", now=NOW
    )
    service_documents.run_generation(session, settings, id_of(version), now=NOW)
    # Approved (as a lawyer would), so that the filing bundle has something in it.
    session.refresh(version)
    version.review_status, version.approved_sha256 = "approved", version.docx_sha256
    session.add(version)
    session.commit()
    return version.public_id


def _evidence_file(session: Session, settings: Settings, advocate: User, case_id: str) -> str:
    """A PDF uploaded to the case by its advocate (issue 6): the download cells' target."""
    actor = actor_for(session, advocate)
    case = service.get_case(session, actor, case_id, now=NOW)
    content = b"%PDF-1.4\n%%EOF\n"
    return evidence_service.upload(
        session, settings, actor, case, name="scan.pdf", content=content, now=NOW
    ).public_id


def _question(session: Session, settings: Settings, advocate: User, case_id: str) -> str:
    """A question asked of the case's survivor (issue 6): the answer cells' target."""
    actor = actor_for(session, advocate)
    case = service.get_case(session, actor, case_id, now=NOW)
    return questions_service.ask(
        session, settings, actor, case, fact_key="police.reported", note="", now=NOW
    ).public_id


def _survivor_of(session: Session, settings: Settings, world: World, case_id: str, name: str) -> int:
    """The survivor's account of the case, made as a survivor would: with an access code."""
    actor = actor_for(session, world.advocate)
    case = service.get_case(session, actor, case_id, now=NOW)
    code = issue_access_code(session, settings, actor, case, now=NOW)
    user = redeem_access_code(session, settings, code=code, passphrase=PASSPHRASE, display_name=name, now=NOW)
    return id_of(user)


def _build(session: Session, settings: Settings) -> tuple[dict[str, Target], dict[str, int], int]:
    world = make_world(session, settings)
    # A lawyer of the other organisation: its cases' revoke cells share with her.
    foreign_lawyer = create_user(
        session,
        settings,
        organisation_id=id_of(world.foreign),
        email="gus@northgate.example",
        display_name="Gus Lawyer",
        role=Role.LAWYER,
        password=PASSWORD,
        now=NOW,
    )
    home_case, home_application = _open_case(session, settings, world.advocate, "Matrix-Heron")
    foreign_case, foreign_application = _open_case(session, settings, world.foreign_advocate, "Matrix-Wren")
    home_version = _document_of(session, settings, world.advocate, home_case)
    foreign_version = _document_of(session, settings, world.foreign_advocate, foreign_case)
    other_case, _ = _open_case(session, settings, world.advocate, "Matrix-Plover")
    advocate = actor_for(session, world.advocate)
    share_case(
        session,
        advocate,
        service.get_case(session, advocate, home_case, now=NOW),
        lawyer_user_id=id_of(world.partner_lawyer),
        now=NOW,
    )
    targets = {
        HOME: Target(
            home_case,
            home_application,
            "Matrix-Heron",
            id_of(world.advocate),
            id_of(world.partner_lawyer),
            home_version,
            _evidence_file(session, settings, world.advocate, home_case),
            _question(session, settings, world.advocate, home_case),
        ),
        FOREIGN: Target(
            foreign_case,
            foreign_application,
            "Matrix-Wren",
            id_of(world.foreign_advocate),
            id_of(foreign_lawyer),
            foreign_version,
            _evidence_file(session, settings, world.foreign_advocate, foreign_case),
            _question(session, settings, world.foreign_advocate, foreign_case),
        ),
    }
    users = {
        ADMIN: id_of(world.admin),
        ADVOCATE: id_of(world.advocate),
        LAWYER_SHARED: id_of(world.partner_lawyer),
        LAWYER_NOT_SHARED: id_of(world.lawyer),
        SURVIVOR: _survivor_of(session, settings, world, home_case, "Mira"),
        OTHER_SURVIVOR: _survivor_of(session, settings, world, other_case, "Noor"),
        OTHER_ORG_ADVOCATE: id_of(world.foreign_advocate),
    }
    # A token of someone who is none of the callers (a lawyer of a firm nobody is linked to).
    token, _ = create_api_token(session, world.unlinked_lawyer, "Theirs", [SCOPE_CASES_READ], NOW)
    assert token.id is not None
    return targets, users, token.id


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    """One database, app and set of callers for the whole module (see the module docstring)."""
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith("REDRESS_"):
                env.delenv(name)
        settings = Settings(
            environment="test",
            data_dir=tmp_path_factory.mktemp("page-matrix") / "var",
            argon2_time_cost=1,
            argon2_memory_cost_kib=8,
            argon2_parallelism=1,
        )
    upgrade_to_head(settings.database_url)
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session:
        targets, users, someone_elses_token = _build(session, settings)
    try:
        with TestClient(create_app(settings), follow_redirects=False) as client:
            matrix = Matrix(client, engine, settings, targets, users, someone_elses_token)
            for caller in CALLERS:  # each caller's CSRF token, from a page they can see
                matrix.browse_as(caller)
                page = client.get(TOKEN_PAGES[caller])
                assert page.status_code == 200, (caller, page.status_code)
                found = _CSRF_FIELD.search(page.text)
                assert found is not None, caller
                matrix.csrf[caller] = (client.cookies[CSRF_COOKIE], found.group(1))
            yield matrix
    finally:
        engine.dispose()


# --- the routes -----------------------------------------------------------------------------------


def page_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app serves outside the JSON API, ``/health`` and ``/static``.

    Through :func:`fastapi.routing.iter_route_contexts`: since FastAPI 0.137 ``app.routes`` holds
    included routers unexpanded, so a plain loop over it finds no page route at all. Anything
    mounted (other than the static files) counts as a route too, so that it needs a row.
    """
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if path == "/static" or path == API_PREFIX or path.startswith(JSON_PATHS):
            continue
        methods = context.methods or {"MOUNT"}
        found.update((method, path) for method in methods if method not in {"HEAD", "OPTIONS"})
    return found


def cells() -> Iterator[tuple[tuple[str, str], str, str]]:
    """(route, caller, target) for every cell that is requested."""
    for route in EXPECTED:
        for caller in CALLERS:
            for target in TARGETS if involves_target(route) else (HOME,):
                yield route, caller, target


def test_every_page_route_has_a_row(matrix: Matrix) -> None:
    app = matrix.client.app
    assert isinstance(app, FastAPI)

    routes = page_routes(app)

    assert ("GET", "/cases/{case_id}") in routes  # the listing really sees the included routers
    assert routes == set(EXPECTED), "a page route needs its row in EXPECTED"
    assert {route for route in EXPECTED if route[0] == "POST"} == set(FORMS)
    for route, row in EXPECTED.items():
        assert tuple(row) == CALLERS, route
        if not involves_target(route):  # requested once: both columns must say the same
            assert all(home == foreign for home, foreign in row.values()), route


def _url(template: str, target: Target, share_id: int = 0, token_id: int = 0, question_id: str = "") -> str:
    return template.format(
        case_id=target.case_id,
        application_id=target.application_id,
        fact_key=FIRST_QUESTION,
        share_id=share_id,
        token_id=token_id,
        deadline_id="no-such-deadline",
        token="no-such-feed-token",
        version_id=target.version_id,
        template="nrm_reconsideration_request",
        kind="docx",
        bundle_format="pdf",
        file_id=target.file_id,
        fill_id="no-such-fill",
        question_id=question_id or target.question_id,
        user_id=target.advocate_id,  # the people page's member: the home one, or another organisation's
    )


def _same_page(html: str) -> str:
    """The page without the seconds to the idle warning (they tick between two requests)."""
    return _IDLE_SECONDS.sub("", html)


@pytest.mark.parametrize(("route", "caller", "target_kind"), list(cells()), ids=lambda value: str(value))
def test_access(matrix: Matrix, route: tuple[str, str], caller: str, target_kind: str) -> None:
    method, template = route
    target = matrix.targets[target_kind]
    share_id = matrix.fresh_share(target) if "{share_id}" in template else 0
    token_id = matrix.fresh_token(caller, target_kind) if "{token_id}" in template else 0
    question_id = matrix.fresh_question(target) if template.endswith("/withdraw") else ""
    url = _url(template, target, share_id, token_id, question_id) + QUERIES.get(route, "").format(
        reference=target.reference
    )
    form = {**FORMS[route], "csrf_token": matrix.csrf[caller][1]} if method == "POST" else None
    matrix.browse_as(caller)

    response = matrix.client.request(method, url, data=form)

    want = EXPECTED[route][caller][TARGETS.index(target_kind)]
    got = Want(response.status_code, response.headers.get("location"))
    expected_location = (
        None
        if want.location is None
        else want.location.format(next=quote(url, safe="/"), case=target.case_id, app=target.application_id)
    )
    assert got == Want(want.status, expected_location), response.text[:2000]

    if want == NOT_FOUND and "{" in template:
        # Not seeing it is exactly as if it did not exist: the page for an id nobody has.
        made_up = Target(
            uuid.uuid4().hex,
            uuid.uuid4().hex,
            "",
            0,
            0,
            version_id=uuid.uuid4().hex,
            file_id=uuid.uuid4().hex,
            question_id=uuid.uuid4().hex,
        )
        unknown_url = _url(template, made_up, 10**9, 10**9)
        unknown = matrix.client.request(method, unknown_url, data=form)
        assert unknown.status_code == 404
        # A survivor's page names its own address (the language switcher comes back to it).
        assert _same_page(response.text.replace(url, "URL")) == _same_page(
            unknown.text.replace(unknown_url, "URL")
        )
    if route == CASE_LIST and want == OK:
        # The list shows the case exactly when its page can be opened.
        listed = f'href="/cases/{target.case_id}"' in response.text
        assert listed == (EXPECTED[CASE_PAGE][caller][TARGETS.index(target_kind)] == OK)


POSTS: Final = [route for route in EXPECTED if route[0] == "POST"]


@pytest.mark.parametrize("caller", [ANONYMOUS, ADMIN, SURVIVOR])
@pytest.mark.parametrize("token", ["missing", "another browser's"])
@pytest.mark.parametrize("route", POSTS, ids=lambda route: " ".join(route))
def test_every_post_needs_this_browsers_csrf_token(
    matrix: Matrix, route: tuple[str, str], token: str, caller: str
) -> None:
    target = matrix.targets[HOME]
    form: Mapping[str, str] = FORMS[route]
    if token != "missing":
        other = next(c for c in CALLERS if c != caller)
        form = {**form, "csrf_token": matrix.csrf[other][1]}
    matrix.browse_as(caller)

    response = matrix.client.post(_url(route[1], target, 10**9, 10**9), data=form)

    assert response.status_code == 403, response.text[:2000]
    assert "Error 403" in response.text
