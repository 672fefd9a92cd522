"""A model trained on both directions is promoted and served for both, with its target
tag put before each source; an input longer than the model's position table is cut
instead of failing."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from interp_service.engine.cards import ModelCard, write_card
from interp_service.engine.ct2_backend import CTranslate2Translator
from interp_service.engine.fake import FakeTranslator, fake_translation, write_fake_model
from interp_service.engine.options import BatchingOptions
from interp_service.engine.service import Engine, promote, read_promoted


def test_both_direction_model_serves_both_pairs_with_tags(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "cmn-mmr-both-1")
    both = write_card(
        dataclasses.replace(
            card,
            directions=("cmn-mmr", "mmr-cmn"),
            target_tags={"cmn": "<2cmn>", "mmr": "<2mmr>"},
        )
    )
    promote(tmp_path, both)
    assert read_promoted(tmp_path) == {"cmn-mmr": both.folder.name, "mmr-cmn": both.folder.name}
    fakes: list[FakeTranslator] = []

    def factory(_: ModelCard) -> FakeTranslator:
        fakes.append(FakeTranslator())
        return fakes[-1]

    async def run() -> tuple[str, str]:
        engine = Engine([tmp_path], BatchingOptions(replicas=1), translator_factory=factory)
        await engine.refresh()
        assert engine.failures == []
        to_miao = await engine.model_for("cmn", "mmr")
        to_chinese = await engine.model_for("mmr", "cmn")
        assert to_miao is not None and to_chinese is not None
        a = (await to_miao.translate("zz-0001 zz-0002"))[0].text
        b = (await to_chinese.translate("zz-0003"))[0].text
        await engine.close()
        return a, b

    a, b = asyncio.run(run())
    assert a == fake_translation("<2mmr> zz-0001 zz-0002")
    assert b == fake_translation("<2cmn> zz-0003")
    sent = [text for fake in fakes for call in fake.calls for text in call.texts]
    assert sorted(sent) == ["<2cmn> zz-0003", "<2mmr> zz-0001 zz-0002"]


def test_overlong_input_is_cut_not_fatal(tiny_model: ModelCard) -> None:
    translator = CTranslate2Translator(tiny_model.ct2_folder, tiny_model.hf_folder)
    long_text = "请说明证人的情况" * 200  # far beyond the tiny model's position table
    assert translator.codec.count(long_text) > translator.max_positions
    [[best]] = translator.translate_batch([long_text], max_length=1000)
    assert best.tokens < translator.max_positions
