"""Speech data for later: approved audio with approved transcripts, for fine-tuning a CTC
speech model (wav2vec2 type) once there is enough of it.

What is exported: glossary term recordings whose term is approved and whose recording an
admin approved, with the speaker's consent recorded at upload; phrasebook recordings with
an approved Miao side, an approved recording and recorded consent. Nothing else, ever.

Layout of the export folder::

    audio/<sha256>.<ext>   copied from the evidence store, hash-checked on read and on write
    manifest.jsonl         one JSON object per line: audio_filepath (relative to the
                           folder), duration (seconds; null when not measurable), text,
                           then our keys: language, variety, speaker, consent, source,
                           source_type, source_id, recording_id, sha256, media_type, note
    manifest.csv           the same rows

The folder is built beside the target under a temporary name and renamed into place, so a
failure (a corrupt evidence file, a full disk) leaves nothing behind. The audit trail
records counts and hashes only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import uuid
import wave
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.coverage.speech_items import Selection, SpeechItem, select_items

__all__ = ["ExportResult", "Selection", "SpeechItem", "export", "export_zip", "select_items"]
from interp_service.errors import Conflict, IntegrityFailure
from interp_service.evidence.sniff import sniff
from interp_service.evidence.store import EvidenceStore

EXTENSIONS = {
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "audio/flac": "flac",
    "audio/webm": "webm",
}
REASONS = {
    "no-consent": "未记录发音人同意",
    "recording-not-approved": "录音未经核准",
    "transcript-not-approved": "文本（术语或苗语译文）未经核准",
}
NOTE_NOT_WAV = "duration not measured: only PCM WAV is read (no audio decoder installed)"
NOTE_BAD_WAV = "duration not measured: the WAV header could not be read"
FIELDS = (
    "audio_filepath",
    "duration",
    "text",
    "language",
    "variety",
    "speaker",
    "consent",
    "source",
    "source_type",
    "source_id",
    "recording_id",
    "sha256",
    "media_type",
    "note",
)


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    items: int
    audio_files: int
    skipped: dict[str, int]
    manifest_sha256: str
    audio_sha256: list[str]


def _write_clip(store: EvidenceStore, item: SpeechItem, audio: Path) -> tuple[str, float]:
    """Cut an interview segment out of its (hash-checked) recording as 16 kHz WAV; returns
    the clip's SHA-256 and its length in seconds."""
    from interp_service.media.audio import SAMPLE_RATE, decode_range, to_wav

    assert item.start_s is not None and item.end_s is not None
    data = b"".join(store.read_verified(item.sha256))
    samples = decode_range(data, item.start_s, item.end_s)
    wav = to_wav(samples)
    sha = hashlib.sha256(wav).hexdigest()
    (audio / f"{sha}.wav").write_bytes(wav)
    return sha, round(samples.size / SAMPLE_RATE, 3)


def _copy_verified(store: EvidenceStore, sha256: str, target: Path) -> bytes:
    """Copy a stored file, checking its hash before (the store) and while copying (here,
    so a file changed in between is caught too). Returns its first bytes."""
    digest = hashlib.sha256()
    head = b""
    with target.open("wb") as out:
        for chunk in store.read_verified(sha256):
            digest.update(chunk)
            if len(head) < 64:
                head += chunk[: 64 - len(head)]
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != sha256:
        raise IntegrityFailure(f"录音 {sha256[:12]} 的内容与其哈希不符，导出已中止")
    return head


def wav_duration(path: Path) -> float | None:
    """Seconds of a PCM WAV file (frames ÷ frame rate), or None when unreadable."""
    try:
        with wave.open(str(path), "rb") as w:
            rate = w.getframerate()
            return round(w.getnframes() / rate, 3) if rate else None
    except (wave.Error, EOFError):
        return None


