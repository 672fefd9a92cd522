"""The Engine facade: promotion, refresh without restart, failures reported, not fatal."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from pathlib import Path

import pytest

from interp_service.engine.backends import Translator
from interp_service.engine.cards import ModelCard, read_card, write_card
from interp_service.engine.errors import EngineClosed
from interp_service.engine.fake import FakeTranslator, write_fake_model
from interp_service.engine.options import BatchingOptions
from interp_service.engine.service import Engine, promote, read_promoted
from interp_service.engine.testing import tiny_pairs

SOURCE, TARGET = tiny_pairs()[19]  # 请说明<t1>的情况 → zz-0001 zz-0002 <t1> zz-0003


def test_promoted_model_is_served_and_a_new_promotion_is_picked_up(
    model_copy: ModelCard,
) -> None:
    root = model_copy.folder.parent.parent
    second = root / "mt" / "tiny-cmn-mmr-v2"
    shutil.copytree(model_copy.folder, second)
    second_card = write_card(dataclasses.replace(read_card(second), version="2"))

    async def scenario() -> None:
        engine = Engine([root], BatchingOptions(replicas=2))
        await engine.refresh()
        assert await engine.model_for("cmn", "mmr") is None  # nothing promoted yet
        promote(root, model_copy)
        await engine.refresh()
        first = await engine.model_for("cmn", "mmr")
        assert first is not None and first.card.version == "1"
        assert (await first.translate(SOURCE))[0].text == TARGET
        assert await engine.model_for("mmr", "cmn") is None

        promote(root, second_card)
        await engine.refresh()  # no restart
        current = await engine.model_for("cmn", "mmr")
        assert current is not None and current.card.version == "2"
        assert (await current.translate(SOURCE))[0].text == TARGET
        assert first.batcher.closed
        with pytest.raises(EngineClosed):
            await first.translate(SOURCE)
        status = engine.status()
        assert [(m["pair"], m["version"], m["loaded"]) for m in status["models"]] == [
            ("cmn-mmr", "2", True)
        ]
        assert status["models"][0]["stats"]["requests"] == 1
        await engine.close()

    asyncio.run(scenario())


def test_refresh_keeps_a_loaded_model_that_did_not_change(tmp_path: Path) -> None:
    promote(tmp_path, write_fake_model(tmp_path, "m1"))

    async def scenario() -> None:
        engine = Engine([tmp_path], translator_factory=lambda card: FakeTranslator())
        await engine.refresh()
        model = await engine.model_for("cmn", "mmr")
        await engine.refresh()
        assert await engine.model_for("cmn", "mmr") is model
        assert model is not None and not model.batcher.closed
        assert (await model.translate("zz-0001 <t0>"))[0].text == "<t0> ZZ-0001"
        await engine.close()

    asyncio.run(scenario())


def test_broken_folders_and_bad_pointers_are_reported_and_the_engine_stays_up(
    tmp_path: Path,
) -> None:
    good = write_fake_model(tmp_path, "good")
    broken = write_fake_model(tmp_path, "broken", source_language="mmr", target_language="cmn")
    promote(tmp_path, good)
    promote(tmp_path, broken)
    (broken.folder / "ct2" / "model.bin").write_text("half-written")
    (tmp_path / "mt" / "no-card").mkdir()

    async def scenario() -> None:
        engine = Engine([tmp_path], translator_factory=lambda card: FakeTranslator())
        await engine.refresh()
        status = engine.status()
        failed = {Path(f["folder"]).name: f["error"] for f in status["failures"]}
        assert set(failed) == {"broken", "no-card"}
        assert "ct2/model.bin 与 card.toml 记录的 SHA-256 不符" in failed["broken"]
        assert [m["pair"] for m in status["models"]] == ["cmn-mmr"]
        assert await engine.model_for("mmr", "cmn") is None
        assert await engine.model_for("cmn", "mmr") is not None
        await engine.close()

    asyncio.run(scenario())


def test_a_model_that_fails_to_load_is_recorded_and_retried_only_after_refresh(
    tmp_path: Path,
) -> None:
    promote(tmp_path, write_fake_model(tmp_path, "m1"))
    attempts: list[str] = []

    def failing(card: ModelCard) -> Translator:
        attempts.append(card.name)
        if len(attempts) <= 2:
            raise RuntimeError("cannot map model.bin")
        return FakeTranslator()

    async def scenario() -> None:
        engine = Engine([tmp_path], BatchingOptions(replicas=1), translator_factory=failing)
        await engine.refresh()
        assert await engine.model_for("cmn", "mmr") is None
        assert await engine.model_for("cmn", "mmr") is None
        assert attempts == ["m1"]
        assert "cannot map model.bin" in engine.status()["failures"][0]["error"]
        await engine.refresh()
        assert await engine.model_for("cmn", "mmr") is None  # second attempt fails too
        await engine.refresh()
        assert await engine.model_for("cmn", "mmr") is not None
        assert engine.status()["failures"] == []
        await engine.close()

    asyncio.run(scenario())


def test_promote_rewrites_the_pointer_file(tmp_path: Path) -> None:
    first = write_fake_model(tmp_path, "a")
    other = write_fake_model(tmp_path, "b", source_language="mmr", target_language="cmn")
    promote(tmp_path, first)
    promote(tmp_path, other)
    assert read_promoted(tmp_path) == {"cmn-mmr": "a", "mmr-cmn": "b"}
    with pytest.raises(ValueError):
        promote(tmp_path / "elsewhere", first)


def test_real_models_load_through_the_default_backend_with_two_replicas(
    model_copy: ModelCard,
) -> None:
    root = model_copy.folder.parent.parent
    promote(root, model_copy)
    pairs = tiny_pairs()[:40]

    async def scenario() -> None:
        engine = Engine([root], BatchingOptions(replicas=2, max_batch_size=8))
        await engine.refresh()
        model = await engine.model_for("cmn", "mmr")
        assert model is not None
        results = await asyncio.gather(*(model.translate(source) for source, _ in pairs))
        assert [r[0].text for r in results] == [target for _, target in pairs]
        stats = engine.status()["models"][0]["stats"]
        assert stats["requests"] == 40 and stats["replicas"] == 2
        await engine.close()

    asyncio.run(scenario())
