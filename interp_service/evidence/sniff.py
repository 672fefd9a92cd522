"""Decide a file's type from its first bytes, not from what the client claims."""

from __future__ import annotations

SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"OggS", 0, "audio/ogg"),
    (b"fLaC", 0, "audio/flac"),
    (b"ID3", 0, "audio/mpeg"),
    (b"ftyp", 4, "audio/mp4"),
    (b"\x1a\x45\xdf\xa3", 0, "audio/webm"),
]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_DESCRIPTION = (
    "PDF、DOCX、纯文本（UTF-8/UTF-16/GB18030/Big5）、SRT/VTT 字幕、"
    "WAV/MP3/M4A/OGG/WebM/FLAC 音频、PNG/JPEG 图片"
)
TEXT_TYPES = {
    ".txt": "text/plain",
    ".tsv": "text/plain",
    ".csv": "text/plain",
    ".srt": "application/x-subrip",
    ".vtt": "text/vtt",
}
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def sniff(head: bytes, filename: str) -> str | None:
    """The media type of an allowed file, or None when the type is not accepted."""
    for magic, offset, media in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return media
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:2] == b"\xff\xfb" or head[:2] == b"\xff\xf3":
        return "audio/mpeg"
    if head[:4] == b"PK\x03\x04" and filename.lower().endswith(".docx"):
        return DOCX
    suffix = "." + filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in TEXT_TYPES and head and _textlike(head):
        return TEXT_TYPES[suffix]
    return None


def _textlike(head: bytes) -> bool:
    """No NUL bytes, or the NULs of UTF-16 (a BOM, or NULs only at even or only at odd
    offsets, as in BOM-less UTF-16 text that is mostly ASCII or CJK)."""
    if b"\x00" not in head or head.startswith(UTF16_BOMS):
        return True
    zeros = {i % 2 for i, byte in enumerate(head) if byte == 0}
    return len(zeros) == 1
