"""Creating a ticket from a confirmed report, and joining or opening its incident."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from core.incidents.intake import Assessment, IncidentIntake, IncidentLink
from core.incidents.surge import ReportFact, filters_of
from core.statuses import Status
from core.storage.audit_store import append_event, personal_ref
from core.storage.tables import TicketRow
from core.taxonomy import Category, Scope, can_be_p0, priority_for, subtype
from core.tickets.base import TicketBase
from core.tickets.drafts import TicketDraft, is_finance, ref_for
from core.validation import MAX_SHORT_CHARS, clean_text


@dataclass(frozen=True, slots=True)
class CreatedTicket:
    ticket: TicketRow
    incident: IncidentLink | None  # the incident it joined or whose surge it completed


class TicketCreation(TicketBase):
    def create(
        self,
        draft: TicketDraft,
        now: datetime,
        actor: str = "system",
        session: Session | None = None,
    ) -> TicketRow:
        """Create the ticket; inside `session` when given, so a caller can make
        it part of a larger transaction (the conversation that confirmed it).
        `create_report` also tells whether it went into an incident.
        """
        return self.create_report(draft, now, actor, session).ticket

    def create_report(
        self,
        draft: TicketDraft,
        now: datetime,
        actor: str = "system",
        session: Session | None = None,
    ) -> CreatedTicket:
        """Create the ticket; a report matching an open incident joins it, and a
        report completing a surge opens one (docs/incidents.md).
        """
        st = subtype(draft.subtype)
        summary = clean_text(draft.summary, "summary")
        for name in ("channel", "external_user_id", "chat_id", "display_name", "language"):
            clean_text(getattr(draft, name), name, max_chars=MAX_SHORT_CHARS)
        diag = draft.diagnostics.to_json()
        for key, value in diag.items():
            if isinstance(value, str):
                clean_text(value, f"diagnostics.{key}", allow_empty=True)
        with self._tx(session) as s:
            scope, cues = draft.scope, list(draft.cues)
            report = ReportFact(
                ref=None,
                reporter=f"{draft.channel}:{draft.external_user_id}",
                subtype=st.id,
                at=now,
                filters=filters_of(diag),
            )
            outage = scope is Scope.WIDESPREAD and can_be_p0(st.id)
            assessment = self.intake.assess(s, report, now, outage=outage)
            if assessment is not None and scope is Scope.SINGLE:
                scope = Scope.WIDESPREAD
                cues.append(self._cue(assessment))
            priority = draft.priority or priority_for(st.id, scope)
            row = TicketRow(
                channel=draft.channel,
                external_user_id=draft.external_user_id,
                chat_id=draft.chat_id,
                display_name=draft.display_name,
                language=draft.language,
                category=st.category.value,
                subtype=st.id,
                scope=scope.value,
                priority=priority.value,
                confidence=draft.confidence,
                summary=summary,
                diagnostics=diag,
                cues=cues,
                kb_tried=list(draft.kb_tried),
                status=Status.NEW.value,
                team="finance" if st.category is Category.FINANCE else "support",
                tier=self.settings.routing.tiers.get(priority, "l1"),
                created_at=now,
                updated_at=now,
                first_response_due=now + self.settings.sla.first_response[priority],
                clock_started_at=now,
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            row.ref = ref_for(row.id)
            self._sync_due(row)
            payload = {
                "category": row.category,
                "subtype": row.subtype,
                "scope": row.scope,
                "surge": assessment.surge.reporters
                if assessment is not None and assessment.surge is not None
                else None,
                "priority": row.priority,
                "status": row.status,
                "team": row.team,
                "tier": row.tier,
                "first_response_due": row.first_response_due.isoformat(),
                "reporter": personal_ref(
                    s, row.ref, "reporter", f"{draft.channel}:{draft.external_user_id}"
                ),
                "summary": personal_ref(s, row.ref, "summary", summary),
                "diagnostics": self._diag_refs(s, row.ref, diag),
                "kb_tried": list(draft.kb_tried),
            }
            if is_finance(row):
                payload["reason"] = "report confirmed by the user"
            append_event(
                s, at=now, actor=actor, action="ticket.created", ticket_ref=row.ref, payload=payload
            )
            link = self.intake.apply(s, assessment, row, now) if assessment else None
            self.planner.plan(s, row, now)
            return CreatedTicket(row, link)

    @property
    def intake(self) -> IncidentIntake:
        return IncidentIntake(self.settings, self.planner)

    def _cue(self, assessment: Assessment) -> str:
        if assessment.match is not None:
            return f"incident: joins {assessment.match.ref}"
        assert assessment.surge is not None
        window = self.settings.incidents.surge_window
        return f"surge: {assessment.surge.reporters} reports in {window}"
