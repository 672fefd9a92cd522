"""Model cards: a folder is accepted only when its card and files agree."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from interp_service.engine.cards import read_card, scan_cards, write_card
from interp_service.engine.errors import ModelLoadError
from interp_service.engine.fake import write_fake_model


def test_written_card_reads_back(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "m1", version="3")
    again = read_card(card.folder)
    assert again == card
    assert again.version == "3"
    assert again.pair == "cmn-mmr"
    assert set(again.files) == {
        "hf/config.json",
        "hf/source.spm",
        "ct2/model.bin",
        "ct2/config.json",
    }


def test_metrics_and_texts_round_trip(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "m1")
    odd = dataclasses.replace(
        card,
        source='exported "approved" pairs\nline two, 苗语 \\ ok',
        target_variety="western",
        metrics={"chrf": 41.25, "bleu": 12.0},
    )
    written = write_card(odd)
    again = read_card(card.folder)
    assert again == written
    assert again.source == odd.source
    assert again.metrics == {"chrf": 41.25, "bleu": 12.0}


def test_missing_card_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="缺少 card.toml"):
        read_card(tmp_path)


def test_malformed_card_is_refused(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "m1")
    (card.folder / "card.toml").write_text('task = "mt"\nname = [unclosed\n')
    with pytest.raises(ModelLoadError, match="格式有误"):
        read_card(card.folder)


def test_card_without_required_field_is_refused(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "m1")
    text = (card.folder / "card.toml").read_text()
    (card.folder / "card.toml").write_text(text.replace('licence = "test only"\n', ""))
    with pytest.raises(ModelLoadError, match="licence"):
        read_card(card.folder)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "m1")
    (card.folder / "ct2" / "model.bin").unlink()
    with pytest.raises(ModelLoadError, match="缺少文件 ct2/model.bin"):
        read_card(card.folder)


def test_changed_file_is_refused(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "m1")
    with (card.folder / "hf" / "config.json").open("a") as handle:
        handle.write("tampered\n")
    with pytest.raises(ModelLoadError, match="hf/config.json 与 card.toml 记录的 SHA-256 不符"):
        read_card(card.folder)


def test_unlisted_file_is_refused(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "m1")
    (card.folder / "ct2" / "extra.bin").write_bytes(b"\0")
    with pytest.raises(ModelLoadError, match="未列出的文件"):
        read_card(card.folder)


def test_path_outside_the_folder_is_refused(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "m1")
    text = (card.folder / "card.toml").read_text()
    (card.folder / "card.toml").write_text(text.replace('"hf/config.json"', '"../x.json"'))
    with pytest.raises(ModelLoadError, match="不在 hf/、ct2/ 或 data/ 之下"):
        read_card(card.folder)


def test_bad_language_code_is_refused(tmp_path: Path) -> None:
    card = write_fake_model(tmp_path, "m1")
    text = (card.folder / "card.toml").read_text()
    (card.folder / "card.toml").write_text(text.replace('"mmr"', '"Miao"'))
    with pytest.raises(ModelLoadError, match="ISO 639-3"):
        read_card(card.folder)


def test_scan_separates_good_and_broken_folders(tmp_path: Path) -> None:
    good = write_fake_model(tmp_path, "good")
    broken = write_fake_model(tmp_path, "broken")
    (broken.folder / "hf" / "source.spm").write_text("corrupt")
    (tmp_path / "mt" / "half-written").mkdir()
    (tmp_path / "mt" / ".training.tmp-1234").mkdir()
    cards, failures = scan_cards(tmp_path, tmp_path / "nowhere")
    assert cards == [good]
    assert [folder.name for folder, _ in failures] == ["broken", "half-written"]
    assert "SHA-256" in failures[0][1]
    assert "缺少 card.toml" in failures[1][1]
