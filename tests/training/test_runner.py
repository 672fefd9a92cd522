"""Training from approved memory end to end: interrupted and resumed, the same model as an
uninterrupted run of the command, loaded and used by the engine; failures leave no trace."""

from __future__ import annotations

import asyncio
import errno
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from interp_service.cli import main
from interp_service.config import Settings
from interp_service.engine.cards import ModelCard, read_card, sha256_file
from interp_service.engine.fake import write_fake_model
from interp_service.engine.options import BatchingOptions
from interp_service.engine.service import Engine, promote
from interp_service.training import runner
from interp_service.training.build import next_version
from interp_service.training.dataset import read_split
from interp_service.training.errors import ResumeMismatch, StorageFull, TrainingInterrupted
from interp_service.training.evaluation import evaluate_model
from interp_service.training.request import TrainRequest
from interp_service.translation.normalise import match_key
from tests.training.conftest import AddEntries, placeholder_pairs

REQUEST = TrainRequest("cmn", "mmr", size="tiny", min_pairs=100, threads=1)


class StopAt:
    """A monitor that interrupts the run like Ctrl-C once ``step`` is reached."""

    def __init__(self, step: int) -> None:
        self.step = step
        self.total = 0

    def started(self, total_steps: int, done_steps: int) -> None:
        self.total = total_steps

    def stepped(self, step: int, loss: float) -> None:
        if step == self.step:
            raise KeyboardInterrupt

    def evaluated(self, step: int, score: float, best: float) -> None:
        pass


def prepared(app: FastAPI, request: TrainRequest = REQUEST) -> runner.Prepared:
    with app.state.services.session_factory() as session:
        return runner.prepare(session, request)


def translate(root: Path, card: ModelCard, texts: list[str]) -> list[str]:
    async def run() -> list[str]:
        engine = Engine([root], BatchingOptions(replicas=1))
        promote(root, card)
        await engine.refresh()
        model = await engine.model_for("cmn", "mmr")
        assert model is not None and model.card.version == card.version
        out = [(await model.translate(text))[0].text for text in texts]
        await engine.close()
        return out

    return asyncio.run(run())


def test_interrupted_resumed_run_equals_the_command_and_serves(
    app: FastAPI,
    settings: Settings,
    add_entries: AddEntries,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_entries(placeholder_pairs())
    root = settings.trained_models_dir
    ready = prepared(app)

    with pytest.raises(TrainingInterrupted) as stopped:
        runner.train(ready, root, REQUEST, monitor=StopAt(60))
    build = stopped.value.build
    assert (build / "checkpoint" / "state.pt").is_file()
    assert not [p for p in (root / "mt").iterdir() if not p.name.startswith(".")]

    resumed = runner.train(ready, root, TrainRequest(**{**vars(REQUEST), "resume": True}))
    card = resumed.card
    assert resumed.notes == [f"resumed the interrupted training in {build}"]
    assert not build.exists() and card.folder == root / "mt" / "cmn-mmr-1"
    every = int(card.training["checkpoint_every"])
    assert card.training["resumed_from_step"] == 60 // every * every  # last checkpoint
    assert card.metrics["train_loss_last"] < card.metrics["train_loss_first"] / 10
    assert card.metrics["chrf"] > card.metrics["baseline_chrf"]
    assert card.dataset["hash"] == ready.dataset.data_hash
    for name in ("data/split.tsv", "data/train.tsv", "data/test.tsv", "data/samples.tsv"):
        assert name in card.files

    test = read_split(card.folder, "test")
    train_keys = {match_key(e.source, "cmn") for e in read_split(card.folder, "train")}
    assert test and not {match_key(e.source, "cmn") for e in test} & train_keys
    assert evaluate_model(card, test).chrf == card.metrics["chrf"]

    monkeypatch.setenv("INTERP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("INTERP_DATABASE_URL", settings.resolved_database_url)
    argv = ["train", "mt", "--source", "cmn", "--target", "mmr", "--size", "tiny"]
    assert main([*argv, "--min-pairs", "100", "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "pairs: train" in out and "cmn-mmr test (" in out and "retrieval baseline" in out
    again = read_card(root / "mt" / "cmn-mmr-2")
    assert "written to" in out and str(again.folder) in out
    for name in ("hf/model.safetensors", "ct2/model.bin", "data/test.tsv"):
        assert again.files[name] == card.files[name]  # resume changed nothing

    sources = [e.source for e in read_split(card.folder, "train")[:5]]
    targets = [e.target for e in read_split(card.folder, "train")[:5]]
    assert translate(root, card, sources) == targets


def test_full_disk_removes_the_build_and_keeps_previous_models(
    app: FastAPI, settings: Settings, add_entries: AddEntries, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_entries(placeholder_pairs())
    root = settings.trained_models_dir
    previous = write_fake_model(root, "cmn-mmr-1")
    before = {name: sha256_file(previous.folder / name) for name in previous.files}

    def full(obj: Any, path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("interp_service.engine.trainer._save", full)
    with pytest.raises(StorageFull, match="磁盘已满.*现有模型均未改动"):
        runner.train(prepared(app), root, REQUEST)
    assert [p.name for p in (root / "mt").iterdir()] == ["cmn-mmr-1"]
    assert read_card(previous.folder) == previous
    assert before == {name: sha256_file(previous.folder / name) for name in previous.files}


def test_resume_refuses_a_build_from_other_data(
    app: FastAPI, settings: Settings, add_entries: AddEntries
) -> None:
    add_entries(placeholder_pairs())
    build = settings.trained_models_dir / "mt" / ".cmn-mmr.build"
    build.mkdir(parents=True)
    (build / "run.json").write_text(json.dumps({"version": 1, "fingerprint": "other"}))
    request = TrainRequest(**{**vars(REQUEST), "resume": True})
    with pytest.raises(ResumeMismatch, match="去掉 --resume 从头训练"):
        runner.train(prepared(app), settings.trained_models_dir, request)
    assert build.is_dir()  # kept: the right options may still resume it


def test_next_version_counts_folders_and_cards(tmp_path: Path) -> None:
    mt = tmp_path / "mt"
    assert next_version(mt, "cmn-mmr") == 1
    write_fake_model(tmp_path, "cmn-mmr-3", version="1")
    (mt / "cmn-mmr-both-9").mkdir()
    assert next_version(mt, "cmn-mmr") == 4
    assert next_version(mt, "cmn-mmr-3") == 2  # the card's own name and version
