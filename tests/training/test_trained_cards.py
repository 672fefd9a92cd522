"""The card of a trained model: detail tables, both directions, and the data/ folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from interp_service.engine.cards import read_card, write_card
from interp_service.engine.errors import ModelLoadError
from interp_service.engine.fake import write_fake_model


def test_detail_tables_directions_and_data_files_round_trip(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "cmn-mmr-both-1")
    (card.folder / "data").mkdir()
    (card.folder / "data" / "test.tsv").write_text("source_language\n")
    both = dataclasses.replace(
        card,
        directions=("cmn-mmr", "mmr-cmn"),
        target_tags={"cmn": "<2cmn>", "mmr": "<2mmr>"},
        size={"d_model": 128, "dropout": 0.0, "preset": "tiny"},
        training={"seed": 1, "stopped": "early-stopped", "learning_rate": 0.002},
        dataset={"hash": "ab" * 32, "test": 20, "resumed": False},
        metrics={"chrf": 41.5, "mmr-cmn/chrf": 30.25},
    )
    written = write_card(both)
    assert "data/test.tsv" in written.files
    again = read_card(card.folder)
    assert again == written
    assert again.pairs == ("cmn-mmr", "mmr-cmn")
    assert again.source_prefix("cmn") == "<2cmn> " and card.source_prefix("cmn") == ""
    assert isinstance(again.size["d_model"], int) and again.dataset["resumed"] is False


def test_unlisted_or_changed_data_files_are_refused(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "m1")
    (card.folder / "data").mkdir()
    (card.folder / "data" / "test.tsv").write_text("x\n")
    with pytest.raises(ModelLoadError, match="未列出的文件"):
        read_card(card.folder)
    write_card(card)
    (card.folder / "data" / "test.tsv").write_text("y\n")
    with pytest.raises(ModelLoadError, match="data/test.tsv 与 card.toml 记录的 SHA-256 不符"):
        read_card(card.folder)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('directions = ["cmn-mmr", "mmr"]', "须列出语言对"),
        ('directions = ["mmr-cmn", "cmn-muq"]', "未包含 cmn-mmr"),
        ('directions = ["cmn-mmr", "mmr-cmn"]', "须为每个目标语言设目标标记"),
    ],
)
def test_bad_directions_are_refused(tmp_path: Path, line: str, reason: str) -> None:
    card = write_fake_model(tmp_path, "m1")
    text = (card.folder / "card.toml").read_text()
    (card.folder / "card.toml").write_text(text.replace("\n\n[metrics]", f"\n{line}\n\n[metrics]"))
    with pytest.raises(ModelLoadError, match=reason):
        read_card(card.folder)
