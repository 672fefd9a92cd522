"""CTC speech recognition (wav2vec2-type models, through transformers) from local model cards.

A CTC model folder holds ``card.toml`` and ``hf/``: what ``save_pretrained`` of the model
and of its Wav2Vec2Processor (feature extractor + CTC tokenizer) write. As for MT cards
(interp_service.engine.cards), the card pins every file under ``hf/`` and ``data/`` by
SHA-256 and a folder whose files are missing, unlisted or changed is refused before anything
is loaded. Weights must be safetensors, so no pickle is ever unpickled::

    task = "asr-ctc"
    name = "mmr-xiangxi-west-ctc"   # folder name by convention
    version = "1"
    language = "mmr"                # ISO 639-3 code of what the model hears
    variety = "xiangxi-west"        # which variety it was trained on; never empty
    licence = "proprietary"
    source = "trained by the service on 40 h of approved recordings"

    [metrics]                       # optional, name = number, e.g. "cer" on held-out audio
    [files]                         # every file under hf/ and data/: path = SHA-256 hex
"""

from __future__ import annotations

import json
import math
import re
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from interp_service.engine.cards import CARD_FILE, sha256_file
from interp_service.engine.errors import ModelLoadError
from interp_service.engine.speech import SAMPLE_RATE

TASK = "asr-ctc"
SUBFOLDERS = ("hf", "data")
REQUIRED_FILES = ("hf/config.json", "hf/vocab.json")
WEIGHTS = ("hf/model.safetensors", "hf/model.safetensors.index.json")
PROCESSOR_CONFIGS = ("hf/processor_config.json", "hf/preprocessor_config.json")
_FIELDS = ("task", "name", "version", "language", "variety", "licence", "source")
_LANGUAGE = re.compile(r"^[a-z]{3}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class CtcCard:
    """A CTC speech model: what it hears, where it came from, its files (path → SHA-256)."""

    task: str
    name: str
    version: str
    language: str
    variety: str
    licence: str
    source: str
    folder: Path
    files: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)

    @property
    def hf_folder(self) -> Path:
        """The transformers checkpoint and its processor."""
        return self.folder / "hf"


@dataclass(frozen=True)
class CtcResult:
    """Greedy transcript of one span. `confidence` (0–1) is the mean probability of the
    chosen token over the frames that produced the text; 0.0 when the text is empty."""

    text: str
    confidence: float


def _fail(folder: Path, reason: str) -> ModelLoadError:
    return ModelLoadError(f"model folder {folder}: {reason}")


def _model_files(folder: Path) -> list[str]:
    found: list[str] = []
    for sub in SUBFOLDERS:
        if (folder / sub).is_dir():
            found += [p.relative_to(folder).as_posix() for p in (folder / sub).rglob("*")]
    return sorted(name for name in found if (folder / name).is_file())


def _parse(folder: Path, data: dict[str, Any]) -> CtcCard:
    if data.get("task") != TASK:
        raise _fail(folder, f"card task is {data.get('task')!r}, not {TASK!r}")
    values: dict[str, str] = {}
    for key in _FIELDS:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise _fail(folder, f"card field {key!r} must be a non-empty string")
        values[key] = value
    if not _LANGUAGE.match(values["language"]):
        raise _fail(folder, "card field 'language' must be an ISO 639-3 code")
    files = data.get("files")
    if not isinstance(files, dict) or not files:
        raise _fail(folder, "card has no [files] table")
    for name, digest in files.items():
        parts = PurePosixPath(name).parts
        if len(parts) < 2 or parts[0] not in SUBFOLDERS or ".." in parts:
            raise _fail(folder, f"file {name!r} is not a path under hf/ or data/")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise _fail(folder, f"file {name!r} has no valid SHA-256")
    metrics = data.get("metrics", {})
    if not isinstance(metrics, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        for v in metrics.values()
    ):
        raise _fail(folder, "card [metrics] must map names to finite numbers")
    return CtcCard(
        folder=folder,
        files=dict(sorted(files.items())),
        metrics={k: float(v) for k, v in sorted(metrics.items())},
        **values,
    )


def _require(card: CtcCard) -> None:
    missing = [n for n in REQUIRED_FILES if n not in card.files]
    for options in (WEIGHTS, PROCESSOR_CONFIGS):
        if not any(n in card.files for n in options):
            missing.append(" or ".join(options))
    if missing:
        raise _fail(card.folder, f"card does not list required file(s) {', '.join(missing)}")


def _verify(card: CtcCard) -> None:
    _require(card)
    listed, folder = card.files, card.folder
    for name, expected in listed.items():
        if not (folder / name).is_file():
            raise _fail(folder, f"file {name} is missing")
        if sha256_file(folder / name) != expected:
            raise _fail(folder, f"file {name} does not match its SHA-256 in the card")
    unlisted = [n for n in _model_files(folder) if n not in listed]
    if unlisted:
        raise _fail(folder, f"unlisted file(s) {', '.join(unlisted[:5])}")


def read_ctc_card(folder: Path, *, verify: bool = True) -> CtcCard:
    """Read ``folder/card.toml``; with ``verify``, also check every file against it.

    Raises ModelLoadError with the reason when the card or the files are not right."""
    folder = Path(folder)
    try:
        data = tomllib.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(folder, f"{CARD_FILE} is missing") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _fail(folder, f"{CARD_FILE} is malformed: {exc}") from exc
    except OSError as exc:
        raise _fail(folder, f"cannot read {CARD_FILE}: {exc}") from exc
    card = _parse(folder, data)
    try:
        if verify:
            _verify(card)
    except OSError as exc:
        raise _fail(folder, f"cannot read its files: {exc}") from exc
    return card


