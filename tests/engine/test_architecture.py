"""Encoder and decoder depths of the models the service trains."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from interp_service.engine.ct2_backend import CTranslate2Translator
from interp_service.engine.testing import tiny_pairs, tiny_size
from interp_service.engine.training import build_model, marian_config, train_marian
from interp_service.training.request import PRESETS, TrainRequest


def test_decoder_depth_is_set_apart_from_the_encoder() -> None:
    size = dataclasses.replace(tiny_size(), layers=3, decoder_layers=1)
    config = marian_config(size, 250)
    assert (config.encoder_layers, config.decoder_layers) == (3, 1)
    model = build_model(size, 250, seed=1)
    assert len(model.model.encoder.layers) == 3 and len(model.model.decoder.layers) == 1
    same = marian_config(dataclasses.replace(size, decoder_layers=None), 250)
    assert same.decoder_layers == 3


def test_train_request_default_shape_and_override() -> None:
    default = TrainRequest("cmn", "mmr").preset
    assert (default.layers, default.decoder_layers) == (
        PRESETS["small"].layers,
        PRESETS["small"].decoder_layers,
    )
    shallow = TrainRequest("cmn", "mmr", layers=6, decoder_layers=2).preset
    assert (shallow.layers, shallow.decoder_layers) == (6, 2)
    # A request without the override fingerprints as before the field existed (--resume).
    assert "decoder_layers" not in TrainRequest("cmn", "mmr").settings()
    assert TrainRequest("cmn", "mmr", decoder_layers=2).settings()["decoder_layers"] == 2


def test_shallow_decoder_model_converts_and_serves(tmp_path: Path) -> None:
    size = dataclasses.replace(tiny_size(), layers=2, decoder_layers=1)
    card = train_marian(
        tiny_pairs(),
        tmp_path / "shallow",
        name="shallow",
        version="1",
        source_language="cmn",
        target_language="mmr",
        size=size,
        tokenizer_type="bpe",
        steps=5,
        threads=1,
    )
    config = json.loads((card.hf_folder / "config.json").read_text(encoding="utf-8"))
    assert (config["encoder_layers"], config["decoder_layers"]) == (2, 1)
    translator = CTranslate2Translator(card.ct2_folder, card.hf_folder)
    (nbest,) = translator.translate_batch(["请说明情况"], max_length=8)
    assert nbest[0].tokens >= 1
