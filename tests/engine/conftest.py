"""Engine fixtures: private copies of the session's tiny model (``tiny_model``, trained
once per run in tests/conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from interp_service.engine.cards import ModelCard, read_card


@pytest.fixture
def model_copy(tiny_model: ModelCard, tmp_path: Path) -> ModelCard:
    """A private copy of the tiny model, at ``tmp_path/models/mt/tiny-cmn-mmr``."""
    folder = tmp_path / "models" / "mt" / tiny_model.folder.name
    shutil.copytree(tiny_model.folder, folder)
    return read_card(folder)
