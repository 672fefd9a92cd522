"""From the stored bytes of a transcript file to speaker turns: decode (text and
subtitles), extract (DOCX), clean up (with the changes listed) and split into turns."""

from __future__ import annotations

from dataclasses import dataclass, field

from interp_service.transcripts.cleanup import clean
from interp_service.transcripts.decoding import decode_text
from interp_service.transcripts.docx_text import read_docx
from interp_service.transcripts.shapes import Change, Turn
from interp_service.transcripts.subtitles import read_srt, read_vtt
from interp_service.transcripts.turns import split_turns


@dataclass(frozen=True)
class ReadTranscript:
    turns: list[Turn]
    encoding: str
    changes: list[Change] = field(default_factory=list)


def read_file(
    kind: str,
    data: bytes,
    max_docx_uncompressed_bytes: int,
    *,
    to_simplified: bool = False,
    keep_lines: frozenset[int] = frozenset(),
) -> ReadTranscript:
    """Turns of a text, DOCX or subtitle file; raises the service's errors on bad input."""
    if kind == "docx":
        text, encoding, repair = read_docx(data, max_docx_uncompressed_bytes), "docx", None
    else:
        decoded = decode_text(data)
        text, encoding = decoded.text, decoded.encoding
        repair = (
            Change("encoding", 0, "", "", f"已修复乱码（按 {decoded.encoding} 重新解码）")
            if decoded.repaired
            else None
        )
    head = [repair] if repair else []
    if kind in ("srt", "vtt"):
        turns = read_srt(text) if kind == "srt" else read_vtt(text)
        return ReadTranscript(turns, encoding, head)
    cleaned = clean(text, to_simplified=to_simplified, keep_lines=keep_lines)
    return ReadTranscript(split_turns(cleaned.text), encoding, head + list(cleaned.changes))


def read_turns(kind: str, data: bytes, max_docx_uncompressed_bytes: int) -> list[Turn]:
    return read_file(kind, data, max_docx_uncompressed_bytes).turns
