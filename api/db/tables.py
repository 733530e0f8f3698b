"""Every table module, imported so that ``SQLModel.metadata`` is complete.

Alembic's ``env.py`` (autogenerate, ``alembic check``) and tests that compare models with
migrations import this module. A new domain's ``models.py`` is added here.
"""

from sqlmodel import SQLModel

from api.audit import models as audit_models
from api.auth import models as auth_models
from api.cases import models as cases_models
from api.contact_preferences import models as contact_preferences_models
from api.deadlines import models as deadlines_models
from api.documents import models as documents_models
from api.evidence import models as evidence_models
from api.heartbeat import models as heartbeat_models
from api.messages import models as messages_models
from api.orgs import models as orgs_models
from api.reminders import models as reminders_models
from api.survivor_data import models as survivor_data_models
from api.survivor_questions import models as survivor_questions_models

metadata = SQLModel.metadata

__all__ = [
    "audit_models",
    "auth_models",
    "cases_models",
    "contact_preferences_models",
    "deadlines_models",
    "documents_models",
    "evidence_models",
    "heartbeat_models",
    "messages_models",
    "metadata",
    "orgs_models",
    "reminders_models",
    "survivor_data_models",
    "survivor_questions_models",
]
