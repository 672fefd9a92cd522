"""Translation-memory lookup over 100,000 approved pairs, against a naive fuzzy scan measured
in the same run.

    .venv/bin/python -m bench.memory_lookup [--entries 100000] [--queries 1000] [--seed 1]
                                            [--threshold 75]

Synthetic memory, built in memory only (nothing touches a database): Chinese source
sentences of 3 to 25 words drawn with a fixed seed from a list of common Chinese words,
targets are placeholders zz-000001 … (never Miao text). Queries of four kinds in equal
shares: an entry's sentence as stored (exact hit), the same with one word replaced,
inserted or dropped (fuzzy hit), and a fresh sentence from the same words (a miss for both).
Exact lookup is one dictionary probe after `match_key`. Fuzzy lookup is `MemoryIndex.fuzzy`
(length window + shared-character bound, then rapidfuzz on the survivors); the naive
baseline computes the same key and runs rapidfuzz `process.extract` (`fuzz.ratio`, same
cut-off) over every entry of the pair. Both lists are checked to agree. Times in ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from rapidfuzz import fuzz, process

from interp_service.memory.lookup import IndexedEntry, MemoryIndex
from interp_service.translation.normalise import match_key

WORD_LIST = (
    "我们 你们 他们 今天 昨天 明天 时候 地方 东西 事情 问题 知道 认为 "
    "觉得 看见 听说 回家 出门 上午 下午 晚上 朋友 家里 村里 山上 路上 "
    "学校 医院 派出所 镇上 集市 田里 钱包 手机 摩托车 衣服 鞋子 牛 猪 鸡 "
    "米 酒 饭 柴 水 喝 吃 买 卖 借 还 拿 给 送 放 打 骂 跑 走 来 "
    "去 说 问 答 看 找 没有 已经 因为 所以 但是 如果 一起 一个 两个 "
    "三个 几个 很多 一点 的 了 在 是 和 把 被 对 就 也 都 又 不 哥哥 "
    "弟弟 姐姐 妹妹 父亲 母亲 邻居 老板 司机 亲戚 寨子 房子 门口 桥 河边 "
    "公路 三百块 五十块 第二天 那天 后来"
)
WORDS = WORD_LIST.split()
PAIR = ("cmn", "mmr")


def sentence(rng: random.Random) -> list[str]:
    return rng.choices(WORDS, k=rng.randint(3, 25))


def build_entries(count: int, rng: random.Random) -> tuple[list[IndexedEntry], list[list[str]]]:
    entries, word_lists, seen = [], [], set()
    while len(entries) < count:
        words = sentence(rng)
        text = "".join(words) + "。"
        key = match_key(text, "cmn")
        if key in seen:
            continue
        seen.add(key)
        n = len(entries) + 1
        entries.append(IndexedEntry(n, *PAIR, "", key, text, f"zz-{n:06d}", "interview"))
        word_lists.append(words)
    return entries, word_lists


def edited(words: list[str], rng: random.Random) -> str:
    out = list(words)
    at = rng.randrange(len(out))
    kind = rng.choice(("replace", "insert", "delete")) if len(out) > 3 else "replace"
    if kind == "replace":
        out[at] = rng.choice(WORDS)
    elif kind == "insert":
        out.insert(at, rng.choice(WORDS))
    else:
        del out[at]
    return "".join(out) + "。"


def build_queries(
    word_lists: list[list[str]], count: int, rng: random.Random
) -> dict[str, list[str]]:
    picks = [rng.choice(word_lists) for _ in range(count)]
    return {
        "exact hit": ["".join(w) + "。" for w in picks[: count // 2]],
        "fuzzy hit": [edited(w, rng) for w in picks[count // 2 :]],
        "miss": ["".join(sentence(rng)) + "？" for _ in range(count)],
    }


class NaiveFuzzy:
    """rapidfuzz over every entry of the pair, no pre-filter."""

    def __init__(self, entries: list[IndexedEntry]) -> None:
        self.entries = entries
        self.keys = [e.source_key for e in entries]

    def fuzzy(self, text: str, threshold: float, limit: int = 3) -> list[tuple[int, float]]:
        key = match_key(text, "cmn")
        found = process.extract(
            key, self.keys, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
        )
        found = [m for m in found if m[0] != key]
        found.sort(key=lambda m: (-m[1], -self.entries[m[2]].entry_id))
        return [(self.entries[i].entry_id, round(score, 2)) for _, score, i in found[:limit]]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(call: Callable[[str], Any], queries: list[str]) -> tuple[list[float], list[Any]]:
    """Latency of each call in ms, and the results."""
    times, results = [], []
    for query in queries:
        start = time.perf_counter()
        results.append(call(query))
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def line(label: str, times: list[float]) -> str:
    return (
        f"{label:<28} p50 {percentile(times, 0.5):7.3f} ms   p95 {percentile(times, 0.95):7.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=75.0)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    start = time.perf_counter()
    entries, word_lists = build_entries(args.entries, rng)
    keyed = time.perf_counter() - start
    start = time.perf_counter()
    index = MemoryIndex(entries)
    built = time.perf_counter() - start
    naive = NaiveFuzzy(entries)
    queries = build_queries(word_lists, args.queries, rng)
    lengths = [len(e.source_key) for e in entries]
    print(
        f"{len(entries)} entries (key length mean {statistics.mean(lengths):.1f}, "
        f"max {max(lengths)} characters); match keys {keyed:.1f} s, index build {built:.2f} s"
    )
    index.fuzzy(queries["miss"][0], *PAIR)  # warm OpenCC and numpy

    t = args.threshold
    agree = total = 0
    ratios = []
    for kind, texts in queries.items():
        exact_times, exact_hits = timed(lambda q: index.exact(q, *PAIR), texts)
        fast_times, fast_hits = timed(lambda q: index.fuzzy(q, *PAIR, threshold=t), texts)
        slow_times, slow_hits = timed(lambda q: naive.fuzzy(q, t), texts)
        found = sum(1 for h in exact_hits if h is not None)
        offered = sum(1 for h in fast_hits if h)
        for fast, slow in zip(fast_hits, slow_hits, strict=True):
            total += 1
            agree += [(h.entry_id, h.score) for h in fast] == slow
        print(f"\n{kind} ({len(texts)} queries): exact hits {found}, fuzzy offered {offered}")
        print(line("  exact lookup", exact_times))
        print(line("  fuzzy lookup (index)", fast_times))
        print(line("  fuzzy naive (all entries)", slow_times))
        p50 = percentile(slow_times, 0.5) / percentile(fast_times, 0.5)
        p95 = percentile(slow_times, 0.95) / percentile(fast_times, 0.95)
        ratios.append((kind, p50, p95))
        print(f"  fuzzy speed-up: p50 x{p50:.0f}, p95 x{p95:.0f}")
    print(f"\nfuzzy results identical to the naive scan: {agree}/{total}")
    print("speed-up by kind: " + ", ".join(f"{k} x{a:.0f}/x{b:.0f}" for k, a, b in ratios))


if __name__ == "__main__":
    main()
