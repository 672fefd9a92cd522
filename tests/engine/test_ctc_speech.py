"""CTC speech models: a card-verified wav2vec2 folder loads offline and transcribes, and a
corrupt, incomplete or foreign folder is refused before anything is loaded.

The models are tiny wav2vec2 networks with random weights over a placeholder vocabulary of
ASCII letters, built by the test; their transcripts mean nothing."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from interp_service.engine.errors import ModelLoadError
from interp_service.engine.fake import write_fake_model
from interp_service.engine.speech.ctc import (
    CtcRecognizer,
    CtcResult,
    read_ctc_card,
    scan_ctc_models,
    write_ctc_card,
)

VOCAB = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4, "a": 5, "b": 6, "c": 7, "d": 8}
LETTERS = {"a", "b", "c", "d"}
SECOND = (0.5 * np.sin(2 * np.pi * 220 * np.arange(16_000) / 16_000)).astype(np.float32)


def build_tiny_ctc(folder: Path, *, favour: str | None = None, rate: int = 16_000) -> Path:
    """Save a tiny random Wav2Vec2ForCTC and its processor under ``folder/hf`` and write the
    card; with ``favour``, every frame's output is that letter."""
    import torch
    import transformers

    hf: Any = transformers  # its tokenizer and processor constructors are untyped

    vocab_file = folder.parent / f"{folder.name}.vocab.json"
    vocab_file.write_text(json.dumps(VOCAB))
    tokenizer = hf.Wav2Vec2CTCTokenizer(str(vocab_file))
    extractor = hf.Wav2Vec2FeatureExtractor(sampling_rate=rate, return_attention_mask=False)
    config = hf.Wav2Vec2Config(
        vocab_size=len(VOCAB),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        conv_dim=(8, 8),
        conv_kernel=(10, 4),
        conv_stride=(5, 4),
        num_conv_pos_embeddings=8,
        num_conv_pos_embedding_groups=2,
        pad_token_id=VOCAB["<pad>"],
    )
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = hf.Wav2Vec2ForCTC(config)
    if favour is not None:
        with torch.no_grad():
            model.lm_head.weight.zero_()
            model.lm_head.bias.zero_()
            model.lm_head.bias[VOCAB[favour]] = 20.0
    model.save_pretrained(folder / "hf")
    hf.Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(
        folder / "hf"
    )
    write_ctc_card(
        folder,
        folder.name,
        "1",
        "mmr",
        "xiangxi-west",
        licence="test only",
        source="random weights built by the test",
        metrics={"cer": 1.0},
    )
    return folder


@pytest.fixture(scope="module")
def tiny_ctc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The random tiny model's folder; treat as read-only."""
    return build_tiny_ctc(tmp_path_factory.mktemp("ctc") / "tiny-ctc")


