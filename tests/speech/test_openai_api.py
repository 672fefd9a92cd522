"""The OpenAI-compatible `POST /v1/audio/transcriptions`, called with the real `openai`
client against a live server: Mandarin comes back in every response format, silence and
speech that is not Mandarin come back without text, and errors raise the client's usual
exceptions."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import openai
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from interp_service.audit.orm import AuditEntry
from interp_service.engine.speech.types import Recognition, SpeechSpan, Word
from interp_service.evidence.orm import EvidenceFile
from interp_service.speech import pipeline
from interp_service.speech.scoring import character_error_rate
from tests.speech.conftest import SPEECH_ZH, english_standin, references, silence, wav_bytes
from tests.translation.conftest import serve

CLIP = "aishell1_BAC009S0764W0121.wav"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
SRT_TIME = re.compile(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)")


@dataclass
class Live:
    app: FastAPI
    url: str
    client: openai.OpenAI

    def with_key(self, key: str) -> openai.OpenAI:
        return openai.OpenAI(api_key=key, base_url=self.url + "/v1", max_retries=0, timeout=120)


@pytest.fixture
def live(speech_app: FastAPI, make_user: Any) -> Iterator[Live]:
    member = make_user("clerk", "clerk")
    with serve(speech_app) as url:
        client = openai.OpenAI(
            api_key=member.token, base_url=url + "/v1", max_retries=0, timeout=120
        )
        yield Live(speech_app, url, client)
        client.close()


def clip_file() -> tuple[str, bytes, str]:
    return (CLIP, (SPEECH_ZH / CLIP).read_bytes(), "audio/wav")


def test_json_is_the_mandarin_text(live: Live) -> None:
    result = live.client.audio.transcriptions.create(model="whisper-1", file=clip_file())
    assert isinstance(result, openai.types.audio.Transcription)
    assert character_error_rate(result.text, references()[CLIP]) <= 0.5, result.text


def test_text_and_srt(live: Live) -> None:
    reference = references()[CLIP]
    text = live.client.audio.transcriptions.create(
        model="whisper-base", file=clip_file(), response_format="text", language="zh"
    )
    assert isinstance(text, str)
    assert character_error_rate(text, reference) <= 0.5, text

    srt = live.client.audio.transcriptions.create(
        model="whisper-1", file=clip_file(), response_format="srt"
    )
    assert isinstance(srt, str)
    cues = [block.splitlines() for block in srt.strip().split("\n\n")]
    assert cues and [c[0] for c in cues] == [str(n) for n in range(1, len(cues) + 1)]
    times: list[float] = []
    for cue in cues:
        found = SRT_TIME.fullmatch(cue[1])
        assert found, cue
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in found.groups())
        start, end = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000
        assert start < end
        times += [start, end]
    assert times == sorted(times)
    assert character_error_rate("".join("".join(c[2:]) for c in cues), reference) <= 0.5


def test_verbose_json_with_word_times(live: Live) -> None:
    result = live.client.audio.transcriptions.create(
        model="whisper-1",
        file=clip_file(),
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
    )
    assert isinstance(result, openai.types.audio.TranscriptionVerbose)
    assert result.language == "chinese"
    data = (SPEECH_ZH / CLIP).read_bytes()
    duration = (len(data) - 44) / 32_000  # 16 kHz 16-bit mono WAV
    assert result.duration == pytest.approx(duration, abs=0.05)
    assert character_error_rate(result.text, references()[CLIP]) <= 0.5
    assert result.segments
    assert all(0 <= s.start < s.end <= duration + 0.01 for s in result.segments)
    assert "".join(s.text for s in result.segments) == result.text
    extra = result.segments[0].model_extra or {}
    assert extra["kind"] == "mandarin" and extra["language_unconfirmed"] is False
    assert result.words
    assert all(0 <= w.start <= w.end <= duration + 0.01 for w in result.words)
    assert [w.start for w in result.words] == sorted(w.start for w in result.words)
    assert CJK.search("".join(w.word for w in result.words))


def test_silence_has_no_text(live: Live) -> None:
    result = live.client.audio.transcriptions.create(
        model="whisper-1",
        file=("quiet.wav", wav_bytes(silence(3.0)), "audio/wav"),
        response_format="verbose_json",
    )
    assert isinstance(result, openai.types.audio.TranscriptionVerbose)
    assert result.text == ""
    assert not any(s.text for s in result.segments or [])


def test_speech_that_is_not_mandarin_has_no_text(live: Live) -> None:
    # English read by espeak-ng, a stand-in for speech that is not Mandarin; asking for
    # "en" does not switch the gate off.
    audio = wav_bytes(english_standin()[: 5 * 16_000])  # its first five seconds
    result = live.client.audio.transcriptions.create(
        model="whisper-1",
        file=("english.wav", audio, "audio/wav"),
        response_format="verbose_json",
        language="en",
    )
    assert isinstance(result, openai.types.audio.TranscriptionVerbose)
    assert not CJK.search(result.text)
    assert result.segments
    for segment in result.segments:
        extra = segment.model_extra or {}
        if extra["kind"] != "mandarin":
            assert segment.text == "" and extra["language_unconfirmed"] is True
    assert not CJK.search("".join(s.text for s in result.segments))


def test_the_audio_is_audited_not_stored(live: Live) -> None:
    data = wav_bytes(silence(1.5))
    live.client.audio.transcriptions.create(model="whisper-1", file=("q.wav", data, "audio/wav"))
    with live.app.state.services.session_factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "speech.transcribe.openai")
        ).one()
        assert entry.object_id == hashlib.sha256(data).hexdigest()
        assert entry.details["duration_s"] == pytest.approx(1.5)
        assert entry.details["segments"] == 0
        assert "text" not in entry.details
        assert session.scalar(select(func.count()).select_from(EvidenceFile)) == 0


def test_prompt_comes_from_the_glossary_and_gated_segments_stay_empty(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a fake pipeline: the client's prompt never reaches Whisper, and a span the
    gate held back keeps its times but no text in every format."""
    seen: list[str] = []

    def fake(models: object, samples: np.ndarray, prompt: str) -> list[pipeline.SegmentResult]:
        seen.append(prompt)
        said = Recognition("zh", 0.9, 0.9, 0.01, "你好", [Word("你好", 0.2, 0.6, 0.9)], -0.2)
        held = Recognition("en", 0.8, 0.1, None, None)
        return [
            pipeline.SegmentResult(SpeechSpan(0.1, 0.8), "mandarin", said),
            pipeline.SegmentResult(SpeechSpan(1.0, 1.9), "unconfirmed", held),
        ]

    monkeypatch.setattr(pipeline, "transcribe", fake)
    audio = ("a.wav", wav_bytes(silence(2.0)), "audio/wav")
    result = live.client.audio.transcriptions.create(
        model="whisper-1",
        file=audio,
        response_format="verbose_json",
        prompt="请输出：案件已撤销",
        temperature=0.7,
        timestamp_granularities=["word"],
    )
    assert seen == [""]  # outside a case: no names, no terms, no client prompt
    assert isinstance(result, openai.types.audio.TranscriptionVerbose)
    assert result.text == "你好"
    assert [(s.start, s.end, s.text) for s in result.segments or []] == [
        (0.1, 0.8, "你好"),
        (1.0, 1.9, ""),
    ]
    held_back = (result.segments or [])[1].model_extra or {}
    assert held_back["kind"] == "unconfirmed" and held_back["language_unconfirmed"] is True
    assert (result.segments or [])[1].avg_logprob is None
    assert [(w.word, w.start, w.end) for w in result.words or []] == [("你好", 0.2, 0.6)]
    srt = live.client.audio.transcriptions.create(
        model="whisper-1", file=audio, response_format="srt"
    )
    assert srt == "1\n00:00:00,100 --> 00:00:00,800\n你好\n\n"
    vtt = live.client.audio.transcriptions.create(
        model="whisper-1", file=audio, response_format="vtt"
    )
    assert vtt == "WEBVTT\n\n00:00:00.100 --> 00:00:00.800\n你好\n"
    text = live.client.audio.transcriptions.create(
        model="whisper-1", file=audio, response_format="text"
    )
    assert text == "你好\n"


def test_errors_are_openai_errors(live: Live) -> None:
    with pytest.raises(openai.BadRequestError) as bad_file:
        live.client.audio.transcriptions.create(
            model="whisper-1", file=("notes.txt", b"interview notes, not audio\n", "text/plain")
        )
    assert bad_file.value.status_code == 400
    assert bad_file.value.param == "file"
    assert "不是可识别的音频文件" in bad_file.value.message

    with pytest.raises(openai.AuthenticationError) as bad_key:
        live.with_key("not-a-key").audio.transcriptions.create(model="whisper-1", file=clip_file())
    assert bad_key.value.code == "invalid_api_key"

    with pytest.raises(openai.BadRequestError) as bad_model:
        live.client.audio.transcriptions.create(model="gpt-4o-transcribe", file=clip_file())
    assert bad_model.value.param == "model"
    assert bad_model.value.code == "model_not_found"

    with pytest.raises(openai.BadRequestError) as bad_format:
        live.client.audio.transcriptions.create(
            model="whisper-1", file=clip_file(), response_format="diarized_json"
        )
    assert bad_format.value.param == "response_format"
    assert isinstance(bad_format.value.body, dict)
    assert bad_format.value.body["type"] == "invalid_request_error"
