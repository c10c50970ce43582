"""Which subtypes are symptoms of one outage: THE table of related subtypes.

Reports of subtypes in one group count together toward a surge, and join the
same open incident. A subtype in no group never forms an incident: it is about
one user's own case (a refund request), about support itself, or a suggestion.
docs/incidents.md explains each grouping.
"""

from __future__ import annotations

from types import MappingProxyType

from core.taxonomy import SUBTYPES, Category, subtype

RELATED: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        # Sound: the audio path of the stream (mixing, encoding, the player).
        "sound": frozenset({"av.no_audio", "av.noise_echo", "av.desync"}),
        # No picture at all: viewers see a black screen or the stream will not
        # load, and broadcasters cannot push, when ingest or the CDN edge is down.
        "no_stream": frozenset({"av.black_screen", "func.stream_push"}),
        # The stream plays but badly: bitrate, transcoding or CDN congestion.
        "picture_quality": frozenset({"av.stutter", "av.blur"}),
        "gifts": frozenset({"func.gift"}),  # gifting fails; money is not this group
        "chat": frozenset({"func.danmaku"}),
        "co_host": frozenset({"func.co_host"}),
        "beauty_filter": frozenset({"func.beauty_filter"}),
        "profile": frozenset({"func.profile"}),
        "notifications": frozenset({"func.notification"}),
        "login": frozenset({"acct.login"}),
        # Many take-overs at once is a credential attack, an incident of its own.
        "account_takeover": frozenset({"acct.stolen"}),
        # A bad moderation rule bans or mutes many at once.
        "wrong_bans": frozenset({"acct.permission"}),
        # Finance stays apart from everything else, and each flow from the other:
        # top-ups and cash-outs go through different providers.
        "recharge": frozenset({"fin.recharge"}),
        "withdrawal": frozenset({"fin.withdrawal"}),
    }
)

_GROUP_OF = {sid: group for group, members in RELATED.items() for sid in members}


def group_of(subtype_id: str) -> str | None:
    """The related group of a subtype; None when it never forms an incident."""
    subtype(subtype_id)  # an unknown id is an error, not "no group"
    return _GROUP_OF.get(subtype_id)


def is_finance_group(group: str) -> bool:
    return all(SUBTYPES[sid].category is Category.FINANCE for sid in RELATED[group])


def _check_table() -> None:
    # A subtype in two groups would make "the" incident of a report ambiguous,
    # and a finance subtype next to another category would leak finance details.
    seen: set[str] = set()
    for group, members in RELATED.items():
        for sid in members:
            if sid not in SUBTYPES:
                raise ValueError(f"related group {group}: unknown subtype {sid}")
            if sid in seen:
                raise ValueError(f"subtype {sid} is in two related groups")
            seen.add(sid)
        categories = {SUBTYPES[sid].category for sid in members}
        if Category.FINANCE in categories and len(categories) > 1:
            raise ValueError(f"related group {group} mixes finance with other categories")


_check_table()
