"""Prometheus metrics of one LiveDesk process, served on /metrics.

One registry per runtime (no global registry): tests and several runtimes in
one process never share counters.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import col, select

from core.storage.db import Database
from core.storage.tables import TicketRow


class _TicketCollector(Collector):
    """Tickets by priority and status, read from the database at scrape time,
    so every instance reports the same shared truth.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "livedesk_tickets", "Tickets by priority and status", labels=["priority", "status"]
        )
        with self.db.session(read_only=True) as s:
            rows = s.exec(
                select(TicketRow.priority, TicketRow.status, func.count()).group_by(
                    col(TicketRow.priority), col(TicketRow.status)
                )
            ).all()
        for priority, status, count in rows:
            family.add_metric([priority, status], float(count))
        yield family


class Metrics:
    def __init__(self, db: Database) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.messages_in = Counter(
            "livedesk_messages_in", "Messages and button presses received", ["channel"], registry=r
        )
        self.messages_out = Counter(
            "livedesk_messages_out", "Messages sent to users", ["channel"], registry=r
        )
        self.handler_seconds = Histogram(
            "livedesk_handler_seconds",
            "Time to handle one inbound event, reply included",
            ["channel"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r,
        )
        self.tickets_created = Counter(
            "livedesk_tickets_created", "Tickets created", ["priority"], registry=r
        )
        self.kb_offers = Counter(
            "livedesk_kb_offers", "Knowledge-base articles offered", registry=r
        )
        self.self_service = Counter(
            "livedesk_self_service_resolutions", "Reports solved by an article", registry=r
        )
        self.sla_events = Counter(
            "livedesk_sla_events", "SLA warnings, breaches and pages fired", ["kind"], registry=r
        )
        r.register(_TicketCollector(db))

    def render(self) -> bytes:
        return generate_latest(self.registry)
