"""Knowledge-base matcher at scale: the real articles expanded synthetically to 10,000.

    .venv/bin/python bench/bench_kb.py [--articles 10000] [--queries 400] [--path DIR]

Prints index build time, query latency p50/p95 and the memory the index adds.
Targets: build < 3 s, p95 < 5 ms, memory < 200 MB.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

from core.taxonomy import SUBTYPES
from kb.loader import load_articles
from kb.matcher import Matcher
from kb.memory_feedback import MemoryFeedbackStore
from kb.model import Article

_ZH_FILLERS = ["请问", "怎么回事", "又", "今天", "一直", "好烦", "帮忙看下", "急"]
_EN_FILLERS = ["please", "again", "since yesterday", "on my phone", "why", "help", "still"]
_DEVICES = ["iphone", "pixel", "galaxy", "redmi", "mate", "oppo", "vivo", "ipad"]


def _mutate(text: str, rng: random.Random) -> str:
    """Drop, double or swap one character: the typos users make."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.randrange(3)
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + text[i] + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def expand(articles: list[Article], n: int, seed: int = 7) -> list[Article]:
    """n articles: each a real one with recombined, mutated symptoms and keywords from
    siblings of the same subtype, plus device / version words so the vocabulary grows.
    """
    rng = random.Random(seed)
    by_subtype: dict[str, list[Article]] = {}
    for a in articles:
        for s in a.subtypes:
            by_subtype.setdefault(s, []).append(a)
    subtypes = sorted(by_subtype)
    out: list[Article] = []
    for k in range(n):
        pool = by_subtype[subtypes[k % len(subtypes)]]
        base = pool[rng.randrange(len(pool))]
        other = pool[rng.randrange(len(pool))]
        device = f"{rng.choice(_DEVICES)} {rng.randrange(2, 60)}"
        ver = f"v{rng.randrange(3, 9)}.{rng.randrange(0, 40)}"
        sym_zh = rng.sample(base.symptoms_zh + other.symptoms_zh, k=min(5, len(base.symptoms_zh)))
        sym_en = rng.sample(base.symptoms_en + other.symptoms_en, k=min(5, len(base.symptoms_en)))
        out.append(
            replace(
                base,
                id=f"{base.id}-x{k}",
                title_zh=f"{base.title_zh}（{device}）",
                title_en=f"{base.title_en} ({device}, {ver})",
                symptoms_zh=(*(_mutate(s, rng) for s in sym_zh), f"{device} 上{sym_zh[0]}"),
                symptoms_en=(*(_mutate(s, rng) for s in sym_en), f"{sym_en[0]} on {device}"),
                keywords_zh=tuple(rng.sample(base.keywords_zh, k=min(6, len(base.keywords_zh)))),
                keywords_en=(*rng.sample(base.keywords_en, k=min(6, len(base.keywords_en))), ver),
                source="db",
                path=None,
            )
        )
    return out


def queries(articles: list[Article], n: int, seed: int = 11) -> list[tuple[str, str | None]]:
    rng = random.Random(seed)
    out: list[tuple[str, str | None]] = []
    for k in range(n):
        a = articles[rng.randrange(len(articles))]
        subtype = a.subtypes[0] if k % 2 else None
        if k % 10 == 9:
            out.append((rng.choice(["hello", "今天天气不错", "asdfgh", "thanks", "你好呀"]), None))
        elif k % 2:
            text = f"{rng.choice(_ZH_FILLERS)}{_mutate(rng.choice(a.symptoms_zh), rng)}"
            out.append((text, subtype))
        else:
            text = f"{_mutate(rng.choice(a.symptoms_en), rng)} {rng.choice(_EN_FILLERS)}"
            out.append((text, subtype))
    return out


def _p95(sorted_values: list[float]) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(0.95 * len(sorted_values)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--path", type=Path, default=None)
    args = parser.parse_args(argv)

    real = load_articles(args.path)
    articles = expand(real, args.articles)
    qs = queries(real, args.queries)
    Matcher(real, MemoryFeedbackStore())  # loads the opencc dictionary outside the timing

    gc.collect()
    started, cpu_started = time.perf_counter(), time.process_time()
    matcher = Matcher(articles, MemoryFeedbackStore())
    build = time.perf_counter() - started
    build_cpu = time.process_time() - cpu_started
    # The index is long-lived: keep the cyclic GC from rescanning it during queries.
    gc.freeze()

    latencies: list[float] = []
    cpu: list[float] = []
    empty = 0
    for text, subtype in qs:
        t0, c0 = time.perf_counter(), time.process_time()
        found = matcher.suggest(text, subtype=subtype, limit=3)
        cpu.append((time.process_time() - c0) * 1000)
        latencies.append((time.perf_counter() - t0) * 1000)
        empty += not found
    gc.unfreeze()
    latencies.sort()
    cpu.sort()

    del matcher
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = Matcher(articles, MemoryFeedbackStore())
    added = (tracemalloc.get_traced_memory()[0] - before) / 1e6
    tracemalloc.stop()
    del kept

    sys.stdout.write(
        f"articles: {len(articles)} synthetic from {len(real)} real over "
        f"{len({s for a in articles for s in a.subtypes})}/{len(SUBTYPES)} subtypes\n"
        f"index build: {build:.2f} s wall, {build_cpu:.2f} s CPU (target < 3 s)\n"
        f"queries: {len(qs)} (zh/en, half with a subtype, 10% unrelated), "
        f"{empty} answered with nothing\n"
        f"latency (wall): p50 {statistics.median(latencies):.2f} ms, "
        f"p95 {_p95(latencies):.2f} ms, max {latencies[-1]:.2f} ms (target p95 < 5 ms)\n"
        f"latency (CPU time, immune to a busy machine): p50 {statistics.median(cpu):.2f} ms, "
        f"p95 {_p95(cpu):.2f} ms\n"
        f"memory added by the index: {added:.0f} MB (tracemalloc; target < 200 MB)\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
