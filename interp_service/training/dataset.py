"""Training data: normalise, remove duplicates, split deterministically, record the split.

Pairs are normalised (``translation.normalise.normalise``, whitespace collapsed to one
space). A pair is dropped when its source match key (and, for a model trained on both
directions, its target match key) equals or nearly equals (rapidfuzz ``fuzz.ratio`` ≥ 95)
the key of a pair kept before it; memory pairs come before glossary term pairs. So no
sentence of one split turns up, even slightly changed, in another.

The split of a sentence pair is a pure function of one of its sides: bucket =
``int(sha256("<lang>\\t<match key>")[:8], 16) % 100`` of the side whose language code sorts
first (``cmn`` for cmn↔mmr), buckets 0-79 train, 80-89 dev, 90-99 test. Glossary term pairs
always train. Hashing the same side whatever the direction means that cmn→mmr, mmr→cmn and
both-direction models of a pair share one split, so no model's training pairs contain
another's test pairs, and re-running (or adding data) never moves a pair.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rapidfuzz import fuzz, process

from interp_service.memory.lookup import length_window
from interp_service.training.errors import NotEnoughData, NoTrainingData
from interp_service.translation.normalise import match_key, normalise

SPLITS = ("train", "dev", "test")
NEAR_DUPLICATE = 95.0
"""rapidfuzz ratio (0-100) of two match keys at or above which they are one sentence."""
DEFAULT_MIN_PAIRS = 200
"""Sentence pairs the training split needs by default (about 250 approved pairs in all)."""
SPLIT_RULE = (
    "bucket = sha256('<lang>\\t<match key>') % 100 of the side whose language sorts first: "
    "0-79 train, 80-89 dev, 90-99 test; glossary term pairs always train"
)
SENTENCE_ORIGINS = ("memory", "corpus")
COLUMNS = (
    "source_language",
    "source_variety",
    "source",
    "target_language",
    "target_variety",
    "target",
    "origin",
    "ref",
)


@dataclass(frozen=True)
class Example:
    """One sentence pair (or glossary term pair) in one direction. ``origin`` is
    ``memory``, ``glossary``, ``corpus`` (a benchmark file) or ``placeholder`` (a training
    copy with a glossary term replaced by ``<t0>``); ``ref`` says where it came from."""

    source: str
    target: str
    source_language: str
    target_language: str
    source_variety: str = ""
    target_variety: str = ""
    origin: str = "memory"
    ref: str = ""

    @property
    def direction(self) -> str:
        """The pair key, e.g. ``cmn-mmr``."""
        return f"{self.source_language}-{self.target_language}"

    def reversed(self) -> Example:
        """The same pair in the other direction."""
        return replace(
            self,
            source=self.target,
            target=self.source,
            source_language=self.target_language,
            target_language=self.source_language,
            source_variety=self.target_variety,
            target_variety=self.source_variety,
        )

    def canonical(self) -> Example:
        """The pair oriented from the language that sorts first."""
        return self if self.source_language <= self.target_language else self.reversed()

    @property
    def sha256(self) -> str:
        """SHA-256 hex of the canonical pair (language, text, language, text, tab-separated)."""
        c = self.canonical()
        line = f"{c.source_language}\t{c.source}\t{c.target_language}\t{c.target}"
        return hashlib.sha256(line.encode()).hexdigest()


def clean(example: Example) -> Example | None:
    """Both sides normalised for their language, on one line; None if a side is empty."""
    source = " ".join(normalise(example.source, example.source_language).split())
    target = " ".join(normalise(example.target, example.target_language).split())
    if not match_key(source, example.source_language) or not target:
        return None
    return replace(example, source=source, target=target)


def split_of(example: Example) -> str:
    """``train``, ``dev`` or ``test`` (see the module docstring)."""
    if example.origin not in SENTENCE_ORIGINS:
        return "train"
    side = example.canonical()
    key = match_key(side.source, side.source_language)
    digest = hashlib.sha256(f"{side.source_language}\t{key}".encode()).hexdigest()
    bucket = int(digest[:8], 16) % 100
    return "train" if bucket < 80 else "dev" if bucket < 90 else "test"


class NearDuplicates:
    """Match keys seen so far; ``seen(key)`` is true for a key within the threshold."""

    def __init__(self, threshold: float = NEAR_DUPLICATE) -> None:
        self.threshold = threshold
        self.keys: list[str] = []
        self.lengths: list[int] = []
        self.exact: set[str] = set()

    def seen(self, key: str) -> bool:
        if key in self.exact:
            return True
        low, high = length_window(len(key), self.threshold / 100)
        start = bisect.bisect_left(self.lengths, low)
        stop = bisect.bisect_right(self.lengths, high)
        found = process.extractOne(
            key, self.keys[start:stop], scorer=fuzz.ratio, score_cutoff=self.threshold
        )
        return found is not None

    def add(self, key: str) -> None:
        at = bisect.bisect_right(self.lengths, len(key))
        self.lengths.insert(at, len(key))
        self.keys.insert(at, key)
        self.exact.add(key)


@dataclass
class Dataset:
    """Deduplicated pairs of one language pair, oriented source → target, with splits.

    ``both``: the model learns both directions (every pair also reversed). ``extra_train``
    holds placeholder copies (training only). Counts: ``exported`` pairs read,
    ``duplicates`` exact and ``near_duplicates`` near ones removed, ``empty`` blank ones.
    """

    source_language: str
    target_language: str
    both: bool
    pairs: list[tuple[Example, str]]
    exported: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    empty: int = 0
    extra_train: list[Example] = field(default_factory=list)

    @property
    def directions(self) -> list[str]:
        """Trained directions, requested one first."""
        forward = f"{self.source_language}-{self.target_language}"
        backward = f"{self.target_language}-{self.source_language}"
        return [forward, backward] if self.both else [forward]

    def split(self, name: str) -> list[Example]:
        """One split's pairs (requested direction only), in export order."""
        return [example for example, where in self.pairs if where == name]

    def examples(self, name: str) -> list[Example]:
        """One split in every trained direction (train: with the placeholder copies)."""
        out = list(self.split(name))
        if name == "train":
            out += [e for e in self.extra_train if e.direction == self.directions[0]]
        if self.both:
            out += [e.reversed() for e in self.split(name)]
            if name == "train":
                out += [e for e in self.extra_train if e.direction == self.directions[1]]
        return out

    def counts(self) -> dict[str, int]:
        """Pairs per split, and the glossary pairs among the training ones."""
        out = {name: len(self.split(name)) for name in SPLITS}
        out["train_glossary"] = sum(1 for e in self.split("train") if e.origin == "glossary")
        out["placeholder"] = len(self.extra_train)
        return out

    @property
    def data_hash(self) -> str:
        """SHA-256 over the sorted canonical pairs (every split), one per line."""
        lines = sorted(
            "\t".join((c.source_language, c.source, c.target_language, c.target))
            for c in (e.canonical() for e, _ in self.pairs)
        )
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _direction_name(source_language: str, target_language: str, both: bool) -> str:
    arrow = "↔" if both else "→"
    return f"{source_language}{arrow}{target_language}"


