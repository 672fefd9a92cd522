"""What the registry reads from a model folder besides what the engine checks: the card's
own hash and extra fields (lineage, data hash), and the splits training wrote under
``data/`` (``train.tsv``, ``test.tsv``; read with ``training.dataset.read_split``)."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interp_service.engine.cards import CARD_FILE, ModelCard, read_card
from interp_service.engine.errors import ModelLoadError
from interp_service.registry.gate import Split

if TYPE_CHECKING:
    from interp_service.training.dataset import Example

DATA_FOLDER = "data"


@dataclass(frozen=True)
class CardFacts:
    """What a card says beyond ``ModelCard``: SHA-256 of card.toml, lineage and data hash."""

    card_sha256: str
    parent: str
    data_hash: str


def _raw(folder: Path) -> tuple[bytes, dict[str, Any]]:
    try:
        data = (folder / CARD_FILE).read_bytes()
    except OSError:
        return b"", {}
    try:
        return data, tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return data, {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def card_facts(folder: Path) -> CardFacts:
    """Hash and extra fields of ``folder/card.toml``. The lineage is the card's `parent`
    (top level or in ``[training]``, e.g. ``"cmn-mmr-approved@2"``); the data hash its
    `data_hash` (top level, or in a ``[dataset]``, ``[data]`` or ``[training]`` table as
    `data_hash`/`hash`/`sha256`), else "". Both are cut to the registry's column sizes."""
    data, doc = _raw(folder)
    if not data:
        return CardFacts("", "", "")
    data_hash = _text(doc.get("data_hash"))
    for table in ("dataset", "data", "training"):
        section = doc.get(table)
        if not data_hash and isinstance(section, dict):
            for key in ("data_hash", "hash", "sha256"):
                data_hash = data_hash or _text(section.get(key))
    parent = _text(doc.get("parent"))
    training = doc.get("training")
    if not parent and isinstance(training, dict):
        parent = _text(training.get("parent"))
    return CardFacts(hashlib.sha256(data).hexdigest(), parent[:300], data_hash[:128])


def unverified_card(folder: Path) -> ModelCard | None:
    """The card read without checking the files (to name a broken folder), or None."""
    try:
        return read_card(folder, verify=False)
    except ModelLoadError:
        return None


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _examples(folder: Path, name: str, pair: str) -> tuple[list[Example], str]:
    from interp_service.training.dataset import read_split as read_training_split

    try:
        examples = read_training_split(folder, name)
        digest = file_sha256(folder / DATA_FOLDER / f"{name}.tsv")
    except (OSError, UnicodeDecodeError, ValueError, TypeError):
        return [], ""
    return [e for e in examples if e.direction == pair], digest


def read_split(card: ModelCard) -> Split:
    """The held-out test pairs (``data/test.tsv``) and the training pairs the baseline may
    use (``data/train.tsv``), of the card's own direction, as training wrote them, with the
    SHA-256 of each file; a file that is absent or unreadable gives no pairs and ""."""
    test, test_sha = _examples(card.folder, "test", card.pair)
    train, train_sha = _examples(card.folder, "train", card.pair)
    return Split(test=test, train=train, test_sha256=test_sha, train_sha256=train_sha)
