"""Incident tables: the incident, its public updates, and the tickets linked to it.

Registered on the same metadata as the other tables (core.storage.tables
imports this module), so Alembic and `Database` see them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from core.storage.types import UTCDateTime


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class IncidentRow(SQLModel, table=True):
    __tablename__ = "incident"

    id: int | None = Field(default=None, primary_key=True)
    ref: str | None = Field(default=None, unique=True, max_length=32)
    title: str = Field(max_length=200)
    related_group: str = Field(max_length=32)
    subtypes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    finance: bool = False
    status: str = Field(max_length=16, index=True)
    severity: str = Field(max_length=4)
    owner: str | None = Field(default=None, max_length=200)
    filters: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # "The open incident of this related group and these filters": unique while
    # the incident is open and NULL once resolved (NULLs never collide), so two
    # concurrent surges cannot both open one.
    open_key: str | None = Field(default=None, unique=True, max_length=400)
    declared_by: str = Field(max_length=200)
    started_at: datetime = _utc()  # the first report's time
    declared_at: datetime = _utc(index=True)
    acknowledged_at: datetime | None = _utc(nullable=True)
    identified_at: datetime | None = _utc(nullable=True)
    first_update_at: datetime | None = _utc(nullable=True)
    resolved_at: datetime | None = _utc(nullable=True)
    outcome: str | None = Field(default=None, max_length=16)
    cause_class: str | None = Field(default=None, max_length=32)
    merged_into: str | None = Field(default=None, max_length=32)
    updated_at: datetime = _utc()
    version: int = 0


class IncidentUpdateRow(SQLModel, table=True):
    """One public update, in the order posted."""

    __tablename__ = "incident_update"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    status: str = Field(max_length=16)
    message: str = Field(sa_column=Column(Text, nullable=False))
    eta: datetime | None = _utc(nullable=True)
    author: str = Field(max_length=200)
    at: datetime = _utc()


class IncidentTicketRow(SQLModel, table=True):
    """A ticket inside an incident; a ticket is in one incident at most."""

    __tablename__ = "incident_ticket"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    ticket_ref: str = Field(max_length=32, unique=True)
    via: str = Field(max_length=16)  # "surge", "match", "declare" or "agent"
    linked_by: str = Field(max_length=200)
    linked_at: datetime = _utc()
    # When the agents' platform listed this report in the incident's thread
    # (None: not yet). Kept here, not in one instance's memory, so that several
    # instances list each report once; a merge clears it, the report is news
    # to the incident it joins.
    listed_at: datetime | None = _utc(nullable=True)
