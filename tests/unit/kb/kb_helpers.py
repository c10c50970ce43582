"""Shared constants for the knowledge-base tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).parent / "data"
FIXTURE_ARTICLES = DATA / "articles"

GOOD = """+++
id = "{id}"
kind = "{kind}"
subtypes = {subtypes}

[title]
zh = "直播卡顿：切换网络"
en = "Stream stutters: switch network"

[symptoms]
zh = ["直播一直卡", "一直在缓冲转圈"]
en = ["stream keeps freezing", "video buffering all the time"]

[keywords]
zh = ["卡顿", "缓冲"]
en = ["lag", "buffering"]

[applies_to]
platforms = ["ios", "android"]
os = ["iOS >= 16"]
app_versions = ">=5.0,<5.3"
+++
## zh
1. 切换网络。
2. 重新进入直播间。

## en
1. Switch networks.
2. Re-enter the room.
"""

WriteArticle = Callable[..., Path]