def _rows(store: EvidenceStore, items: list[SpeechItem], folder: Path) -> list[dict[str, Any]]:
    audio = folder / "audio"
    audio.mkdir()
    written: dict[str, tuple[str, str, float | None, str]] = {}
    rows: list[dict[str, Any]] = []
    for item in sorted(items, key=lambda i: (i.source_type, i.source_id, i.recording_id or 0)):
        if item.start_s is not None:
            clip_sha, seconds = _write_clip(store, item, audio)
            rows.append(_row(item, f"audio/{clip_sha}.wav", "audio/wav", seconds, "", clip_sha))
            continue
        if item.sha256 not in written:
            tmp = audio / f"{item.sha256}.part"
            head = _copy_verified(store, item.sha256, tmp)
            media = item.media_type or sniff(head, "") or "application/octet-stream"
            name = f"{item.sha256}.{EXTENSIONS.get(media, 'bin')}"
            tmp.rename(audio / name)
            duration: float | None = None
            note = NOTE_NOT_WAV
            if media == "audio/wav":
                duration = wav_duration(audio / name)
                note = "" if duration is not None else NOTE_BAD_WAV
            written[item.sha256] = (f"audio/{name}", media, duration, note)
        path, media, duration, note = written[item.sha256]
        rows.append(_row(item, path, media, duration, note, item.sha256))
    return rows


def _row(
    item: SpeechItem, path: str, media: str, duration: float | None, note: str, sha256: str
) -> dict[str, Any]:
    return {
        "audio_filepath": path,
        "duration": duration,
        "text": item.text,
        "language": item.language,
        "variety": item.variety,
        "speaker": item.speaker,
        "consent": True,
        "source": item.source,
        "source_type": item.source_type,
        "source_id": item.source_id,
        "recording_id": item.recording_id,
        "sha256": sha256,
        "media_type": media,
        "note": note,
    }


def _write_manifests(rows: list[dict[str, Any]], folder: Path) -> str:
    jsonl = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()
    (folder / "manifest.jsonl").write_bytes(jsonl)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row[k] is None else row[k] for k in FIELDS})
    (folder / "manifest.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return hashlib.sha256(jsonl).hexdigest()


def _check_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise Conflict(f"输出位置 {out} 已存在且不是空文件夹；请指定新的文件夹")


def export(
    session: Session,
    store: EvidenceStore,
    actor: Actor,
    out: Path,
    language: str | None = None,
    variety: str | None = None,
) -> tuple[ExportResult, Selection]:
    """Write the export to `out` (a new or empty folder) and audit it in the caller's
    transaction (the caller commits). On any failure nothing is left at `out`."""
    _check_target(out)
    selection = select_items(session, language, variety)
    out.parent.mkdir(parents=True, exist_ok=True)
    building = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    building.mkdir()
    try:
        rows = _rows(store, selection.items, building)
        manifest_sha = _write_manifests(rows, building)
        hashes = sorted({item.sha256 for item in selection.items})
        result = ExportResult(
            out, len(rows), len(hashes), selection.skipped_counts(), manifest_sha, hashes
        )
        record(
            session,
            actor,
            "speech.export",
            "speech_export",
            manifest_sha,
            details={
                "language": language or "",
                "variety": variety or "",
                "items": result.items,
                "skipped": result.skipped,
                "manifest_sha256": manifest_sha,
                "audio_sha256": hashes,
            },
        )
        _check_target(out)
        if out.exists():
            out.rmdir()
        os.replace(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return result, selection


def export_zip(
    session: Session,
    store: EvidenceStore,
    actor: Actor,
    work: Path,
    language: str | None = None,
    variety: str | None = None,
) -> tuple[Path, ExportResult]:
    """The export as one zip file (folder `speech-data/` inside), built under `work`, a
    private temporary folder the caller removes. Audited like `export`."""
    result, _ = export(session, store, actor, work / "speech-data", language, variety)
    archive = work / "speech-data.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(result.folder.rglob("*")):
            if path.is_file():
                z.write(
                    path,
                    f"speech-data/{path.relative_to(result.folder).as_posix()}",
                    compress_type=(
                        zipfile.ZIP_STORED if path.parent.name == "audio" else zipfile.ZIP_DEFLATED
                    ),
                )
    return archive, result