def build_dataset(
    examples: Iterable[Example],
    source_language: str,
    target_language: str,
    *,
    both: bool = False,
    min_pairs: int = DEFAULT_MIN_PAIRS,
) -> Dataset:
    """Clean, deduplicate and split ``examples`` (oriented ``source_language`` →
    ``target_language``; others are reversed or skipped).

    Raises NoTrainingData when nothing is left and NotEnoughData when the training split
    holds fewer than ``min_pairs`` sentence pairs or dev or test is empty.
    """
    wanted = {(source_language, target_language), (target_language, source_language)}
    rows = [e for e in examples if (e.source_language, e.target_language) in wanted]
    rows = [e if e.source_language == source_language else e.reversed() for e in rows]
    rows.sort(key=lambda e: e.origin not in SENTENCE_ORIGINS)  # stable: sentences first
    dataset = Dataset(source_language, target_language, both, [], exported=len(rows))
    sources, targets = NearDuplicates(), NearDuplicates()
    pairs_seen: set[tuple[str, str]] = set()
    for raw in rows:
        example = clean(raw)
        if example is None:
            dataset.empty += 1
            continue
        keys = (
            match_key(example.source, source_language),
            match_key(example.target, target_language),
        )
        if keys in pairs_seen:
            dataset.duplicates += 1
            continue
        if sources.seen(keys[0]) or (both and targets.seen(keys[1])):
            dataset.near_duplicates += 1
            continue
        pairs_seen.add(keys)
        sources.add(keys[0])
        targets.add(keys[1])
        dataset.pairs.append((example, split_of(example)))
    name = _direction_name(source_language, target_language, both)
    sentences = [e for e, _ in dataset.pairs if e.origin in SENTENCE_ORIGINS]
    if not sentences and not dataset.pairs:
        raise NoTrainingData(
            f"{name}：没有可用于训练的已核准句对。请先核准这一语言对的翻译记忆句对"
            "（两个翻译方向都算）。"
        )
    in_train = sum(1 for e, s in dataset.pairs if s == "train" and e.origin in SENTENCE_ORIGINS)
    held = {s: sum(1 for e, w in dataset.pairs if w == s) for s in ("dev", "test")}
    if in_train < min_pairs or not held["dev"] or not held["test"]:
        raise NotEnoughData(
            f"{name}：已核准的句对不足，无法训练。去除 "
            f"{dataset.duplicates + dataset.near_duplicates} 条重复或近似重复的句对后，"
            f"只剩 {len(sentences)} 条（训练集 {in_train} 条，开发集 {held['dev']} 条，"
            f"测试集 {held['test']} 条）。训练集至少需要 {min_pairs} 条，也就是共约 "
            f"{-(-min_pairs * 10 // 8)} 条已核准的句对（五分之一留作开发集和测试集）；"
            "数据再少，训练出的模型不会比翻译记忆更好。请先核准更多句对。",
            min_pairs=min_pairs,
        )
    return dataset


