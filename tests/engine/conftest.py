"""Engine fixtures: the tiny trained model is trained once per session (about 10 s)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from interp_service.engine.cards import ModelCard, read_card
from interp_service.engine.testing import train_tiny_model


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> ModelCard:
    """The tiny placeholder model, under ``<root>/mt/tiny-cmn-mmr``; treat as read-only."""
    root = tmp_path_factory.mktemp("tiny-root")
    return train_tiny_model(root / "mt" / "tiny-cmn-mmr")


@pytest.fixture
def model_copy(tiny_model: ModelCard, tmp_path: Path) -> ModelCard:
    """A private copy of the tiny model, at ``tmp_path/models/mt/tiny-cmn-mmr``."""
    folder = tmp_path / "models" / "mt" / tiny_model.folder.name
    shutil.copytree(tiny_model.folder, folder)
    return read_card(folder)
