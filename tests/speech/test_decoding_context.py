"""What each span is decoded with: padded and merged spans, the previous text as context
(and when it is dropped), the case's names in the prompt, and the CER normalisation."""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from interp_service.cases.orm import Case, Party
from interp_service.engine.speech.types import Recognition, SpeechSpan
from interp_service.speech import pipeline
from interp_service.speech.context import MAX_CONTEXT_CHARS, Context, repeats
from interp_service.speech.models import SpeechModels
from interp_service.speech.prompt import initial_prompt
from interp_service.speech.scoring import character_error_rate, normalise
from interp_service.speech.spans import MAX_DECODED_S, prepare_spans
from tests.speech.conftest import clip, references, silence


def said(text: str | None, logprob: float = -0.2, compression: float = 1.0) -> Recognition:
    return Recognition("zh", 0.9, 0.9, 0.1, text, [], logprob, "m", compression)


def test_span_ends_are_padded_but_never_past_the_middle_of_a_pause() -> None:
    spans = [SpeechSpan(1.0, 2.0), SpeechSpan(2.2, 3.0), SpeechSpan(6.0, 9.9)]
    padded = prepare_spans(spans, 10.0, 0.3, 0.0)
    assert padded == [SpeechSpan(0.7, 2.1), SpeechSpan(2.1, 3.3), SpeechSpan(5.7, 10.0)]


def test_short_pauses_are_merged_within_the_longest_span() -> None:
    spans = [SpeechSpan(0.0, 5.0), SpeechSpan(5.5, 9.0), SpeechSpan(12.0, 14.0)]
    assert prepare_spans(spans, 20.0, 0.0, 1.0) == [SpeechSpan(0.0, 9.0), SpeechSpan(12.0, 14.0)]
    assert prepare_spans(spans, 20.0, 0.0, 1.0, merge_max_s=8.0) == spans
    long = [SpeechSpan(0.0, 20.0), SpeechSpan(20.2, 27.0), SpeechSpan(27.2, 30.0)]
    merged = prepare_spans(long, 30.0, 0.0, 1.0)
    assert merged == [SpeechSpan(0.0, 27.0), SpeechSpan(27.2, 30.0)]
    assert all(s.duration_s <= MAX_DECODED_S for s in merged)


def test_context_keeps_the_end_of_trusted_text_and_resets_otherwise() -> None:
    first = "".join(chr(0x4E00 + i) for i in range(100))
    second = "".join(chr(0x5000 + i) for i in range(100))
    context = Context()
    context.update(said(first))
    context.update(said(second))
    assert context.text == (first + second)[-MAX_CONTEXT_CHARS:]
    context.update(said(None))  # not Mandarin
    assert context.text == ""
    context.update(said("第一句。"))
    context.update(said("好的好的好的好的"))  # a decoder loop
    assert context.text == ""
    context.update(said("第一句。"))
    context.update(said("第二句。", logprob=-1.5))  # the model was unsure
    assert context.text == ""
    off = Context(enabled=False)
    off.update(said("第一句。"))
    assert off.text == ""
    assert repeats("啊啊啊啊") and not repeats("在市场整体从高速增长进入中高速增长区间的同时")


def test_the_case_parties_names_reach_the_prompt(db: Session) -> None:
    case = Case(case_number="zz-0001", title="zz-0002", opened_on=date(2026, 11, 2))
    case.parties = [
        Party(name="吴某某", role="suspect", language="mmr"),
        Party(name="zz-0003", role="witness", language="mmr"),  # no Chinese characters
    ]
    db.add(case)
    db.flush()
    assert initial_prompt(db) == ""  # no instruction: it measured worse than none
    assert initial_prompt(db, case.id) == "人名：吴某某。"


def test_prompt_and_previous_text_reach_the_decoder_tokens(
    shared_speech_models: SpeechModels,
) -> None:
    whisper = shared_speech_models.whisper()
    plain = whisper.prompt_tokens("")
    with_both = whisper.prompt_tokens("人名：吴某某。", "上一句的内容。")
    assert with_both[-len(plain) :] == plain
    tokenizer = whisper._tokenizer
    assert with_both[0] == tokenizer.sot_prev
    assert "吴某某" in tokenizer.decode(with_both[1 : -len(plain)])
    assert tokenizer.decode(with_both[1 : -len(plain)]).endswith("上一句的内容。")
    long = whisper.prompt_tokens("", "句" * 1000)
    assert len(long) < 224  # Whisper's prompt half of its 448-token context
    assert tokenizer.no_timestamps not in plain  # decoded with timestamps, window by window


def test_a_recording_transcribed_with_context_still_reads_well(
    shared_speech_models: SpeechModels,
) -> None:
    first, second = "aishell1_BAC009S0764W0121.wav", "aishell1_BAC009S0764W0122.wav"
    audio = np.concatenate([clip(first), silence(1.0), clip(second), silence(0.5)])
    assert shared_speech_models.settings.asr_condition_on_previous  # the default
    results = pipeline.transcribe(shared_speech_models, audio, "")
    assert results[1].model_text and results[0].model_text  # what the next span saw
    text = "".join(r.recognition.text or "" for r in results)
    assert character_error_rate(text, references()[first] + references()[second]) < 0.3


def test_output_punctuation_and_numbers_as_scored() -> None:
    assert pipeline.simplified("自6月底,呼和浩特市率先宣布") == "自6月底，呼和浩特市率先宣布"
    assert pipeline.simplified("version 1,2") == "version 1,2"
    assert normalise("一二线城市") == normalise("12线城市")
    assert normalise("自六月底，") == "自6月底"
    assert character_error_rate("二零一五年", "2015年") == 0.0
    assert normalise("zz-0001") == "zz0001"
