"""Repair misspelt English cue words ("freezng", "refund") before matching."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

# English words the lexicon keys on; a near miss of one of them is most likely it.
TARGETS = (
    "freezing",
    "freeze",
    "frozen",
    "buffering",
    "stutter",
    "stuttering",
    "lagging",
    "laggy",
    "choppy",
    "blurry",
    "blurred",
    "pixelated",
    "resolution",
    "quality",
    "sound",
    "audio",
    "silent",
    "black",
    "screen",
    "blank",
    "loading",
    "echo",
    "noise",
    "noisy",
    "crackling",
    "static",
    "howling",
    "feedback",
    "distorted",
    "sync",
    "delayed",
    "gift",
    "gifts",
    "gifting",
    "donation",
    "tipping",
    "comments",
    "comment",
    "danmaku",
    "messages",
    "chat",
    "streaming",
    "stream",
    "broadcast",
    "disconnecting",
    "disconnects",
    "beauty",
    "filter",
    "filters",
    "stickers",
    "cohost",
    "co-host",
    "battle",
    "guests",
    "avatar",
    "profile",
    "nickname",
    "username",
    "notification",
    "notifications",
    "notified",
    "reminder",
    "login",
    "logged",
    "password",
    "verification",
    "hacked",
    "stolen",
    "someone",
    "compromised",
    "banned",
    "suspended",
    "restricted",
    "muted",
    "permission",
    "appeal",
    "recharge",
    "recharged",
    "topped",
    "credited",
    "coins",
    "diamonds",
    "balance",
    "charged",
    "refund",
    "refunded",
    "withdrawal",
    "withdraw",
    "payout",
    "earnings",
    "income",
    "support",
    "agent",
    "ticket",
    "waiting",
    "response",
    "reply",
    "replied",
    "rude",
    "unprofessional",
    "attitude",
    "misunderstood",
    "understand",
    "irrelevant",
    "suggest",
    "suggestion",
    "please",
    "interface",
    "layout",
    "button",
    "feature",
    "everyone",
    "everybody",
    "streamers",
    "platform",
    "outage",
    "friends",
)

# Real words one edit away from a cue word; never "repaired".
COMMON_WORDS = frozenset(
    [
        "wasting",
        "waiting",
        "hanging",
        "logging",
        "logged",
        "lagged",
        "coming",
        "going",
        "sending",
        "showing",
        "setting",
        "getting",
        "trying",
        "hearing",
        "joining",
        "leaving",
        "staying",
        "string",
        "strings",
        "steam",
        "screen",
        "scream",
        "filler",
        "fitted",
        "sounds",
        "noises",
        "gifted",
        "lifted",
        "shift",
        "ticket",
        "tickets",
        "banner",
        "banned",
        "bannered",
        "planned",
        "pleased",
        "please",
        "replay",
        "replays",
        "player",
        "players",
        "layer",
        "later",
        "latest",
        "stolen",
        "stole",
        "report",
        "reported",
        "support",
        "supported",
        "refused",
        "returned",
        "refreshing",
        "reloading",
        "reload",
        "sorted",
        "started",
        "stated",
        "states",
        "static",
        "statics",
        "freeze",
        "frees",
        "freed",
        "streams",
        "streamed",
        "dreams",
        "stream",
        "streamer",
        "streamers",
    ]
)

_WORD = re.compile(r"[a-z][a-z'-]{4,}")


@lru_cache(maxsize=1)
def _targets() -> frozenset[str]:
    return frozenset(TARGETS)


def fix_typos(normalized: str, known: frozenset[str]) -> str:
    """Replace unknown latin words within edit distance 1 (2 for long words)
    of a cue word. `known` words are correct spellings and left alone.
    """
    targets = _targets()

    def repair(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in targets or word in known:
            return word
        cutoff = 2 if len(word) >= 8 else 1
        best = process.extractOne(word, TARGETS, scorer=Levenshtein.distance, score_cutoff=cutoff)
        # Typos rarely hit the first letter; "stopping" is not "tipping".
        if best is None or best[0][0] != word[0]:
            return word
        return str(best[0])

    return _WORD.sub(repair, normalized)
