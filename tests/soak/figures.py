"""The soak suite's figures: one row per scenario, one table per database."""

from __future__ import annotations

from dataclasses import dataclass, field

COLUMNS = ("sent", "lost", "duplicated", "unauthorized", "crashed", "5xx", "resent")


@dataclass
class Figures:
    scenario: str
    sent: int = 0
    lost: int = 0
    duplicated: int = 0
    unauthorized: int = 0
    crashed: int = 0
    server_errors: int = 0
    # A reply sent again because the process died after Telegram took it and before
    # the outbox recorded it (docs/outbox.md, "Crash windows"): reported, not failed.
    resent: int = 0
    # Chats whose replies all came, but not in the order the messages were sent: a
    # failure with no column of its own (the table's columns are shared by every
    # scenario); the notes say how many.
    misordered: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(
            self.lost or self.duplicated or self.unauthorized or self.crashed or self.misordered
        )

    def cells(self) -> tuple[int, ...]:
        return (
            self.sent,
            self.lost,
            self.duplicated,
            self.unauthorized,
            self.crashed,
            self.server_errors,
            self.resent,
        )


def table(database: str, rows: list[Figures]) -> str:
    """A Markdown table, so that docs/reliability.md can hold it as printed."""
    width = max([len(r.scenario) for r in rows] + [len("scenario")])
    sizes = [max(len(c), 5) for c in COLUMNS]
    head = f"| {'scenario'.ljust(width)} | " + " | ".join(
        c.rjust(n) for c, n in zip(COLUMNS, sizes, strict=True)
    )
    rule = "|" + "-" * (width + 2) + "|" + "|".join("-" * (n + 2) for n in sizes) + "|"
    lines = [f"### {database}", "", head + " |", rule]
    for row in rows:
        cells = " | ".join(str(v).rjust(n) for v, n in zip(row.cells(), sizes, strict=True))
        lines.append(f"| {row.scenario.ljust(width)} | {cells} |")
    notes = [f"- {r.scenario}: {n}" for r in rows for n in r.notes]
    notes += [f"- {r.scenario}: {r.misordered} chat(s) OUT OF ORDER" for r in rows if r.misordered]
    return "\n".join(lines + (["", *notes] if notes else []))
