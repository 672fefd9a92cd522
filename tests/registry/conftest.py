"""Registry fixtures: the tiny model is trained once per session and installed under each
test's data folder as model versions with a held-out test split in ``data/``.

The tiny model memorises its 200 training pairs, so a test split drawn from them makes it
beat the retrieval baseline. A version whose data describe *other* pairs (the same words
with different placeholder targets) is a model trained on different pairs than its split:
the gate must refuse it. Targets are ``zz-NNNN`` placeholders, never invented Miao.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.audit.orm import AuditEntry
from interp_service.config import Settings
from interp_service.engine.cards import ModelCard, read_card, write_card
from interp_service.engine.testing import tiny_pairs
from interp_service.training.dataset import Example, write_examples

Pairs = list[tuple[str, str]]


@pytest.fixture(scope="session")
def tiny(tiny_model: ModelCard) -> ModelCard:
    """The session's tiny cmn → placeholder model (tests/conftest.py); read-only, copy it
    with `install`."""
    return tiny_model


def split(pairs: Pairs) -> tuple[Pairs, Pairs]:
    """(train, test): every tenth pair is held out, 20 test pairs of 200."""
    test = pairs[::10]
    return [p for p in pairs if p not in test], test


def other_pairs() -> Pairs:
    """The tiny pairs with every placeholder word replaced (zz-0102 → yy-2010): what a
    model trained on different pairs would have been tested on."""
    return [
        (source, re.sub(r"zz-(\d{4})", lambda m: "yy-" + m.group(1)[::-1], target))
        for source, target in tiny_pairs()
    ]


def write_split(folder: Path, train: Pairs, test: Pairs) -> None:
    """``data/train.tsv`` and ``data/test.tsv`` as the training command writes them."""
    data = folder / "data"
    data.mkdir(exist_ok=True)
    for name, rows in (("train", train), ("test", test)):
        write_examples(
            data / f"{name}.tsv",
            [
                Example(s, t, "cmn", "mmr", origin="memory", ref=f"test:{i}")
                for i, (s, t) in enumerate(rows)
            ],
        )


def install(
    settings: Settings,
    tiny: ModelCard,
    folder: str,
    version: str,
    *,
    pairs: Pairs | None = None,
    corrupt: bool = False,
    **card_fields: Any,
) -> ModelCard:
    """Copy the tiny model to ``<data>/models/mt/<folder>`` as `version`, with a train/test
    split of `pairs` (the tiny pairs by default) under ``data/``; `corrupt` truncates the
    CTranslate2 weights after the card was written (a half-written copy)."""
    target = settings.trained_models_dir / "mt" / folder
    shutil.copytree(tiny.folder, target)
    train, test = split(pairs if pairs is not None else tiny_pairs())
    write_split(target, train, test)
    card = write_card(
        dataclasses.replace(read_card(target, verify=False), version=version, **card_fields)
    )
    if corrupt:
        weights = target / "ct2" / "model.bin"
        weights.write_bytes(weights.read_bytes()[:1000])
    return card


def audit_actions(db: Session, prefix: str = "model.") -> list[tuple[str, dict[str, Any]]]:
    db.expire_all()
    rows = db.scalars(
        select(AuditEntry).where(AuditEntry.action.like(f"{prefix}%")).order_by(AuditEntry.seq)
    ).all()
    return [(row.action, row.details) for row in rows]
