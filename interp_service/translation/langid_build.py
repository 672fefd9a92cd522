"""Build the language-identification model `data/langid.json` from the project's data.

    python -m interp_service.translation.langid_build [--shared ../shared/data]

Training and held-out samples never overlap:

- `glossaries/xiangxi-lexicon-chen2012.tsv` (cmn, eng, mmr rows) and
  `glossaries/criminal-procedure.tsv` (cmn terms, definitions and notes; eng terms): concepts
  split by a hash of `concept_id`, 80 % train, 20 % held out. No Xiangxi Miao sentences
  exist, so `mmr` is trained and tested on single lexicon entries.
- NTREX-128 (`hmn` White Hmong as `hmn-other`, `eng`, `zho-CN` as `cmn`): lines 1-999
  train, 1000 onwards held out.
- UDHR `hea` and `blu` (`hmn-other`) and `cmn_hans`: preamble and articles 1-15 train,
  articles 16-30 held out. `udhr_hms.xml` is labelled Southern Qiandong but is written in
  the Xiangxi 1956 orthography (nearly all its words parse as Xiangxi syllables, most are in
  the lexicon), so it is used for neither label; the benchmark shows what it is taken for.
- A held-out text that also occurs among the training texts is dropped.

The service only reads the JSON; ../shared/data is needed to build and to evaluate.
"""

from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import defusedxml.ElementTree as ElementTree  # type: ignore[import-untyped]

from interp_service.translation.langid import (
    LABELS,
    MODEL_PATH,
    ORDERS,
    Sample,
    ngrams,
    xiangxi_words,
)

__all__ = [
    "SHARED_DATA",
    "build_model",
    "heldout_samples",
    "main",
    "training_samples",
    "udhr_paragraphs",
]

PROJECT = Path(__file__).resolve().parents[2]
SHARED_DATA = PROJECT.parent / "shared" / "data"
LEXICON = "glossaries/xiangxi-lexicon-chen2012.tsv"
CRIMINAL_PROCEDURE = "glossaries/criminal-procedure.tsv"
NTREX = {
    "ntrex128/newstest2019-ref.zho-CN.txt": "cmn",
    "ntrex128/newstest2019-src.eng.txt": "eng",
    "ntrex128/newstest2019-ref.hmn.txt": "hmn-other",
}
NTREX_TRAIN_LINES = 999
UDHR = {
    "udhr/udhr_cmn_hans.xml": "cmn",
    "udhr/udhr_hea.xml": "hmn-other",
    "udhr/udhr_blu.xml": "hmn-other",
}
UDHR_TRAIN_ARTICLES = 15
# Model classes: a label, or a variety of `hmn-other` named after its source.
CLASSES = {
    "cmn": "cmn",
    "mmr": "mmr",
    "hmn": "hmn-other",
    "hea": "hmn-other",
    "blu": "hmn-other",
    "eng": "eng",
}
_CLASS_OF_SOURCE = {
    "ntrex128/newstest2019-ref.hmn.txt": "hmn",
    "udhr/udhr_hea.xml": "hea",
    "udhr/udhr_blu.xml": "blu",
}
HELDOUT_PERCENT = 20
ALPHA = 0.5  # additive smoothing
MIN_COUNT = 3  # n-grams seen fewer times, over all labels, are dropped
RATE_BOUNDS = (0.05, 0.95)
SCALE = 100  # log-probabilities are stored in hundredths of a nat

_UDHR_NS = "{http://efele.net/udhr}"
_SPACES = re.compile(r"\s+")


