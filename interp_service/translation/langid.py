"""Language identification: which of Chinese, Xiangxi Miao, other Miao/Hmong or English.

Labels (`LABELS`):

- `cmn` Chinese; `eng` English;
- `mmr` Western Xiangxi Miao in the 1956 Latin orthography;
- `hmn-other` Miao/Hmong written in another orthography: White Hmong RPA, Hmong Njua
  (Chuanqiandian scheme), Northern Qiandong (hea). Not an ISO code: a group of varieties;
- `und` (ISO 639-2 "undetermined") when the text has no letter at all.

Text where Han characters dominate is `cmn` at once. Everything else goes to a multinomial
naive Bayes over character 1-4-grams (Han characters folded to one symbol, digits to 0,
lower case) plus one word feature (is each Latin word a valid Xiangxi 1956 syllable?), with
priors uniform over labels, built by `langid_build` into `data/langid.json`; only that file
is read at run time. Scores are the posterior with the summed log-likelihood divided by the
number of n-gram orders (each character sits in about four overlapping n-grams, which naive
Bayes would otherwise count four times).
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from interp_service.glossary.lexicon import orthography

__all__ = [
    "LABELS",
    "MODEL_PATH",
    "UNKNOWN",
    "EvalReport",
    "LanguageGuess",
    "LangidModel",
    "Sample",
    "Tally",
    "evaluate",
    "ngrams",
    "xiangxi_words",
    "identify",
    "load_model",
]

LABELS = ("cmn", "mmr", "hmn-other", "eng")
UNKNOWN = "und"
MODEL_PATH = Path(__file__).with_name("data") / "langid.json"
ORDERS = (1, 2, 3, 4)

_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_HAN_SYMBOL = "一"
_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
# One Han character says about as much as three Latin letters (a short syllable).
_LETTERS_PER_HAN = 3
_SHORT = 4  # fewer letters than this: confidence scaled down by letters / _SHORT


@dataclass(frozen=True)
class LanguageGuess:
    """`language` is one of LABELS or UNKNOWN; `confidence` (0..1) is the score of that
    language; `scores` gives every label's score (summing to 1), empty for UNKNOWN."""

    language: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    """A labelled text and where it came from: `source` the file (relative to the data or
    project folder), `where` the place in it (line, article and paragraph, concept)."""

    text: str
    label: str
    source: str
    where: str


class LangidModel:
    """Log-probabilities per class of the kept n-grams, as written by langid_build.

    Classes are finer than labels: `hmn-other` is three classes (White Hmong RPA, hea,
    blu), because one class for three orthographies drowns the small ones in the large one.
    """

    def __init__(self, payload: dict[str, object]) -> None:
        classes = payload["classes"]
        table = payload["ngrams"]
        scale = payload["scale"]
        assert isinstance(classes, list) and isinstance(table, dict)
        assert isinstance(scale, int | float)
        # [[class, label], ...] in the order of each n-gram's values.
        self.classes: tuple[str, ...] = tuple(str(name) for name, _ in classes)
        self.label_of: dict[str, str] = {str(name): str(label) for name, label in classes}
        prior, rates = payload["log_prior"], payload["xiangxi_rate"]
        assert isinstance(prior, list) and isinstance(rates, list)
        self.log_prior: tuple[float, ...] = tuple(v / scale for v in prior)
        self.log_valid = tuple(math.log(rate) for rate in rates)
        self.log_invalid = tuple(math.log(1.0 - rate) for rate in rates)
        self.orders = len(ORDERS)
        self.logprob: dict[str, tuple[float, ...]] = {
            gram: tuple(v / scale for v in values) for gram, values in table.items()
        }

    def posterior(self, text: str) -> dict[str, float]:
        """Tempered posterior of each label (uniform over labels; a label's score is the sum
        of its classes'); empty if no n-gram of the text is known."""
        totals = [0.0] * len(self.classes)
        known = 0
        for gram, count in ngrams(text).items():
            values = self.logprob.get(gram)
            if values is None:
                continue
            known += count
            for i, value in enumerate(values):
                totals[i] += count * value
        if not known:
            return {}
        valid, invalid = xiangxi_words(text)
        totals = [
            total / self.orders + prior + valid * yes + invalid * no
            for total, prior, yes, no in zip(
                totals, self.log_prior, self.log_valid, self.log_invalid, strict=True
            )
        ]
        top = max(totals)
        weights = [math.exp(t - top) for t in totals]
        norm = sum(weights)
        scores = dict.fromkeys(LABELS, 0.0)
        for name, weight in zip(self.classes, weights, strict=True):
            scores[self.label_of[name]] += weight / norm
        return scores


