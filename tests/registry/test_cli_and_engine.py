"""The registry from the command line, and a running engine that picks up a promotion made
by another process (the command line) through `refresh_if_changed`, without a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from interp_service.cli import main
from interp_service.config import Settings
from interp_service.engine.cards import ModelCard
from interp_service.engine.fake import FakeTranslator, write_fake_model
from interp_service.engine.service import Engine, promote
from tests.registry.conftest import audit_actions, install, other_pairs


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("INTERP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("INTERP_DATABASE_URL", settings.resolved_database_url)
    return settings


def test_cli_lists_refuses_forces_and_rolls_back(
    cli_env: Settings,
    tiny: ModelCard,
    db: Session,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = cli_env
    install(settings, tiny, "tiny-cmn-mmr-1", "1")
    install(settings, tiny, "other-cmn-mmr", "1", pairs=other_pairs(), name="other-cmn-mmr")
    engine = Engine([settings.trained_models_dir], translator_factory=lambda c: FakeTranslator())

    async def serving() -> str | None:
        await engine.refresh_if_changed()
        card = engine.promoted("cmn", "mmr")
        return f"{card.name}@{card.version}" if card else None

    assert asyncio.run(serving()) is None
    assert main(["models", "list"]) == 0
    listed = capsys.readouterr().out
    assert "tiny-cmn-mmr" in listed and "other-cmn-mmr" in listed and "2 version(s)" in listed

    assert main(["models", "promote", "other-cmn-mmr", "1"]) == 1
    refused = capsys.readouterr()
    assert "reason: 候选模型" in refused.out and "检索基线" in refused.out
    assert "was not promoted" in refused.err
    assert asyncio.run(serving()) is None

    assert main(["models", "promote", "tiny-cmn-mmr", "1"]) == 0
    assert "promoted tiny-cmn-mmr@1 for cmn-mmr: gate passed" in capsys.readouterr().out
    assert asyncio.run(serving()) == "tiny-cmn-mmr@1"

    assert main(["models", "promote", "other-cmn-mmr", "1", "--force"]) == 2
    short = main(["models", "promote", "other-cmn-mmr", "1", "--force", "--reason", "太短"])
    assert short == 1 and "至少 10 个字" in capsys.readouterr().err
    reason = "只为验证回滚流程而强制晋升此版本"
    code = main(["models", "promote", "other-cmn-mmr", "1", "--force", "--reason", reason])
    assert code == 0 and "FORCED" in capsys.readouterr().out
    assert asyncio.run(serving()) == "other-cmn-mmr@1"

    assert main(["models", "show", "other-cmn-mmr", "1"]) == 0
    shown = capsys.readouterr().out
    assert "[promoted]" in shown and reason in shown and "gate: refuse" in shown

    assert main(["models", "rollback", "--pair", "cmn-mmr"]) == 0
    assert "tiny-cmn-mmr@1 serves again" in capsys.readouterr().out
    assert asyncio.run(serving()) == "tiny-cmn-mmr@1"
    assert main(["models", "rollback", "--pair", "cmn-mmr"]) == 1
    assert "没有可恢复" in capsys.readouterr().err
    actions = [a for a, _ in audit_actions(db)]
    assert actions.count("model.promote") == 2 and "model.rollback" in actions
    asyncio.run(engine.close())


def test_refresh_if_changed_is_cheap_and_sees_another_process_promote(tmp_path: Path) -> None:
    first = write_fake_model(tmp_path, "m1")
    second = write_fake_model(tmp_path, "m2", version="2")
    engine = Engine([tmp_path], translator_factory=lambda c: FakeTranslator())

    async def scenario() -> None:
        assert await engine.refresh_if_changed() is True  # never refreshed yet
        assert await engine.refresh_if_changed() is False
        promote(tmp_path, first)  # as another process would
        assert await engine.refresh_if_changed() is True
        assert engine.promoted("cmn", "mmr") == first
        assert await engine.refresh_if_changed() is False
        promote(tmp_path, second)
        assert await engine.refresh_if_changed() is True
        model = await engine.model_for("cmn", "mmr")
        assert model is not None and model.card.version == "2"
        await engine.close()
        assert await engine.refresh_if_changed() is False

    asyncio.run(scenario())
