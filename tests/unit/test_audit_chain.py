from dataclasses import replace
from datetime import UTC, datetime

from core.audit import (
    GENESIS,
    ChainLink,
    canonical_json,
    event_hash,
    pii_pointers,
    verify_chain,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def chain(n: int) -> list[ChainLink]:
    links, prev = [], GENESIS
    for seq in range(1, n + 1):
        payload = canonical_json({"n": seq, "名": "值"})
        digest = event_hash(prev, seq, T0, "a", "x", "LD-1", payload)
        links.append(ChainLink(seq, T0, "a", "x", "LD-1", payload, prev, digest))
        prev = digest
    return links


def test_canonical_json_is_independent_of_key_order():
    assert canonical_json({"b": 1, "a": 2}) == canonical_json({"a": 2, "b": 1})


def test_a_whole_chain_verifies_and_reports_its_last_hash():
    links = chain(5)
    result = verify_chain(links, anchor=links[2].hash)
    assert result.ok
    assert result.last_hash == links[-1].hash


def test_a_changed_payload_is_named():
    links = chain(5)
    links[3] = replace(links[3], payload='{"n":99}')
    result = verify_chain(links)
    assert (result.ok, result.bad_seq) == (False, 4)


def test_an_empty_chain_is_valid_but_not_with_a_foreign_anchor():
    assert verify_chain([]).ok
    assert not verify_chain([], anchor="f" * 64).ok


def _relinked(links: list[ChainLink], index: int, payload: str) -> list[ChainLink]:
    """An attacker edits one event and recomputes that event's own hash."""
    link = links[index]
    digest = event_hash(
        link.prev_hash, link.seq, link.at, link.actor, link.action, link.ticket_ref, payload
    )
    return [*links[:index], replace(link, payload=payload, hash=digest), *links[index + 1 :]]


def test_an_event_rewritten_with_its_own_hash_recomputed_breaks_the_next_link():
    links = _relinked(chain(5), 2, '{"n":99}')
    result = verify_chain(links)
    assert (result.ok, result.bad_seq) == (False, 4)
    assert "previous" in result.reason


def _with_pointer(digest: str | None) -> list[ChainLink]:
    pointer = {"pii": 7} if digest is None else {"pii": 7, "digest": digest}
    payload = canonical_json({"diagnostics": {"order_id": pointer}})
    return [
        ChainLink(
            1,
            T0,
            "a",
            "x",
            "LD-1",
            payload,
            GENESIS,
            event_hash(GENESIS, 1, T0, "a", "x", "LD-1", payload),
        )
    ]


def test_personal_data_pointers_are_found_at_any_depth():
    payload = canonical_json(
        {"a": {"pii": 1, "digest": "d"}, "b": [{"pii": 2}], "c": {"pii": True}}
    )
    assert sorted(pii_pointers(payload)) == [(1, "d"), (2, None)]


def test_personal_data_that_still_matches_its_digest_verifies():
    assert verify_chain(_with_pointer("abc"), personal_digest={7: "abc"}.get).ok


def test_changed_personal_data_is_named_by_its_event():
    result = verify_chain(_with_pointer("abc"), personal_digest={7: "xyz"}.get)
    assert (result.ok, result.bad_seq) == (False, 1)
    assert "changed" in result.reason


def test_deleted_personal_data_is_named_by_its_event():
    result = verify_chain(_with_pointer("abc"), personal_digest={}.get)
    assert (result.ok, result.bad_seq) == (False, 1)
    assert "deleted" in result.reason


def test_pointers_written_before_sealing_are_not_checked():
    assert verify_chain(_with_pointer(None), personal_digest={}.get).ok