def ngrams(text: str) -> Counter[str]:
    """Character 1-4-grams of the prepared text: NFC, full-width to ASCII, lower case, Han
    characters as one symbol, digits as 0, whitespace runs as one space, padded by spaces."""
    prepared = unicodedata.normalize("NFC", text).translate(_FULL_WIDTH).lower()
    prepared = _DIGITS.sub("0", _HAN.sub(_HAN_SYMBOL, prepared))
    prepared = " " + _SPACES.sub(" ", prepared).strip() + " "
    out: Counter[str] = Counter()
    for n in ORDERS:
        for i in range(len(prepared) - n + 1):
            gram = prepared[i : i + n]
            if gram.strip():
                out[gram] += 1
    return out


def xiangxi_words(text: str) -> tuple[int, int]:
    """(valid, invalid) counts of the text's Latin words as Xiangxi 1956 syllables, after the
    orthography's normalisation (so tone numbers count as tone letters)."""
    valid = invalid = 0
    for token in orthography.tokens(orthography.normalise(text)):
        if token.isascii() and token.isalpha():
            if orthography.check_syllable(token).ok:
                valid += 1
            else:
                invalid += 1
    return valid, invalid


@functools.cache
def load_model(path: Path = MODEL_PATH) -> LangidModel:
    """The model in `path` (default: the shipped data/langid.json), read once."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(payload, dict):
        raise ValueError(f"{path}: not a langid model")
    return LangidModel(payload)


def identify(text: str, model: LangidModel | None = None) -> LanguageGuess:
    """Guess the language of `text`.

    UNKNOWN with confidence 0 when it has no letters (or none of its n-grams is known).
    `cmn` when Han characters, each weighed as three letters, are at least half the
    letters; its confidence is their share. Otherwise naive Bayes; under four letters the
    confidence is scaled down by letters / 4, so "a" or "ok" never comes out sure.
    """
    letters = sum(ch.isalpha() for ch in text)
    if not letters:
        return LanguageGuess(UNKNOWN, 0.0, {})
    han = len(_HAN.findall(text))
    latin = letters - han
    if han and han * _LETTERS_PER_HAN >= latin:
        share = han * _LETTERS_PER_HAN / (han * _LETTERS_PER_HAN + latin)
        rest = (1.0 - share) / (len(LABELS) - 1)
        return LanguageGuess("cmn", share, {k: share if k == "cmn" else rest for k in LABELS})
    scores = (model or load_model()).posterior(text)
    if not scores:
        return LanguageGuess(UNKNOWN, 0.0, {})
    best = max(scores, key=scores.__getitem__)
    confidence = scores[best] * min(1.0, letters / _SHORT)
    return LanguageGuess(best, confidence, scores)


@dataclass
class Tally:
    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def add(self, ok: bool) -> None:
        self.correct += ok
        self.total += 1


@dataclass
class EvalReport:
    """Accuracy overall, per gold label and per source file and label (`"file [label]"`);
    `confusion[(gold, predicted)]` counts; `errors` lists every misclassified sample with
    what was predicted."""

    overall: Tally = field(default_factory=Tally)
    per_label: dict[str, Tally] = field(default_factory=dict)
    per_source: dict[str, Tally] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[tuple[Sample, str]] = field(default_factory=list)


def _identify_label(text: str) -> str:
    return identify(text).language


def evaluate(
    samples: Iterable[Sample], classify: Callable[[str], str] = _identify_label
) -> EvalReport:
    """Score `classify` (default: `identify`) on labelled samples."""
    report = EvalReport()
    for sample in samples:
        predicted = classify(sample.text)
        ok = predicted == sample.label
        report.overall.add(ok)
        report.per_label.setdefault(sample.label, Tally()).add(ok)
        report.per_source.setdefault(f"{sample.source} [{sample.label}]", Tally()).add(ok)
        report.confusion[(sample.label, predicted)] += 1
        if not ok:
            report.errors.append((sample, predicted))
    return report