def heldout_concept(concept_id: str) -> bool:
    """Deterministic 80/20 split of glossary concepts by SHA-256 of the id."""
    digest = hashlib.sha256(concept_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELDOUT_PERCENT


def _glossary_samples(path: str) -> Iterator[tuple[bool, Sample]]:
    """(held out?, sample) for every term, and once per concept its cmn definition and note."""
    seen_concept: set[str] = set()
    with (PROJECT / path).open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            concept, language = row["concept_id"], row["language"]
            held = heldout_concept(concept)
            if language in LABELS and row["term"].strip():
                yield held, Sample(row["term"], language, path, f"line {line} ({concept} term)")
            if concept in seen_concept:
                continue
            seen_concept.add(concept)
            for column in ("definition", "note"):
                text = row[column].strip()
                if text and path == CRIMINAL_PROCEDURE:  # project-written Chinese prose
                    yield held, Sample(text, "cmn", path, f"line {line} ({concept} {column})")


def udhr_paragraphs(path: Path) -> Iterator[tuple[int, int, str]]:
    """(article number, paragraph number, text) of a UDHR XML file; the preamble is 0."""
    root = ElementTree.parse(path).getroot()
    for number, node in [(0, root.find(f"{_UDHR_NS}preamble"))] + [
        (int(a.get("number", "0")), a) for a in root.iter(f"{_UDHR_NS}article")
    ]:
        if node is None:
            continue
        for index, para in enumerate(node.iter(f"{_UDHR_NS}para"), start=1):
            text = _SPACES.sub(" ", "".join(para.itertext())).strip()
            if text:
                yield number, index, text


def _shared_samples(shared: Path) -> Iterator[tuple[bool, Sample]]:
    for name, label in NTREX.items():
        lines = (shared / name).read_text(encoding="utf-8").splitlines()
        for number, text in enumerate(lines, start=1):
            if text.strip():
                sample = Sample(text.strip(), label, name, f"line {number}")
                yield number > NTREX_TRAIN_LINES, sample
    for name, label in UDHR.items():
        for article, para, text in udhr_paragraphs(shared / name):
            where = f"article {article} para {para}" if article else f"preamble para {para}"
            yield article > UDHR_TRAIN_ARTICLES, Sample(text, label, name, where)


@functools.cache
def _split(shared: Path) -> tuple[tuple[Sample, ...], tuple[Sample, ...]]:
    train: list[Sample] = []
    held: list[Sample] = []
    for path in (LEXICON, CRIMINAL_PROCEDURE):
        for is_held, sample in _glossary_samples(path):
            (held if is_held else train).append(sample)
    for is_held, sample in _shared_samples(shared):
        (held if is_held else train).append(sample)
    seen = {s.text.strip().lower() for s in train}
    return tuple(train), tuple(s for s in held if s.text.strip().lower() not in seen)


def training_samples(shared: Path = SHARED_DATA) -> list[Sample]:
    """The samples the shipped model is trained on."""
    return list(_split(shared)[0])


def heldout_samples(shared: Path = SHARED_DATA) -> list[Sample]:
    """Held-out samples for evaluation; none of their texts is a training text."""
    return list(_split(shared)[1])


def _prior(name: str) -> float:
    """Uniform over labels, a label's share split evenly among its classes."""
    siblings = sum(label == CLASSES[name] for label in CLASSES.values())
    return 1.0 / len(LABELS) / siblings


def build_model(samples: list[Sample]) -> dict[str, object]:
    """Count n-grams per class, drop rare ones, and return the JSON payload: for each kept
    n-gram, log P(n-gram | class) per class, additively smoothed within its order."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in CLASSES}
    words: dict[str, list[int]] = {name: [0, 0] for name in CLASSES}
    for sample in samples:
        name = _CLASS_OF_SOURCE.get(sample.source, sample.label)
        assert CLASSES[name] == sample.label, sample
        counts[name].update(ngrams(sample.text))
        valid, invalid = xiangxi_words(sample.text)
        words[name][0] += valid
        words[name][1] += invalid
    # Share of a class's words that are Xiangxi syllables, kept within RATE_BOUNDS so that a
    # typo does not rule mmr out, nor one valid-looking word rule it in.
    rates = {
        name: min(max((valid + 1) / (valid + invalid + 2), RATE_BOUNDS[0]), RATE_BOUNDS[1])
        for name, (valid, invalid) in words.items()
    }
    total: Counter[str] = Counter()
    for counter in counts.values():
        total.update(counter)
    kept = sorted(g for g, c in total.items() if c >= MIN_COUNT)
    vocabulary = Counter(len(g) for g in kept)
    mass: dict[tuple[str, int], int] = defaultdict(int)
    for name, counter in counts.items():
        for gram in kept:
            mass[(name, len(gram))] += counter[gram]
    table = {
        gram: [
            round(
                SCALE
                * math.log(
                    (counts[name][gram] + ALPHA)
                    / (mass[(name, len(gram))] + ALPHA * vocabulary[len(gram)])
                )
            )
            for name in CLASSES
        ]
        for gram in kept
    }
    return {
        "format": "interp-service langid naive Bayes v1",
        "classes": [[name, label] for name, label in CLASSES.items()],
        "log_prior": [round(SCALE * math.log(_prior(name))) for name in CLASSES],
        "xiangxi_rate": [round(rates[name], 4) for name in CLASSES],
        "orders": list(ORDERS),
        "scale": SCALE,
        "alpha": ALPHA,
        "min_count": MIN_COUNT,
        "training_samples": dict(Counter(s.label for s in samples)),
        "ngrams": table,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=SHARED_DATA, help="shared data folder")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="model file to write")
    args = parser.parse_args(argv)
    samples = training_samples(args.shared)
    payload = build_model(samples)
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    table = payload["ngrams"]
    assert isinstance(table, dict)
    print(f"{args.out}: {len(table)} n-grams, {len(text.encode()) / 1e6:.2f} MB")
    print("training samples:", payload["training_samples"])


if __name__ == "__main__":
    main()
