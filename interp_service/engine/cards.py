"""Model cards: ``<folder>/card.toml`` describes one model folder and pins its files.

An MT model folder holds ``card.toml``, ``hf/`` (the transformers Marian checkpoint and its
SentencePiece tokenizer) and ``ct2/`` (the CTranslate2 int8 conversion of the same weights).
The card lists every file under ``hf/`` and ``ct2/`` with its SHA-256; a folder whose files
are missing, unlisted or changed is refused, so a half-written or corrupt model never loads.
See ``models/README.md`` for the contract.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from interp_service.engine.errors import ModelLoadError

CARD_FILE = "card.toml"
TASKS = ("mt",)
MODEL_SUBFOLDERS = ("hf", "ct2")
REQUIRED_FILES = {"mt": ("hf/config.json", "hf/source.spm", "ct2/model.bin", "ct2/config.json")}
_LANGUAGE = re.compile(r"^[a-z]{3}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_STRING_FIELDS = (
    "task",
    "name",
    "version",
    "source_language",
    "target_language",
    "source_variety",
    "target_variety",
    "licence",
    "source",
)


@dataclass(frozen=True)
class ModelCard:
    """What a model is, where it came from, and the files (path → SHA-256 hex) it is made of."""

    task: str
    name: str
    version: str
    source_language: str
    target_language: str
    licence: str
    source: str
    folder: Path
    source_variety: str = ""
    target_variety: str = ""
    files: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)

    @property
    def hf_folder(self) -> Path:
        """The transformers checkpoint and tokenizer."""
        return self.folder / "hf"

    @property
    def ct2_folder(self) -> Path:
        """The CTranslate2 conversion."""
        return self.folder / "ct2"

    @property
    def pair(self) -> str:
        """The language pair key, e.g. ``cmn-mmr``."""
        return f"{self.source_language}-{self.target_language}"


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def model_files(folder: Path) -> list[str]:
    """Relative POSIX paths of every file under the model subfolders (hf/, ct2/), sorted."""
    found: list[str] = []
    for sub in MODEL_SUBFOLDERS:
        base = folder / sub
        if base.is_dir():
            found += [p.relative_to(folder).as_posix() for p in base.rglob("*") if p.is_file()]
    return sorted(found)


def _fail(folder: Path, reason: str) -> ModelLoadError:
    return ModelLoadError(f"model folder {folder}: {reason}")


def _safe_relative(folder: Path, name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and len(path.parts) >= 2
        and path.parts[0] in MODEL_SUBFOLDERS
    )


def _parse(folder: Path, data: dict[str, Any]) -> ModelCard:
    values: dict[str, str] = {}
    for key in _STRING_FIELDS:
        value = data.get(key, "" if key.endswith("_variety") else None)
        if not isinstance(value, str):
            raise _fail(folder, f"card field {key!r} must be a string")
        values[key] = value
    for key in ("task", "name", "version", "licence", "source"):
        if not values[key].strip():
            raise _fail(folder, f"card field {key!r} is empty")
    if values["task"] not in TASKS:
        raise _fail(folder, f"unknown task {values['task']!r} (known: {', '.join(TASKS)})")
    for key in ("source_language", "target_language"):
        if not _LANGUAGE.match(values[key]):
            raise _fail(folder, f"card field {key!r} must be an ISO 639-3 code")
    files = data.get("files")
    if not isinstance(files, dict) or not files:
        raise _fail(folder, "card has no [files] table")
    for name, digest in files.items():
        if not _safe_relative(folder, name):
            raise _fail(folder, f"file {name!r} is not a path under hf/ or ct2/")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise _fail(folder, f"file {name!r} has no valid SHA-256")
    metrics = data.get("metrics", {})
    if not isinstance(metrics, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in metrics.values()
    ):
        raise _fail(folder, "card [metrics] must map names to numbers")
    return ModelCard(
        folder=folder,
        files=dict(sorted(files.items())),
        metrics={k: float(v) for k, v in metrics.items()},
        **values,
    )


def read_card(folder: Path, *, verify: bool = True) -> ModelCard:
    """Read and check ``folder/card.toml``.

    With ``verify`` (the default) every listed file must exist with its SHA-256, the files
    a task needs must be listed, and no unlisted file may lie under hf/ or ct2/. Raises
    ModelLoadError with the reason otherwise.
    """
    folder = Path(folder)
    path = folder / CARD_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(folder, f"{CARD_FILE} is missing") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _fail(folder, f"{CARD_FILE} is malformed: {exc}") from exc
    card = _parse(folder, data)
    if verify:
        verify_files(card)
    return card


def verify_files(card: ModelCard) -> None:
    """Check the card's files against the folder; raises ModelLoadError on any difference."""
    folder = card.folder
    missing = [n for n in REQUIRED_FILES.get(card.task, ()) if n not in card.files]
    if missing:
        raise _fail(folder, f"card does not list required file(s) {', '.join(missing)}")
    for name, expected in card.files.items():
        path = folder / name
        if not path.is_file():
            raise _fail(folder, f"file {name} is missing")
        if sha256_file(path) != expected:
            raise _fail(folder, f"file {name} does not match its SHA-256 in the card")
    unlisted = [n for n in model_files(folder) if n not in card.files]
    if unlisted:
        raise _fail(folder, f"unlisted file(s) {', '.join(unlisted[:5])}")


def _toml_value(value: str | float) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    number = float(value)
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return repr(number)


def card_toml(card: ModelCard) -> str:
    """The TOML text of a card (what write_card writes)."""
    lines = [f"{key} = {_toml_value(getattr(card, key))}" for key in _STRING_FIELDS]
    lines += ["", "[metrics]"]
    lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in sorted(card.metrics.items())]
    lines += ["", "[files]"]
    lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in sorted(card.files.items())]
    return "\n".join(lines) + "\n"


def write_card(card: ModelCard) -> ModelCard:
    """Hash every file under ``card.folder``'s hf/ and ct2/ and write ``card.toml``.

    The card's own ``files`` are ignored and recomputed; returns the card as written.
    """
    folder = card.folder
    files = {name: sha256_file(folder / name) for name in model_files(folder)}
    if not files:
        raise _fail(folder, "no model files under hf/ or ct2/")
    written = ModelCard(
        task=card.task,
        name=card.name,
        version=card.version,
        source_language=card.source_language,
        target_language=card.target_language,
        source_variety=card.source_variety,
        target_variety=card.target_variety,
        licence=card.licence,
        source=card.source,
        folder=folder,
        files=files,
        metrics=dict(card.metrics),
    )
    _parse(folder, tomllib.loads(card_toml(written)))  # refuse to write what cannot be read
    tmp = folder / f".{CARD_FILE}.tmp"
    tmp.write_text(card_toml(written), encoding="utf-8")
    tmp.replace(folder / CARD_FILE)
    return written


def scan_cards(*roots: Path) -> tuple[list[ModelCard], list[tuple[Path, str]]]:
    """Every MT model folder ``<root>/mt/<name>/`` under the roots, read and verified.

    Returns (valid cards, [(folder, reason)] for the broken ones), both in path order.
    Folders whose name starts with a dot (temporary folders of a training in progress)
    are skipped.
    """
    cards: list[ModelCard] = []
    broken: list[tuple[Path, str]] = []
    for root in roots:
        base = Path(root) / "mt"
        if not base.is_dir():
            continue
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            if folder.name.startswith("."):
                continue
            try:
                cards.append(read_card(folder))
            except ModelLoadError as exc:
                broken.append((folder, str(exc)))
    return cards, broken
