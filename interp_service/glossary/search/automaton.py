"""Aho-Corasick automaton over symbol sequences, and leftmost-longest overlap resolution."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class Automaton:
    """Aho-Corasick over sequences of string symbols (characters or normalised words)."""

    def __init__(self) -> None:
        self._goto: list[dict[str, int]] = [{}]
        self._fail = [0]
        self._depth = [0]
        self._pattern = [-1]
        # Nearest node on the failure chain (itself included) that ends a pattern, or -1.
        self._report = [-1]
        self._next_report = [-1]

    def add(self, symbols: Sequence[str], pattern: int) -> None:
        node = 0
        for sym in symbols:
            nxt = self._goto[node].get(sym)
            if nxt is None:
                nxt = len(self._goto)
                self._goto[node][sym] = nxt
                self._goto.append({})
                self._fail.append(0)
                self._depth.append(self._depth[node] + 1)
                self._pattern.append(-1)
                self._report.append(-1)
                self._next_report.append(-1)
            node = nxt
        self._pattern[node] = pattern

    def build(self) -> None:
        goto, fail, pattern = self._goto, self._fail, self._pattern
        report, next_report = self._report, self._next_report
        queue = list(goto[0].values())
        for child in queue:
            report[child] = child if pattern[child] >= 0 else -1
        head = 0
        while head < len(queue):
            node = queue[head]
            head += 1
            for sym, child in goto[node].items():
                f = fail[node]
                while f and sym not in goto[f]:
                    f = fail[f]
                target = goto[f].get(sym, 0)
                fail[child] = target if target != child else 0
                next_report[child] = report[fail[child]]
                report[child] = child if pattern[child] >= 0 else next_report[child]
                queue.append(child)

    def scan(self, symbols: Sequence[str]) -> list[tuple[int, int, int]]:
        """Every occurrence as (start, end, pattern), in symbol indices, end exclusive."""
        goto, fail, depth, pattern = self._goto, self._fail, self._depth, self._pattern
        report, next_report = self._report, self._next_report
        found: list[tuple[int, int, int]] = []
        state = 0
        for i, sym in enumerate(symbols):
            nxt = goto[state].get(sym)
            while nxt is None and state:
                state = fail[state]
                nxt = goto[state].get(sym)
            state = nxt or 0
            node = report[state]
            while node >= 0:
                found.append((i + 1 - depth[node], i + 1, pattern[node]))
                node = next_report[node]
        return found


def leftmost_longest(found: Iterable[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Keep, from the left, the longest occurrence at each start that overlaps none kept."""
    kept: list[tuple[int, int, int]] = []
    reach = 0
    for start, end, pattern in sorted(found, key=lambda f: (f[0], -f[1])):
        if start >= reach:
            kept.append((start, end, pattern))
            reach = end
    return kept
