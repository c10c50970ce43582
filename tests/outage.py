"""An outage with many reporters, for the broadcast tests and the benchmark:
reports of one fault, linked to one incident by the surge rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.clock import FakeClock
from core.diagnostics import Diagnostics
from core.incidents.service import IncidentService
from core.storage.tables import TicketRow
from core.taxonomy import Scope
from core.tickets import TicketDraft, TicketService

FIRST_CHAT = 700_000


def reporter_chat(n: int) -> int:
    return FIRST_CHAT + n


@dataclass(frozen=True, slots=True)
class Outage:
    incident_ref: str
    tickets: list[TicketRow]

    def chats(self) -> list[int]:
        return [int(t.chat_id) for t in self.tickets]


def outage(
    tickets: TicketService,
    incidents: IncidentService,
    clock: FakeClock,
    reporters: int,
    *,
    languages: tuple[str, ...] = ("zh", "en"),
    step: timedelta = timedelta(seconds=1),
) -> Outage:
    """`reporters` people report no sound, one report each, `step` apart; all
    end up in one incident.
    """
    refs: set[str] = set()
    for n in range(reporters):
        chat = str(reporter_chat(n))
        draft = TicketDraft(
            channel="telegram",
            external_user_id=chat,
            chat_id=chat,
            display_name=f"Viewer {n}",
            language=languages[n % len(languages)],
            subtype="av.no_audio",
            scope=Scope.WIDESPREAD,
            summary="no sound on every stream",
            confidence=0.9,
            diagnostics=Diagnostics(network="wifi"),
        )
        report = tickets.create_report(draft, clock.now())
        if report.incident is not None:
            refs.add(report.incident.ref)
        clock.advance(step)
    if len(refs) != 1:
        raise AssertionError(f"expected one incident, got {sorted(refs)}")
    (ref,) = refs
    linked = incidents.tickets_of(ref)
    if len(linked) != reporters:
        raise AssertionError(f"{len(linked)} of {reporters} reports are in {ref}")
    return Outage(ref, linked)
