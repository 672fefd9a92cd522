"""Glossary terms in Whisper's prompt only when asked for and only approved ones, and a span
that a prompt pulls into a decoder loop decoded again without it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bench.speech import glossary_terms
from interp_service.engine.speech.whisper_rules import looping
from interp_service.glossary.orm import Concept, Term
from interp_service.speech.models import SpeechModels
from interp_service.speech.prompt import compose, initial_prompt
from interp_service.speech.scoring import character_error_rate
from tests.speech.conftest import clip, references

LOOPING_CLIP = "aishell1_BAC009S0764W0122.wav"


def test_glossary_terms_reach_the_prompt_only_when_asked_and_only_approved(db: Session) -> None:
    concept = Concept(external_id="zz-0001", subject_field="rights")
    concept.terms = [
        Term(language="cmn", text="取保候审", status="preferred", verification="approved"),
        Term(language="cmn", text="监视居住", status="preferred", verification="unverified"),
        Term(language="cmn", text="辩护人", status="preferred", verification="approved"),
        Term(language="cmn", text="拘传", status="admitted", verification="approved"),
    ]
    db.add(concept)
    db.flush()
    assert initial_prompt(db) == ""
    assert initial_prompt(db, max_terms=40) == "术语：取保候审、辩护人。"
    assert initial_prompt(db, max_terms=1) == "术语：取保候审。"


def test_a_decoder_loop_is_recognised() -> None:
    assert looping("12线城市渲染也处于调整中。" * 20, 4.1)
    assert looping("一" * 80, 4.0)  # longer than four seconds of speech can hold
    assert not looping("一二线城市虽然也处于调整中。", 4.1)
    assert not looping("", 1.0)


def test_a_span_that_loops_with_its_prompt_is_decoded_again_without_it(
    shared_speech_models: SpeechModels,
) -> None:
    """40 terms of the shipped glossary in the prompt make Whisper base, decoding without
    timestamps, repeat this clip's sentence until its length limit; the same encoding
    decoded without the prompt reads as the clip. (Decoded with timestamps, the default,
    this clip does not loop; the guard stays for any span that does.)"""
    whisper = shared_speech_models.whisper()
    samples = clip(LOOPING_CLIP)
    seconds = samples.size / 16_000
    prompt = compose([], glossary_terms(40))
    whisper.timestamps = False
    try:
        whisper.retry_loops = False
        unguarded = whisper.recognise(samples, prompt=prompt)
        whisper.retry_loops = True
        guarded = whisper.recognise(samples, prompt=prompt)
    finally:
        whisper.retry_loops = True
        whisper.timestamps = True
    assert unguarded.text is not None and looping(unguarded.text, seconds)
    assert guarded.text is not None and not looping(guarded.text, seconds)
    assert guarded.passes == unguarded.passes + 1
    default = whisper.recognise(samples, prompt=prompt)
    assert default.text is not None and not looping(default.text, seconds)
    assert character_error_rate(guarded.text, references()[LOOPING_CLIP]) < 0.3
