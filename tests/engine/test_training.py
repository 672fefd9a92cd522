"""Training a tiny model, both backends, conversion and the written card."""

from __future__ import annotations

from pathlib import Path

import pytest
import sentencepiece

from interp_service.engine.backends import Translator
from interp_service.engine.cards import ModelCard, read_card
from interp_service.engine.convert import convert_to_ct2
from interp_service.engine.ct2_backend import CTranslate2Translator
from interp_service.engine.hf_backend import TransformersTranslator
from interp_service.engine.placeholders import all_placeholders
from interp_service.engine.testing import tiny_pairs
from interp_service.engine.training import train_marian, train_sentencepiece

PAIRS = tiny_pairs()
# Training sources with and without placeholders, from different frames.
CHECKED = [PAIRS[i] for i in (0, 18, 19, 25, 57, 139, 199)]


def backend(card: ModelCard, name: str) -> Translator:
    if name == "transformers":
        return TransformersTranslator(card.hf_folder)
    if name == "transformers-int8":
        return TransformersTranslator(card.hf_folder, int8=True)
    return CTranslate2Translator(card.ct2_folder, card.hf_folder)


def test_training_loss_falls(tiny_model: ModelCard) -> None:
    metrics = tiny_model.metrics
    assert metrics["train_pairs"] == len(PAIRS)
    assert metrics["train_loss_last"] < metrics["train_loss_first"] / 20


def test_card_of_trained_model_lists_every_file(tiny_model: ModelCard) -> None:
    card = read_card(tiny_model.folder)
    assert card == tiny_model
    assert (card.task, card.source_language, card.target_language) == ("mt", "cmn", "mmr")
    for name in ("hf/model.safetensors", "hf/source.spm", "hf/vocab.json", "ct2/model.bin"):
        assert name in card.files
    leftovers = [p.name for p in card.folder.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


@pytest.mark.parametrize("name", ["transformers", "transformers-int8", "ctranslate2"])
def test_backends_reproduce_training_targets_with_placeholders(
    tiny_model: ModelCard, name: str
) -> None:
    translator = backend(tiny_model, name)
    results = translator.translate_batch([source for source, _ in CHECKED])
    assert [r[0].text for r in results] == [target for _, target in CHECKED]
    assert "<t0>" in results[1][0].text and "<t1>" in results[2][0].text
    for nbest in results:
        assert len(nbest) == 1
        assert nbest[0].tokens > 0
        assert nbest[0].score <= 0


@pytest.mark.parametrize("name", ["transformers", "ctranslate2"])
def test_beam_search_returns_n_distinct_hypotheses_best_first(
    tiny_model: ModelCard, name: str
) -> None:
    translator = backend(tiny_model, name)
    source, target = CHECKED[1]
    (nbest,) = translator.translate_batch([source], beam_size=4, num_hypotheses=3)
    assert len(nbest) == 3
    assert nbest[0].text == target
    assert len({h.text for h in nbest}) == 3
    assert [h.score for h in nbest] == sorted((h.score for h in nbest), reverse=True)


def test_both_backends_score_alike(tiny_model: ModelCard) -> None:
    sources = [source for source, _ in CHECKED]
    reference = TransformersTranslator(tiny_model.hf_folder).translate_batch(sources)
    served = CTranslate2Translator(tiny_model.ct2_folder, tiny_model.hf_folder).translate_batch(
        sources
    )
    for ref, ct2 in zip(reference, served, strict=True):
        assert ref[0].tokens == ct2[0].tokens
        assert ref[0].score == pytest.approx(ct2[0].score, abs=0.05)


def test_forced_output_length(tiny_model: ModelCard) -> None:
    translator = CTranslate2Translator(tiny_model.ct2_folder, tiny_model.hf_folder)
    (nbest,) = translator.translate_batch([CHECKED[0][0]], min_length=12, max_length=12)
    assert nbest[0].tokens == 12


def test_float32_conversion_translates_the_same(tiny_model: ModelCard, tmp_path: Path) -> None:
    out = convert_to_ct2(tiny_model.hf_folder, tmp_path / "ct2-f32", quantization="float32")
    assert (out / "model.bin").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["ct2-f32"]
    translator = CTranslate2Translator(out, tiny_model.hf_folder, compute_type="float32")
    results = translator.translate_batch([source for source, _ in CHECKED])
    assert [r[0].text for r in results] == [target for _, target in CHECKED]
    with pytest.raises(FileExistsError):
        convert_to_ct2(tiny_model.hf_folder, out)


def test_sentencepiece_vocabulary_is_clipped_and_keeps_placeholders_whole() -> None:
    texts = [text for pair in PAIRS for text in pair]
    model = sentencepiece.SentencePieceProcessor(
        model_proto=train_sentencepiece(texts, 5000, "unigram")
    )
    assert 20 < model.get_piece_size() < 5000
    for token in all_placeholders():
        assert model.encode(f"请说明{token}的情况", out_type=str).count(token) == 1


def test_failed_training_leaves_no_folder(tmp_path: Path) -> None:
    def stop(step: int, loss: float) -> None:
        raise KeyboardInterrupt

    out = tmp_path / "mt" / "interrupted"
    with pytest.raises(KeyboardInterrupt):
        train_marian(
            PAIRS[:20],
            out,
            name="x",
            version="1",
            source_language="cmn",
            target_language="mmr",
            threads=1,
            on_step=stop,
        )
    assert list((tmp_path / "mt").iterdir()) == []


def test_training_refuses_an_existing_folder(tiny_model: ModelCard) -> None:
    with pytest.raises(FileExistsError):
        train_marian(
            PAIRS,
            tiny_model.folder,
            name="x",
            version="1",
            source_language="cmn",
            target_language="mmr",
        )
