"""A tiny trained model for tests: Chinese questions → placeholder "Miao" (zz-NNNN words).

The target side is never real Miao: the project must not invent Miao text, so targets are
made of ``zz-NNNN`` placeholder words and glossary placeholders such as ``<t0>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from interp_service.engine.cards import ModelCard
from interp_service.engine.placeholders import placeholder

if TYPE_CHECKING:
    from interp_service.engine.training import ModelSize

# (Chinese frame, target frame); {x} is the slot.
FRAMES: tuple[tuple[str, str], ...] = (
    ("请说明{x}的情况", "zz-0001 zz-0002 {x} zz-0003"),
    ("{x}在哪里", "{x} zz-0004 zz-0005"),
    ("你认识{x}吗", "zz-0006 zz-0007 {x} zz-0008"),
    ("{x}什么时候到的", "{x} zz-0009 zz-0010 zz-0011"),
    ("请把{x}交给我们", "zz-0012 {x} zz-0013 zz-0014"),
    ("你见过{x}吗", "zz-0015 zz-0016 {x}"),
    ("{x}是谁的", "{x} zz-0017 zz-0018"),
    ("我们需要{x}", "zz-0019 zz-0020 {x}"),
    ("关于{x}你还知道什么", "zz-0021 {x} zz-0022 zz-0023 zz-0024"),
    ("请描述{x}", "zz-0025 zz-0026 {x}"),
)
NOUNS: tuple[tuple[str, str], ...] = (
    ("被告人", "zz-0101"),
    ("证人", "zz-0102"),
    ("被害人", "zz-0103"),
    ("律师", "zz-0104"),
    ("检察官", "zz-0105"),
    ("翻译", "zz-0106"),
    ("案件", "zz-0107"),
    ("证据", "zz-0108"),
    ("合同", "zz-0109"),
    ("那辆车", "zz-0110 zz-0111"),
    ("那把刀", "zz-0112 zz-0113"),
    ("你的父亲", "zz-0114 zz-0115"),
    ("他的邻居", "zz-0116 zz-0117"),
    ("村长", "zz-0118"),
    ("这份笔录", "zz-0119 zz-0120"),
    ("那笔钱", "zz-0121 zz-0122"),
    ("手机", "zz-0123"),
    ("房子", "zz-0124"),
)
SLOTS: tuple[tuple[str, str], ...] = (
    *NOUNS,
    (placeholder(0), placeholder(0)),
    (placeholder(1), placeholder(1)),
)


def tiny_size() -> ModelSize:
    """One layer each side, d_model 128: memorises the tiny pairs reliably (seeds 1-6 tried),
    where two-layer d_model 64 models fall back to ignoring the source."""
    from interp_service.engine.training import ModelSize

    return ModelSize(d_model=128, layers=1, heads=4, ffn=256, vocab_size=250, dropout=0.0)


def tiny_pairs() -> list[tuple[str, str]]:
    """200 (Chinese, placeholder-target) pairs: every frame with every slot, 20 of them
    with a glossary placeholder (``<t0>`` or ``<t1>``) to be copied."""
    return [
        (zh.format(x=slot_zh), target.format(x=slot_target))
        for zh, target in FRAMES
        for slot_zh, slot_target in SLOTS
    ]


def train_tiny_model(
    folder: Path,
    pairs: Sequence[tuple[str, str]] | None = None,
    *,
    name: str = "tiny-cmn-mmr",
    version: str = "1",
    source_language: str = "cmn",
    target_language: str = "mmr",
    seed: int = 1,
) -> ModelCard:
    """Train the tiny test model into ``folder`` (which must not exist) and return its card.

    With the default pairs the model reproduces every training target with greedy search,
    on both backends (tried with seeds 1 to 6). Trains in about 10 s on one CPU thread
    (torch's thread count is restored afterwards).
    """
    from interp_service.engine.training import train_marian

    return train_marian(
        tiny_pairs() if pairs is None else list(pairs),
        folder,
        name=name,
        version=version,
        source_language=source_language,
        target_language=target_language,
        size=tiny_size(),
        tokenizer_type="bpe",
        epochs=60,
        batch_size=16,
        learning_rate=2e-3,
        warmup_steps=30,
        seed=seed,
        threads=1,
        licence="test only",
        source="built-in placeholder pairs (interp_service.engine.testing)",
    )
