"""Model cards: ``<folder>/card.toml`` describes one model folder and pins its files.

An MT model folder holds ``card.toml``, ``hf/`` (the transformers Marian checkpoint and its
SentencePiece tokenizer), ``ct2/`` (the CTranslate2 int8 conversion of the same weights) and,
for models the service trains, ``data/`` (the held-out splits it was evaluated on). The card
lists every file under ``hf/``, ``ct2/`` and ``data/`` with its SHA-256; a folder whose files
are missing, unlisted or changed is refused, so a half-written or corrupt model never loads.
Optional tables describe how a trained model was made (``[size]``, ``[training]``,
``[dataset]``) and, for a model trained on both directions of a pair, ``directions`` and
``[target_tags]``. See ``models/README.md`` for the contract.
"""

from __future__ import annotations

import dataclasses
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
MODEL_SUBFOLDERS = ("hf", "ct2", "data")
REQUIRED_FILES = {"mt": ("hf/config.json", "hf/source.spm", "ct2/model.bin", "ct2/config.json")}
_LANGUAGE = re.compile(r"^[a-z]{3}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PAIR = re.compile(r"^[a-z]{3}-[a-z]{3}$")
_DETAIL_TABLES = ("size", "training", "dataset")
Scalar = str | int | float | bool
"""A value of the card's detail tables ([size], [training], [dataset])."""
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
    directions: tuple[str, ...] = ()
    target_tags: Mapping[str, str] = field(default_factory=dict)
    size: Mapping[str, Scalar] = field(default_factory=dict)
    training: Mapping[str, Scalar] = field(default_factory=dict)
    dataset: Mapping[str, Scalar] = field(default_factory=dict)

    @property
    def hf_folder(self) -> Path:
        """The transformers checkpoint and tokenizer."""
        return self.folder / "hf"

    @property
    def ct2_folder(self) -> Path:
        """The CTranslate2 conversion."""
        return self.folder / "ct2"

    @property
    def data_folder(self) -> Path:
        """The splits a trained model was evaluated on (``test.tsv``, ``dev.tsv``…)."""
        return self.folder / "data"

    @property
    def pair(self) -> str:
        """The language pair key, e.g. ``cmn-mmr``."""
        return f"{self.source_language}-{self.target_language}"

    @property
    def pairs(self) -> tuple[str, ...]:
        """Every pair key the model translates: ``directions``, or just ``pair``."""
        return self.directions or (self.pair,)

    def source_prefix(self, target_language: str) -> str:
        """What to put before a source text to ask for ``target_language``: the target tag
        and a space (``"<2cmn> "``) for a model trained on both directions, else ``""``."""
        tag = self.target_tags.get(target_language)
        return f"{tag} " if tag else ""


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
    return ModelLoadError(f"模型文件夹 {folder}：{reason}")


def _safe_relative(folder: Path, name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and len(path.parts) >= 2
        and path.parts[0] in MODEL_SUBFOLDERS
    )


def _scalars(folder: Path, data: dict[str, Any], table: str) -> dict[str, Scalar]:
    values = data.get(table, {})
    if not isinstance(values, dict) or not all(
        isinstance(v, str | int | float | bool) for v in values.values()
    ):
        raise _fail(folder, f"card.toml 的 [{table}] 表只能包含文字、数字或布尔值")
    return dict(values)


def _directions(
    folder: Path, data: dict[str, Any], pair: str
) -> tuple[tuple[str, ...], dict[str, str]]:
    directions = data.get("directions", [])
    tags = data.get("target_tags", {})
    if not isinstance(directions, list) or not all(
        isinstance(d, str) and _PAIR.match(d) for d in directions
    ):
        raise _fail(folder, "card.toml 的 directions 字段须列出语言对，如 cmn-mmr")
    if directions and pair not in directions:
        raise _fail(folder, f"card.toml 的 directions 字段未包含 {pair}")
    if not isinstance(tags, dict) or not all(
        isinstance(k, str) and _LANGUAGE.match(k) and isinstance(v, str) and v.strip()
        for k, v in tags.items()
    ):
        raise _fail(folder, "card.toml 的 [target_tags] 表须把 ISO 639-3 语言代码对应到标记")
    if len(directions) > 1 and not {d[4:] for d in directions} <= set(tags):
        raise _fail(folder, "有多个翻译方向的模型须为每个目标语言设目标标记（target_tags）")
    return tuple(directions), dict(tags)


def _parse(folder: Path, data: dict[str, Any]) -> ModelCard:
    values: dict[str, str] = {}
    for key in _STRING_FIELDS:
        value = data.get(key, "" if key.endswith("_variety") else None)
        if not isinstance(value, str):
            raise _fail(folder, f"card.toml 的 {key} 字段须为文字")
        values[key] = value
    for key in ("task", "name", "version", "licence", "source"):
        if not values[key].strip():
            raise _fail(folder, f"card.toml 的 {key} 字段为空")
    if values["task"] not in TASKS:
        raise _fail(folder, f"未知的任务类型 {values['task']}（可选：{'、'.join(TASKS)}）")
    for key in ("source_language", "target_language"):
        if not _LANGUAGE.match(values[key]):
            raise _fail(folder, f"card.toml 的 {key} 字段须为 ISO 639-3 语言代码")
    files = data.get("files")
    if not isinstance(files, dict) or not files:
        raise _fail(folder, "card.toml 缺少 [files] 表")
    for name, digest in files.items():
        if not _safe_relative(folder, name):
            raise _fail(folder, f"文件 {name} 不在 hf/、ct2/ 或 data/ 之下")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise _fail(folder, f"文件 {name} 没有有效的 SHA-256")
    metrics = data.get("metrics", {})
    if not isinstance(metrics, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in metrics.values()
    ):
        raise _fail(folder, "card.toml 的 [metrics] 表只能包含数字")
    pair = f"{values['source_language']}-{values['target_language']}"
    directions, tags = _directions(folder, data, pair)
    return ModelCard(
        folder=folder,
        files=dict(sorted(files.items())),
        metrics={k: float(v) for k, v in metrics.items()},
        directions=directions,
        target_tags=tags,
        size=_scalars(folder, data, "size"),
        training=_scalars(folder, data, "training"),
        dataset=_scalars(folder, data, "dataset"),
        **values,
    )


def read_card(folder: Path, *, verify: bool = True) -> ModelCard:
    """Read and check ``folder/card.toml``.

    With ``verify`` (the default) every listed file must exist with its SHA-256, the files
    a task needs must be listed, and no unlisted file may lie under hf/, ct2/ or data/. Raises
    ModelLoadError with the reason otherwise.
    """
    folder = Path(folder)
    path = folder / CARD_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(folder, f"缺少 {CARD_FILE}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _fail(folder, f"{CARD_FILE} 格式有误：{exc}") from exc
    card = _parse(folder, data)
    if verify:
        verify_files(card)
    return card


def verify_files(card: ModelCard) -> None:
    """Check the card's files against the folder; raises ModelLoadError on any difference."""
    folder = card.folder
    missing = [n for n in REQUIRED_FILES.get(card.task, ()) if n not in card.files]
    if missing:
        raise _fail(folder, f"card.toml 未列出必需的文件：{'、'.join(missing)}")
    for name, expected in card.files.items():
        path = folder / name
        if not path.is_file():
            raise _fail(folder, f"缺少文件 {name}")
        if sha256_file(path) != expected:
            raise _fail(folder, f"文件 {name} 与 card.toml 记录的 SHA-256 不符（已被改动或损坏）")
    unlisted = [n for n in model_files(folder) if n not in card.files]
    if unlisted:
        raise _fail(folder, f"有 card.toml 未列出的文件：{'、'.join(unlisted[:5])}")


def _toml_value(value: Scalar) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    number = float(value)
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return repr(number)


def card_toml(card: ModelCard) -> str:
    """The TOML text of a card (what write_card writes)."""
    lines = [f"{key} = {_toml_value(getattr(card, key))}" for key in _STRING_FIELDS]
    if card.directions:
        lines.append(f"directions = {json.dumps(list(card.directions))}")
    if card.target_tags:
        lines += ["", "[target_tags]"]
        lines += [
            f"{json.dumps(k)} = {_toml_value(v)}" for k, v in sorted(card.target_tags.items())
        ]
    for table in _DETAIL_TABLES:
        values: Mapping[str, Scalar] = getattr(card, table)
        if values:
            lines += ["", f"[{table}]"]
            lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in sorted(values.items())]
    lines += ["", "[metrics]"]
    lines += [f"{json.dumps(k)} = {_toml_value(float(v))}" for k, v in sorted(card.metrics.items())]
    lines += ["", "[files]"]
    lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in sorted(card.files.items())]
    return "\n".join(lines) + "\n"


def write_card(card: ModelCard) -> ModelCard:
    """Hash every file under ``card.folder``'s hf/, ct2/ and data/ and write ``card.toml``.

    The card's own ``files`` are ignored and recomputed; returns the card as written.
    """
    folder = card.folder
    files = {name: sha256_file(folder / name) for name in model_files(folder)}
    if not files:
        raise _fail(folder, "hf/ 和 ct2/ 下都没有模型文件")
    written = dataclasses.replace(card, files=files, metrics=dict(card.metrics))
    written = _parse(folder, tomllib.loads(card_toml(written)))  # refuse what cannot be read
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
