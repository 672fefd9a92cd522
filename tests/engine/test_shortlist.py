"""The vocabulary shortlist (vmap.txt): built at training time, used when serving."""

from __future__ import annotations

import shutil
from pathlib import Path

import sentencepiece

from interp_service.engine.cards import ModelCard
from interp_service.engine.ct2_backend import CTranslate2Translator
from interp_service.engine.shortlist import VMAP_FILE, build_vmap, read_vmap_sources
from interp_service.engine.testing import NOUNS, tiny_pairs

PAIRS = tiny_pairs()


def always_on(vmap: Path) -> list[str]:
    first = vmap.read_text(encoding="utf-8").split("\n", 1)[0]
    return first.split("\t", 1)[1].split()


def test_trained_model_carries_a_shortlist_and_translates_with_it(tiny_model: ModelCard) -> None:
    assert "ct2/vmap.txt" in tiny_model.files
    head = always_on(tiny_model.ct2_folder / VMAP_FILE)
    assert {"</s>", "<t0>", "<t1>"} <= set(head)
    translator = CTranslate2Translator(tiny_model.ct2_folder, tiny_model.hf_folder)
    checked = PAIRS[::7]
    results = translator.translate_batch([source for source, _ in checked])
    assert [r[0].text for r in results] == [target for _, target in checked]
    assert (translator.shortlisted, translator.full) == (len(checked), 0)


def test_sentence_with_a_piece_unseen_by_the_shortlist_is_translated_in_full(
    tiny_model: ModelCard, tmp_path: Path
) -> None:
    spm = sentencepiece.SentencePieceProcessor(model_file=str(tiny_model.hf_folder / "source.spm"))

    def pieces(text: str) -> set[str]:
        return set(spm.encode(text, out_type=str))

    # A noun with a source piece that no other training sentence has.
    for noun, meaning in NOUNS:
        kept = [(s, t) for s, t in PAIRS if meaning not in t]
        seen = set().union(*(pieces(s) for s, _ in kept))
        if pieces(noun) - seen and len(kept) < len(PAIRS):
            break
    else:
        raise AssertionError("every noun shares its pieces with the others")
    ct2 = tmp_path / "ct2"
    shutil.copytree(tiny_model.ct2_folder, ct2)
    # A strict shortlist: nothing always on but the special tokens and placeholders.
    build_vmap(kept, tiny_model.hf_folder, ct2 / VMAP_FILE, frequent=0, per_source=3)
    assert meaning not in " ".join(always_on(ct2 / VMAP_FILE))
    assert not pieces(noun) <= read_vmap_sources(ct2 / VMAP_FILE)
    held_out = [(s, t) for s, t in PAIRS if meaning in t][:3]
    known = kept[:3]
    translator = CTranslate2Translator(ct2, tiny_model.hf_folder)
    results = translator.translate_batch([s for s, _ in held_out + known])
    assert [r[0].text for r in results] == [t for _, t in held_out + known]
    assert (translator.shortlisted, translator.full) == (len(known), len(held_out))
    # Without the shortlist every sentence goes the full way, with the same text.
    plain = CTranslate2Translator(ct2, tiny_model.hf_folder, use_vmap=False)
    again = plain.translate_batch([s for s, _ in held_out + known])
    assert [r[0].text for r in again] == [r[0].text for r in results]
    assert (plain.shortlisted, plain.full) == (0, len(held_out) + len(known))


def test_shortlist_maps_each_source_piece_to_itself_and_its_translation(
    tiny_model: ModelCard, tmp_path: Path
) -> None:
    vmap = tmp_path / VMAP_FILE
    build_vmap(PAIRS, tiny_model.hf_folder, vmap, frequent=0, per_source=4)
    spm = sentencepiece.SentencePieceProcessor(model_file=str(tiny_model.hf_folder / "source.spm"))
    rows = {
        line.split("\t")[0]: line.split("\t")[1].split()
        for line in vmap.read_text(encoding="utf-8").splitlines()[1:]
    }
    for noun, meaning in NOUNS:
        for piece in spm.encode(noun, out_type=str):
            assert piece in rows[piece]
        target = spm.encode(meaning, out_type=str)
        candidates = {c for p in spm.encode(noun, out_type=str) for c in rows[p]}
        assert set(target) & candidates, (noun, meaning)
