"""Keep the embedded SQLite broker small.

kombu's SQLAlchemy transport never deletes a message: a delivered one stays in
``kombu_message`` with ``visible`` false, so the heartbeat alone adds 1,440 rows a day. This
removes delivered messages; messages still waiting (``visible`` true) are never touched.
Other brokers (Redis, RabbitMQ) delete delivered messages themselves and need nothing.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import create_engine, inspect, text

MESSAGE_TABLE: Final = "kombu_message"


def purge_delivered_messages(broker_url: str) -> int:
    """Delete the delivered messages of a ``sqla+`` broker; return how many were deleted."""
    if not broker_url.startswith("sqla+"):
        return 0
    engine = create_engine(broker_url.removeprefix("sqla+"))
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table(MESSAGE_TABLE):
                return 0
            # `visible = 0` matches SQLite's and PostgreSQL's storage of false alike.
            result = connection.execute(
                text(f"DELETE FROM {MESSAGE_TABLE} WHERE visible = :hidden"), {"hidden": False}
            )
            return int(result.rowcount or 0)
    finally:
        engine.dispose()
