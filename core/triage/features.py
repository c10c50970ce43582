"""Features of a normalized message for the linear models: shared by training
and run time, so both see exactly the same strings.
"""

from __future__ import annotations

import itertools
import re

_LATIN_WORD = re.compile(r"[a-z][a-z0-9']*|\d+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Punctuation and spaces become one separator, so n-grams do not depend on
# whether a writer typed ",", "，" or "  ".
_SEPARATORS = re.compile(r"[\s\W_]+")


def features(normalized: str) -> set[str]:
    """Character 2-4-grams, Chinese characters, latin words and word pairs.

    Character n-grams need no word segmentation, carry Chinese slang (卡成,
    炸麦) and survive English typos ("freezng" shares "fre", "eez"); word
    pairs keep "no sound" apart from "sound".
    """
    text = " " + _SEPARATORS.sub(" ", normalized).strip() + " "
    out: set[str] = {c for c in text if _CJK.match(c)}
    for n in (2, 3, 4):
        out.update(text[i : i + n] for i in range(len(text) - n + 1))
    out.discard(" ")
    words = _LATIN_WORD.findall(normalized)
    out.update("w:" + word for word in words)
    out.update(f"w:{a}_{b}" for a, b in itertools.pairwise(words))
    return out