def write_split(dataset: Dataset, folder: Path) -> list[Path]:
    """Write ``split.tsv`` (sha256, split, origin of every pair, sorted by hash) and
    ``train.tsv``, ``dev.tsv``, ``test.tsv`` (every trained direction) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = sorted((e.sha256, where, e.origin) for e, where in dataset.pairs)
    lines = ["sha256\tsplit\torigin", *("\t".join(row) for row in rows)]
    written = [folder / "split.tsv"]
    written[0].write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in SPLITS:
        written.append(write_examples(folder / f"{name}.tsv", dataset.examples(name)))
    return written


def write_examples(path: Path, examples: Sequence[Example]) -> Path:
    """Examples as a TSV file with a header (``COLUMNS``); texts hold no tab or newline."""
    lines = ["\t".join(COLUMNS)]
    for e in examples:
        values = (getattr(e, column) for column in COLUMNS)
        lines.append("\t".join(" ".join(str(v).split()) for v in values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_examples(path: Path) -> list[Example]:
    """Examples from a file written by ``write_examples``."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise ValueError(f"{path} is not a training split file")
    return [Example(**dict(zip(COLUMNS, line.split("\t"), strict=True))) for line in lines[1:]]


def read_split(model_folder: Path, name: str = "test") -> list[Example]:
    """A trained model's split (``train``, ``dev`` or ``test``) from ``<model>/data/``,
    every trained direction; filter on ``Example.direction`` for one."""
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}")
    return read_examples(Path(model_folder) / "data" / f"{name}.tsv")
