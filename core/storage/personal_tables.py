"""The per-subject keys that seal personal data (see core.storage.personal)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from core.storage.types import UTCDateTime


class PersonalKeyRow(SQLModel, table=True):
    """One subject's key. Deleting the row erases every value sealed with it."""

    __tablename__ = "personal_key"

    subject: str = Field(primary_key=True, max_length=80)
    key: str = Field(max_length=64)
    created_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