@pytest.fixture
def ctc_copy(tiny_ctc: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "asr" / tiny_ctc.name
    shutil.copytree(tiny_ctc, folder)
    return folder


def test_card_reads_back_with_what_the_model_hears(tiny_ctc: Path) -> None:
    card = read_ctc_card(tiny_ctc)
    assert (card.task, card.language, card.variety) == ("asr-ctc", "mmr", "xiangxi-west")
    assert (card.name, card.version, card.metrics) == ("tiny-ctc", "1", {"cer": 1.0})
    assert {"hf/config.json", "hf/model.safetensors", "hf/vocab.json"} <= set(card.files)
    assert all(len(digest) == 64 for digest in card.files.values())


def test_second_of_audio_becomes_text_of_vocabulary_letters(tiny_ctc: Path) -> None:
    recognizer = CtcRecognizer(tiny_ctc)
    result = recognizer.transcribe(SECOND)
    assert result.text, "the seeded random model emits letters for this input"
    assert set(result.text) <= LETTERS | {" "}, result.text
    assert result.text == result.text.strip() and "  " not in result.text
    assert 0.0 < result.confidence <= 1.0
    assert recognizer.transcribe(SECOND) == result
    assert recognizer.name == "tiny-ctc 1"


def test_a_letter_every_frame_collapses_to_one_confident_letter(tmp_path: Path) -> None:
    recognizer = CtcRecognizer(build_tiny_ctc(tmp_path / "only-b", favour="b"))
    result = recognizer.transcribe(SECOND)
    assert result.text == "b"
    assert result.confidence > 0.99


def test_blank_keeps_doubled_letters_and_specials_are_dropped(tiny_ctc: Path) -> None:
    import torch

    path = ["a", "a", "<pad>", "a", "|", "|", "b", "<s>", "b", "</s>", "<unk>", "|", "c", "<pad>"]
    logits = torch.full((1, len(path), len(VOCAB)), -10.0)
    for frame, token in enumerate(path):
        logits[0, frame, VOCAB[token]] = 10.0
    recognizer = CtcRecognizer(tiny_ctc)
    model: Any = recognizer._model
    model.forward = lambda values: SimpleNamespace(logits=logits)
    result = recognizer.transcribe(SECOND)
    assert result.text == "aa bb c"
    assert result.confidence > 0.99


def test_too_short_or_malformed_audio(tiny_ctc: Path) -> None:
    recognizer = CtcRecognizer(tiny_ctc)
    assert recognizer.transcribe(np.zeros(8, dtype=np.float32)) == CtcResult("", 0.0)
    with pytest.raises(ValueError, match="1-D"):
        recognizer.transcribe(np.zeros((2, 16_000), dtype=np.float32))
    with pytest.raises(ValueError, match="finite"):
        recognizer.transcribe(np.full(16_000, np.nan, dtype=np.float32))


def test_concurrent_calls_give_the_serial_answers(tiny_ctc: Path) -> None:
    recognizer = CtcRecognizer(tiny_ctc)
    inputs = [SECOND[: 4_000 * i] * scale for i, scale in ((4, 1.0), (2, 0.3), (3, -0.7))]
    expected = [recognizer.transcribe(audio) for audio in inputs]
    results: list[CtcResult | None] = [None] * len(inputs)

    def work(i: int) -> None:
        for _ in range(2):
            results[i] = recognizer.transcribe(inputs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected


def test_loads_offline_without_touching_the_network(
    tiny_ctc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access: {args}")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert set(CtcRecognizer(tiny_ctc).transcribe(SECOND).text) <= LETTERS | {" "}


def test_flipped_byte_in_the_weights_is_refused(ctc_copy: Path, tiny_ctc: Path) -> None:
    weights = ctc_copy / "hf" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x01
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match="hf/model.safetensors does not match its SHA-256"):
        CtcRecognizer(ctc_copy)
    cards, refused = scan_ctc_models([tiny_ctc, ctc_copy])
    assert [card.folder for card in cards] == [tiny_ctc]
    assert [folder for folder, _ in refused] == [ctc_copy]
    assert "model.safetensors does not match" in refused[0][1]


def test_missing_file_is_refused(ctc_copy: Path) -> None:
    (ctc_copy / "hf" / "vocab.json").unlink()
    with pytest.raises(ModelLoadError, match="hf/vocab.json is missing"):
        CtcRecognizer(ctc_copy)


def test_unlisted_file_is_refused(ctc_copy: Path) -> None:
    (ctc_copy / "hf" / "pytorch_model.bin").write_bytes(b"not to be unpickled")
    with pytest.raises(ModelLoadError, match="unlisted file.*hf/pytorch_model.bin"):
        read_ctc_card(ctc_copy)


def test_pickled_weights_get_no_card_and_do_not_load(ctc_copy: Path) -> None:
    hf = ctc_copy / "hf"
    (hf / "model.safetensors").rename(hf / "pytorch_model.bin")
    card_before = (ctc_copy / "card.toml").read_text()
    with pytest.raises(ModelLoadError, match="does not list required.*model.safetensors"):
        write_ctc_card(ctc_copy, "tiny-ctc", "2", "mmr", "xiangxi-west", licence="x", source="y")
    assert (ctc_copy / "card.toml").read_text() == card_before
    with pytest.raises(ModelLoadError, match="hf/model.safetensors is missing"):
        CtcRecognizer(ctc_copy)


def test_model_for_another_sample_rate_is_refused(tmp_path: Path) -> None:
    folder = build_tiny_ctc(tmp_path / "eight-k", rate=8_000)
    with pytest.raises(ModelLoadError, match="8000 Hz"):
        CtcRecognizer(folder)


def test_scan_refuses_folders_without_a_ctc_card_and_skips_partial_ones(
    ctc_copy: Path, tmp_path: Path
) -> None:
    bare = tmp_path / "asr" / "bare"
    (bare / "hf").mkdir(parents=True)
    partial = tmp_path / "asr" / ".tiny-ctc.build"
    shutil.copytree(ctc_copy, partial)
    translation = write_fake_model(tmp_path, "mt-model").folder
    cards, refused = scan_ctc_models([bare, partial, ctc_copy, translation])
    assert [card.folder for card in cards] == [ctc_copy]
    reasons = dict(refused)
    assert set(reasons) == {bare, translation}
    assert "card.toml is missing" in reasons[bare]
    assert "card task is 'mt'" in reasons[translation]
    with pytest.raises(ModelLoadError, match="card.toml is missing"):
        CtcRecognizer(bare)
