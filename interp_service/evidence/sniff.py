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
    "PDF、DOCX、纯文本（UTF-8/GB18030）、WAV/MP3/M4A/OGG/WebM/FLAC 音频、PNG/JPEG 图片"
)


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
    if head and b"\x00" not in head and filename.lower().endswith((".txt", ".tsv", ".csv")):
        return "text/plain"
    return None
