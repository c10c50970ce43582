"""The hash chain of the audit trail, as pure functions.

Each event's hash covers its own fields and the previous event's hash, so an
edited, deleted or reordered row breaks every hash after it; an anchor (the
latest hash, kept elsewhere) also catches a truncated tail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    ticket_ref: str | None,
    payload: str,
) -> str:
    material = "\x1f".join(
        [prev_hash, str(seq), at.isoformat(), actor, action, ticket_ref or "", payload]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainLink:
    seq: int
    at: datetime
    actor: str
    action: str
    ticket_ref: str | None
    payload: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    count: int
    last_hash: str
    bad_seq: int | None = None
    reason: str = ""


def pii_pointers(payload: str) -> Iterator[tuple[int, str | None]]:
    """The personal data rows an event points to: (id, digest of the stored value).

    Events written before values were sealed carry no digest.
    """
    if '"pii"' not in payload:
        return
    stack: list[Any] = [json.loads(payload)]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            pid = item.get("pii")
            if isinstance(pid, int) and not isinstance(pid, bool):
                digest = item.get("digest")
                yield pid, digest if isinstance(digest, str) else None
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _personal_fault(link: ChainLink, personal_digest: Callable[[int], str | None]) -> str | None:
    for pid, digest in pii_pointers(link.payload):
        if digest is None:
            continue
        stored = personal_digest(pid)
        if stored is None:
            return f"personal data {pid} it points to was deleted"
        if stored != digest:
            return f"personal data {pid} it points to was changed"
    return None


def verify_chain(
    links: Iterable[ChainLink],
    anchor: str | None = None,
    personal_digest: Callable[[int], str | None] | None = None,
) -> VerifyResult:
    """Walk the chain in seq order; report the first event that does not fit.

    With `personal_digest` (id -> digest of the stored value, None when the row
    is gone), each event's personal data must still be what was hashed.
    """
    expected_seq, prev, count = 1, GENESIS, 0
    anchor_seen = anchor is None or anchor == GENESIS
    for link in links:
        if link.seq != expected_seq:
            reason = f"expected event {expected_seq} but found {link.seq} (deleted or reordered)"
            return VerifyResult(False, count, prev, expected_seq, reason)
        if link.prev_hash != prev:
            return VerifyResult(False, count, prev, link.seq, "does not follow the previous event")
        recomputed = event_hash(
            link.prev_hash,
            link.seq,
            link.at,
            link.actor,
            link.action,
            link.ticket_ref,
            link.payload,
        )
        if recomputed != link.hash:
            return VerifyResult(
                False, count, prev, link.seq, "content changed after it was written"
            )
        if personal_digest is not None and (fault := _personal_fault(link, personal_digest)):
            return VerifyResult(False, count, prev, link.seq, fault)
        prev, count, expected_seq = link.hash, count + 1, expected_seq + 1
        anchor_seen = anchor_seen or link.hash == anchor
    if not anchor_seen:
        return VerifyResult(
            False, count, prev, expected_seq, "the anchor is not in the chain: its tail was cut off"
        )
    return VerifyResult(True, count, prev)
