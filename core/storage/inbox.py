"""The inbox of processed deliveries, which makes handling idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from core.storage.tables import ProcessedDeliveryRow


def claim_delivery(session: Session, source: str, delivery_id: str, at: datetime) -> bool:
    """Record the delivery; False when it was already processed.

    Runs inside the transaction that does the work, so the record and the work
    commit or roll back together.
    """
    values = {"source": source, "delivery_id": delivery_id, "processed_at": at}
    table = ProcessedDeliveryRow.__table__  # type: ignore[attr-defined]
    insert_for = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # RETURNING tells reliably whether the row was new; rowcount does not on every driver.
    stmt = insert_for(table).values(**values).on_conflict_do_nothing().returning(table.c.source)
    return session.connection().execute(stmt).first() is not None
