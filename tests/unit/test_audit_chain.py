from dataclasses import replace
from datetime import UTC, datetime

from core.audit import GENESIS, ChainLink, canonical_json, event_hash, verify_chain

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