def write_ctc_card(
    folder: Path,
    name: str,
    version: str,
    language: str,
    variety: str,
    *,
    licence: str,
    source: str,
    metrics: Mapping[str, float] | None = None,
) -> CtcCard:
    """Hash every file under ``folder``'s hf/ and data/ and write ``card.toml`` (atomically).

    The model and its processor must already be saved under ``folder/hf``; a folder without
    the files a CTC model needs gets no card. Returns the card as written."""
    folder = Path(folder)
    if not _model_files(folder):
        raise _fail(folder, "no model files under hf/")
    values = {"task": TASK, "name": name, "version": version, "language": language}
    values |= {"variety": variety, "licence": licence, "source": source}
    lines = [f"{key} = {json.dumps(values[key], ensure_ascii=False)}" for key in _FIELDS]
    lines += ["", "[metrics]"]
    lines += [f"{json.dumps(k)} = {float(v)!r}" for k, v in sorted((metrics or {}).items())]
    lines += ["", "[files]"]
    lines += [f'{json.dumps(n)} = "{sha256_file(folder / n)}"' for n in _model_files(folder)]
    text = "\n".join(lines) + "\n"
    card = _parse(folder, tomllib.loads(text))  # refuse to write what could not be read back
    _require(card)
    tmp = folder / f".{CARD_FILE}.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(folder / CARD_FILE)
    return card


def scan_ctc_models(folders: list[Path]) -> tuple[list[CtcCard], list[tuple[Path, str]]]:
    """Read and verify each CTC model folder.

    Returns (usable cards, [(folder, reason)] for the refused ones), in the order given.
    Folders whose name starts with a dot (a model still being written) are skipped."""
    cards: list[CtcCard] = []
    refused: list[tuple[Path, str]] = []
    for folder in map(Path, folders):
        if folder.name.startswith("."):
            continue
        try:
            cards.append(read_ctc_card(folder))
        except ModelLoadError as exc:
            refused.append((folder, str(exc)))
    return cards, refused


class CtcRecognizer:
    """A verified CTC model on the CPU, decoded greedily; one span at a time."""

    def __init__(self, folder: Path) -> None:
        self.card = read_ctc_card(Path(folder))
        import torch
        from transformers import AutoModelForCTC, AutoProcessor

        hf = str(self.card.hf_folder)
        local: dict[str, Any] = {"local_files_only": True, "trust_remote_code": False}
        try:
            self._processor: Any = AutoProcessor.from_pretrained(  # type: ignore[no-untyped-call]
                hf, **local
            )
            self._model: Any = AutoModelForCTC.from_pretrained(
                hf, use_safetensors=True, dtype=torch.float32, **local
            )
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise _fail(self.card.folder, f"cannot load the CTC model: {exc}") from exc
        self._model.eval()
        self._check()
        tokenizer = self._processor.tokenizer
        # Blanks and repeats are removed here, before decoding: the tokenizer's own
        # skip_special_tokens drops blanks before grouping and so merges doubled letters.
        specials = {*tokenizer.all_special_ids, tokenizer.pad_token_id}
        self._dropped = specials - {tokenizer.word_delimiter_token_id}
        self._torch = torch
        self._lock = threading.Lock()
        self.name = f"{self.card.name} {self.card.version}"

    def _check(self) -> None:
        processor, config, folder = self._processor, self._model.config, self.card.folder
        tokenizer: Any = getattr(processor, "tokenizer", None)
        extractor = getattr(processor, "feature_extractor", None)
        if extractor is None or not hasattr(tokenizer, "word_delimiter_token"):
            raise _fail(folder, "the processor is not a feature extractor + CTC tokenizer")
        if extractor.sampling_rate != SAMPLE_RATE:
            raise _fail(folder, f"the model reads {extractor.sampling_rate} Hz audio")
        if tokenizer.pad_token_id != config.pad_token_id:
            raise _fail(folder, "the tokenizer's pad token is not the model's blank")
        if config.vocab_size > len(tokenizer):
            raise _fail(folder, "the model has more outputs than the tokenizer has tokens")

    def transcribe(self, samples: np.ndarray) -> CtcResult:
        """Transcribe one span of 16 kHz mono float32 samples (at most ~30 s)."""
        audio = np.ascontiguousarray(samples, dtype=np.float32)
        if audio.ndim != 1 or not np.isfinite(audio).all():
            raise ValueError("audio must be a 1-D array of finite 16 kHz samples")
        frames = int(self._model._get_feat_extract_output_lengths(audio.size))
        if frames < 1:  # shorter than the convolutional front end's receptive field
            return CtcResult("", 0.0)
        with self._lock, self._torch.inference_mode():
            inputs = self._processor(audio, sampling_rate=SAMPLE_RATE, return_tensors="pt")
            logits = self._model(inputs.input_values).logits[0]
            best, ids = logits.float().softmax(-1).max(-1)
        kept: list[int] = []
        scores: list[float] = []
        for token, run in groupby(zip(ids.tolist(), best.tolist(), strict=True), lambda p: p[0]):
            if token not in self._dropped:
                kept.append(token)
                scores += [p for _, p in run]
        decoded = self._processor.batch_decode([kept], group_tokens=False)[0]
        text = " ".join(str(decoded).split())
        return CtcResult(text, float(np.mean(scores)) if text else 0.0)
