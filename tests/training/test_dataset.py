"""The training dataset: cleaning, duplicates, a deterministic disjoint split, bad input."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from interp_service.training.augment import add_placeholder_copies
from interp_service.training.dataset import (
    Example,
    build_dataset,
    read_examples,
    read_split,
    split_of,
    write_split,
)
from interp_service.training.errors import NotEnoughData, NoTrainingData
from interp_service.translation.normalise import match_key
from tests.training.conftest import examples, placeholder_pairs


def keys(rows: list[Example]) -> set[str]:
    return {match_key(e.source, e.source_language) for e in rows}


def test_split_is_deterministic_disjoint_and_recorded(tmp_path: Path) -> None:
    rows = examples()
    first = build_dataset(rows, "cmn", "mmr", min_pairs=100)
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    again = build_dataset(shuffled, "cmn", "mmr", min_pairs=100)
    assert {e.sha256: s for e, s in first.pairs} == {e.sha256: s for e, s in again.pairs}
    assert first.data_hash == again.data_hash
    counts = first.counts()
    assert counts["train"] + counts["dev"] + counts["test"] == len(rows)
    assert 0.7 < counts["train"] / len(rows) < 0.9 and counts["dev"] and counts["test"]
    train, dev, test = (keys(first.split(name)) for name in ("train", "dev", "test"))
    assert not train & test and not train & dev and not dev & test

    write_split(first, tmp_path / "a" / "data")
    write_split(again, tmp_path / "b" / "data")
    split_a = (tmp_path / "a" / "data" / "split.tsv").read_text()
    assert split_a == (tmp_path / "b" / "data" / "split.tsv").read_text()
    assert read_split(tmp_path / "a", "test") == first.split("test")
    split_lines = (tmp_path / "a" / "data" / "split.tsv").read_text().splitlines()
    assert split_lines[0] == "sha256\tsplit\torigin"
    assert len(split_lines) == len(rows) + 1


def test_the_split_follows_the_chinese_side_in_either_direction() -> None:
    for example in examples()[:40]:
        assert split_of(example) == split_of(example.reversed())
    forward = build_dataset(examples(), "cmn", "mmr", min_pairs=100)
    backward = build_dataset(examples(), "mmr", "cmn", min_pairs=100)
    assert {e.sha256: s for e, s in backward.pairs} == {e.sha256: s for e, s in forward.pairs}
    assert backward.split("test")[0].source_language == "mmr"


def test_duplicates_and_near_duplicates_are_dropped() -> None:
    long = "请说明案发当天晚上你在什么地方和谁在一起做了什么事情以及几点钟回的家"
    rows = examples() + [
        Example("你认识证人吗？", "zz-0006 zz-0007 zz-1155 zz-0008", "cmn", "mmr"),  # exact
        Example(long, "zz-0300 zz-0301", "cmn", "mmr"),
        Example(long.replace("晚上", "晚间"), "zz-0302", "cmn", "mmr"),  # near (ratio ≥ 95)
        Example("  ", "zz-0303", "cmn", "mmr"),  # empty after normalising
    ]
    dataset = build_dataset(rows, "cmn", "mmr", min_pairs=100)
    assert (dataset.duplicates, dataset.near_duplicates, dataset.empty) == (1, 1, 1)
    assert len(dataset.pairs) == len(rows) - 3


def test_glossary_pairs_always_train_and_never_shadow_a_sentence() -> None:
    term = Example("被告人", "zz-9001", "cmn", "mmr", origin="glossary")
    sentence_like = Example("你认识证人吗", "zz-9002", "cmn", "mmr", origin="glossary")
    dataset = build_dataset([term, sentence_like, *examples()], "cmn", "mmr", min_pairs=100)
    glossary = [(e, s) for e, s in dataset.pairs if e.origin == "glossary"]
    assert glossary == [(term, "train")]  # the sentence-like one duplicates a memory pair


def test_placeholder_copies_teach_copying_enforced_terms() -> None:
    term = Example("证人", "zz-1155", "cmn", "mmr", origin="glossary", ref="concept:1")
    dataset = build_dataset([*examples(), term], "cmn", "mmr", min_pairs=100)
    made = add_placeholder_copies(dataset)
    with_term = [e for e in dataset.split("train") if "证人" in e.source and e.origin == "memory"]
    assert made == len(with_term) > 0
    copy = dataset.extra_train[0]
    assert "<t0>" in copy.source and "<t0>" in copy.target and "zz-1155" not in copy.target
    assert copy.origin == "placeholder"
    assert all(e.origin == "placeholder" for e in dataset.examples("train")[-made:])
    assert not [e for e in dataset.examples("test") if "<t0>" in e.source]


def test_both_directions_train_each_pair_both_ways() -> None:
    dataset = build_dataset(examples(), "cmn", "mmr", both=True, min_pairs=100)
    assert dataset.directions == ["cmn-mmr", "mmr-cmn"]
    test = dataset.examples("test")
    assert {e.direction for e in test} == {"cmn-mmr", "mmr-cmn"}
    assert len(test) == 2 * len(dataset.split("test"))
    train_targets = {e.source for e in dataset.examples("train") if e.direction == "mmr-cmn"}
    assert not train_targets & {e.target for e in dataset.split("test")}


def test_too_little_data_says_how_much_is_needed() -> None:
    with pytest.raises(NotEnoughData) as caught:
        build_dataset(examples(placeholder_pairs()[:60]), "cmn", "mmr")
    message = caught.value.detail
    assert "cmn→mmr" in message and "只剩 60 条" in message
    assert "训练集至少需要 200 条" in message and "--min-pairs" not in message
    assert "--min-pairs" in NotEnoughData.cli_hint


def test_a_pair_without_data_is_named() -> None:
    with pytest.raises(NoTrainingData, match="mmr→cmn：没有可用于训练的已核准句对"):
        build_dataset([], "mmr", "cmn")
    with pytest.raises(NoTrainingData, match="muq↔cmn"):
        build_dataset(examples(), "muq", "cmn", both=True)  # only cmn↔mmr pairs exist


def test_split_files_round_trip(tmp_path: Path) -> None:
    dataset = build_dataset(examples(), "cmn", "mmr", both=True, min_pairs=100)
    paths = write_split(dataset, tmp_path)
    assert [p.name for p in paths] == ["split.tsv", "train.tsv", "dev.tsv", "test.tsv"]
    assert read_examples(tmp_path / "dev.tsv") == dataset.examples("dev")
    with pytest.raises(ValueError):
        read_examples(tmp_path / "split.tsv")
