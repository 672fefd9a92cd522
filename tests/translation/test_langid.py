"""Language identification: the shipped model, edge cases, and held-out accuracy.

Held-out figures measured when the model was built (python -m bench.langid_accuracy): NTREX
lines 1000+ eng 99.8 %, White Hmong 99.7 %, zho 100 %; UDHR articles 16-30 hea, blu, cmn
100 % (30 paragraphs each); single lexicon entries mmr 91.9 %, eng 91.5 %, cmn 100 %.
The thresholds below are those figures minus a margin.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from interp_service.translation.langid import (
    LABELS,
    MODEL_PATH,
    UNKNOWN,
    EvalReport,
    Sample,
    evaluate,
    identify,
    load_model,
)
from interp_service.translation.langid_build import (
    LEXICON,
    SHARED_DATA,
    build_model,
    heldout_samples,
    training_samples,
)

needs_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"shared data missing: {SHARED_DATA}"
)

# Minimum accuracy per "source [label]" of the held-out set.
THRESHOLDS = {
    "ntrex128/newstest2019-src.eng.txt [eng]": 0.97,
    "ntrex128/newstest2019-ref.hmn.txt [hmn-other]": 0.97,
    "ntrex128/newstest2019-ref.zho-CN.txt [cmn]": 0.99,
    "udhr/udhr_hea.xml [hmn-other]": 0.9,
    "udhr/udhr_blu.xml [hmn-other]": 0.9,
    "udhr/udhr_cmn_hans.xml [cmn]": 0.95,
    f"{LEXICON} [mmr]": 0.85,  # single entries: no Xiangxi Miao sentences exist
    f"{LEXICON} [eng]": 0.85,
    f"{LEXICON} [cmn]": 0.99,
}
LABEL_THRESHOLDS = {"cmn": 0.99, "eng": 0.95, "hmn-other": 0.97, "mmr": 0.85}


@pytest.fixture(scope="module")
def heldout() -> list[Sample]:
    return heldout_samples()


@pytest.fixture(scope="module")
def report(heldout: list[Sample]) -> EvalReport:
    return evaluate(heldout)


def _errors(report: EvalReport, key: str) -> Iterator[str]:
    for sample, predicted in report.errors:
        if f"{sample.source} [{sample.label}]" == key:
            yield f"{sample.where}: {sample.text[:40]!r} -> {predicted}"


def test_shipped_model_loads_and_is_small() -> None:
    assert MODEL_PATH.stat().st_size < 2_000_000
    model = load_model()
    assert set(model.label_of.values()) == set(LABELS)
    assert len(model.logprob) > 1000


def test_empty_and_letterless_text_is_unknown() -> None:
    for text in ("", "   ", "123 456", "!?。，"):
        guess = identify(text)
        assert (guess.language, guess.confidence, guess.scores) == (UNKNOWN, 0.0, {})


def test_han_text_is_chinese_at_once() -> None:
    guess = identify("威尔士国民议会议员(AM)担心")
    assert guess.language == "cmn"
    assert guess.confidence > 0.9
    assert identify("天").confidence == 1.0


def test_very_short_text_has_low_confidence() -> None:
    for text in ("a", "ok", "xy"):
        guess = identify(text)
        assert guess.confidence <= 0.5, (text, guess)
    assert identify("The suspect was informed of the right to an interpreter.").confidence > 0.99


def test_scores_are_a_distribution_over_the_labels() -> None:
    for text in ("The court", "Cov neeg", "dab blab hneb", "你好 hello"):
        guess = identify(text)
        assert set(guess.scores) == set(LABELS)
        assert sum(guess.scores.values()) == pytest.approx(1.0)
        assert 0.0 <= guess.confidence <= guess.scores[guess.language] <= 1.0


@needs_shared
def test_every_heldout_sample_names_its_source_and_none_was_trained_on(
    heldout: list[Sample],
) -> None:
    assert len(heldout) > 3000
    assert {s.label for s in heldout} == set(LABELS)
    for sample in heldout:
        assert sample.source and sample.where and sample.text.strip()
    trained = {s.text.strip().lower() for s in training_samples()}
    assert not [s for s in heldout if s.text.strip().lower() in trained]


@needs_shared
@pytest.mark.parametrize("key", sorted(THRESHOLDS))
def test_heldout_accuracy_per_source(report: EvalReport, key: str) -> None:
    tally = report.per_source[key]
    assert tally.total >= 30
    errors = list(_errors(report, key))[:10]
    assert tally.accuracy >= THRESHOLDS[key], (tally, errors)


@needs_shared
def test_heldout_accuracy_per_label_beats_the_script_baseline(
    heldout: list[Sample], report: EvalReport
) -> None:
    for label, minimum in LABEL_THRESHOLDS.items():
        assert report.per_label[label].accuracy >= minimum, (label, report.per_label[label])
    baseline = evaluate(heldout, lambda t: "cmn" if identify(t).language == "cmn" else "eng")
    assert report.overall.accuracy > baseline.overall.accuracy + 0.2


@needs_shared
def test_shipped_model_is_built_from_the_current_data() -> None:
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    rebuilt = json.loads(json.dumps(build_model(training_samples())))
    assert rebuilt == shipped, "run: python -m interp_service.translation.langid_build"
