"""Features for the statistical part of the classifier."""

from __future__ import annotations

import itertools
import re

_LATIN_WORD = re.compile(r"[a-z][a-z0-9']*")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def features(normalized: str) -> list[str]:
    """Chinese character uni- and bigrams plus latin word uni- and bigrams.

    Character n-grams need no word segmentation and still carry slang such as
    卡成 or 炸麦; word bigrams keep "no sound" apart from "sound".
    """
    out: list[str] = []
    for run in _CJK_RUN.findall(normalized):
        out.extend(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    words = _LATIN_WORD.findall(normalized)
    out.extend("w:" + word for word in words)
    out.extend(f"w:{a}_{b}" for a, b in itertools.pairwise(words))
    return out
