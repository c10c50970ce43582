"""Repair misspelt English cue words ("freezng", "refnd") before classifying.

Only a word that is not an English word is repaired: "tipped", "audit",
"logic", "chart" and "streak" are real words one edit away from a cue word
and must stay as written. The known-word list (`known_words_en.txt`, the
60,000 most frequent words of pyspellchecker's English frequency list) loads
in a few milliseconds.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

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

_WORD = re.compile(r"[a-z][a-z'-]{4,}")


@lru_cache(maxsize=1)
def _targets() -> frozenset[str]:
    return frozenset(TARGETS)


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    text = resources.files("core.triage").joinpath("known_words_en.txt").read_text("utf-8")
    return frozenset(text.split())


def fix_typos(normalized: str) -> str:
    """Replace unknown latin words within edit distance 1 (2 for long words)
    of a cue word. Known English words are correct spellings and left alone.
    """
    targets = _targets()
    known = known_words()

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
