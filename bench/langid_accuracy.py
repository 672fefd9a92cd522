"""Language identification on held-out samples, against rule baselines measured in one run.

    .venv/bin/python -m bench.langid_accuracy [--shared ../shared/data] [--errors 20]

Held-out samples (see interp_service.translation.langid_build): NTREX-128 lines 1000+,
UDHR articles 16-30 (hea, blu, cmn), 20 % of the glossary concepts (single lexicon entries
for mmr: no Xiangxi Miao sentences exist). Baselines: `script` (Han characters -> cmn, else
eng) and `orthography` (Han -> cmn; every Latin word a valid Xiangxi 1956 syllable -> mmr;
else eng). Also shown: what udhr_hms.xml (labelled Southern Qiandong, written in the
Xiangxi orthography) is taken for; it is used neither for training nor for accuracy.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from interp_service.translation.langid import (
    LABELS,
    UNKNOWN,
    EvalReport,
    evaluate,
    identify,
    xiangxi_words,
)
from interp_service.translation.langid_build import SHARED_DATA, heldout_samples, udhr_paragraphs

__all__ = ["main"]


def script_baseline(text: str) -> str:
    """Han characters present -> cmn, else eng."""
    return "cmn" if _has_han(text) else "eng"


def _has_han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def orthography_baseline(text: str) -> str:
    """Han -> cmn; all Latin words valid Xiangxi syllables -> mmr; else eng."""
    if _has_han(text):
        return "cmn"
    valid, invalid = xiangxi_words(text)
    return "mmr" if valid and not invalid else "eng"


def _row(name: str, report: EvalReport, seconds: float) -> str:
    labels = "  ".join(
        f"{label} {report.per_label[label].accuracy:6.1%}"
        for label in LABELS
        if label in report.per_label
    )
    per_ms = 1000 * seconds / max(report.overall.total, 1)
    return f"{name:<12} all {report.overall.accuracy:6.1%}  {labels}  ({per_ms:.3f} ms/text)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="langid accuracy on held-out samples")
    parser.add_argument("--shared", type=Path, default=SHARED_DATA)
    parser.add_argument("--errors", type=int, default=20, help="misclassified samples to list")
    args = parser.parse_args(argv)
    samples = heldout_samples(args.shared)
    print(f"{len(samples)} held-out samples: {dict(Counter(s.label for s in samples))}\n")

    identify("warm up")  # load the model outside the timing
    runs: dict[str, tuple[EvalReport, float]] = {}
    classifiers: dict[str, Callable[[str], str]] = {
        "naive Bayes": lambda text: identify(text).language,
        "script": script_baseline,
        "orthography": orthography_baseline,
    }
    for name, classify in classifiers.items():
        start = time.perf_counter()
        report = evaluate(samples, classify)
        runs[name] = (report, time.perf_counter() - start)
        print(_row(name, *runs[name]))

    print("\nper source (accuracy; naive Bayes / script / orthography):")
    main_report = runs["naive Bayes"][0]
    for source, tally in main_report.per_source.items():
        others = " / ".join(f"{runs[n][0].per_source[source].accuracy:6.1%}" for n in runs)
        print(f"  {source:<48} n={tally.total:<5} {others}")

    print("\nconfusion (naive Bayes; rows gold, columns predicted):")
    columns = [*LABELS, UNKNOWN]
    print(" " * 12 + "".join(f"{c:>11}" for c in columns))
    for gold in LABELS:
        cells = "".join(f"{main_report.confusion[(gold, c)]:>11}" for c in columns)
        print(f"{gold:<12}{cells}")

    hms = Counter(
        identify(text).language for _, _, text in udhr_paragraphs(args.shared / "udhr/udhr_hms.xml")
    )
    print(f"\nudhr/udhr_hms.xml (not scored), all paragraphs taken for: {dict(hms)}")

    print(f"\nfirst {args.errors} naive Bayes errors:")
    for sample, predicted in main_report.errors[: args.errors]:
        print(
            f"  {sample.label}->{predicted}  {sample.source} {sample.where}: {sample.text[:50]!r}"
        )


if __name__ == "__main__":
    main()
