"""Agents' corrections of triage: labelled examples for the next training run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from core.storage.types import UTCDateTime


class TriageCorrectionRow(SQLModel, table=True):
    """An agent changed what triage decided for a ticket: the user's words with
    the corrected labels. Erasing the ticket's personal data deletes the row.
    """

    __tablename__ = "triage_correction"

    id: int | None = Field(default=None, primary_key=True)
    ticket_ref: str = Field(max_length=32, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    language: str = Field(max_length=8)
    subtype_before: str = Field(max_length=48)
    subtype_after: str = Field(max_length=48)
    scope: str = Field(max_length=16)
    priority_before: str = Field(max_length=4)
    priority_after: str = Field(max_length=4)
    actor: str = Field(max_length=200)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
