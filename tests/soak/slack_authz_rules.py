"""Who may do what on which ticket, as data: the "allowed" side of the soak's
authorization matrix (slack_authz.py), written from the product's documented rules.

Sources: docs/ticket-lifecycle.md ("Only finance agents may reply to, relay to,
reassign or act on a finance ticket ...; a finance ticket can be handed only to a
finance agent, and any ticket only to a known agent"), config.example.toml
([slack] agents "allowed to act on tickets", finance_agents "only these may act on
finance tickets and see amounts and order ids"), bot/slack/reclassify.py ("only
finance agents may move a ticket into finance") and bot/slack/commands.py (the
slash command answers agents only; finance values masked for non-finance agents).

The tiers the configuration knows are [routing.tier_members] and [escalation]
on_call: a tier member who is not in [slack] agents may be handed a ticket (a
"known agent") but may not act on one.
"""

from __future__ import annotations

# Actor -> Slack user id. The soak desk's configuration puts them in these lists.
OUTSIDER, LEAD, AGENT, FINANCE = "U0OUTSIDER", "U0LEAD", "U0AGENT1", "U0FINANCE"
COLLEAGUE = "U0AGENT2"  # an ordinary agent, the assignee of ordinary reassignments
ACTORS = {"outsider": OUTSIDER, "tier-only lead": LEAD, "agent": AGENT, "finance": FINANCE}

KINDS = ("ordinary", "finance", "p0-finance")
FINANCE_KINDS = frozenset({"finance", "p0-finance"})

# In the order they are tried on each ticket: each action's allowed actor leaves the
# ticket where the next action needs it (resolve before reopen; the actions that
# change the kind of ticket last).
ACTIONS = (
    "request info",
    "escalate",
    "send article",
    "reply in thread",
    "reveal finance",
    "/livedesk ticket",
    "add note",
    "claim",
    "reassign to a non-agent",
    "reassign to a non-finance agent",
    "reassign to a known agent",
    "resolve",
    "reopen",
    "change priority",
    "reclassify",
    "reclassify into finance",
)

# Actions nobody may take, whoever asks: handing a ticket to a stranger, a finance
# ticket to an agent outside finance.
NEVER = frozenset({"reassign to a non-agent"})


def allowed(actor: str, action: str, kind: str) -> bool:
    """Whether `actor` may take `action` on a ticket of `kind` (and it should take effect)."""
    finance_ticket = kind in FINANCE_KINDS
    if action in NEVER:
        return False
    if action == "reassign to a non-finance agent":
        # On an ordinary ticket the "non-finance agent" is just an agent: allowed.
        return not finance_ticket and actor in ("agent", "finance")
    if action == "reveal finance":
        # Nothing is masked on an ordinary ticket: the button does nothing there.
        return finance_ticket and actor == "finance"
    if action == "reclassify into finance":
        # Into finance from elsewhere, or between finance subtypes: finance agents only.
        return actor == "finance"
    if action == "/livedesk ticket":
        # Any agent may look a ticket up; finance values are masked for non-finance.
        return actor in ("agent", "finance")
    if finance_ticket:
        return actor == "finance"
    return actor in ("agent", "finance")


def owners(kind: str) -> tuple[str, ...]:
    """The actors allowed most actions on a ticket of `kind`: each gets a ticket of
    its own, so that one's claim or resolve does not leave the next nothing to do."""
    return ("finance",) if kind in FINANCE_KINDS else ("agent", "finance")


def table() -> dict[tuple[str, str, str], bool]:
    """The whole matrix, for the notes and for reading."""
    return {(a, x, k): allowed(a, x, k) for a in ACTORS for x in ACTIONS for k in KINDS}
