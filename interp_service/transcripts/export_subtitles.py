"""The bilingual transcript as subtitles (SRT, WebVTT) and as JSON.

Subtitles carry only segments with both a start and an end time (seconds from the start of
the recording, printed to the millisecond). A text that nobody reviewed is followed by its
provenance in 〔〕 so that a subtitle never passes off a machine suggestion as checked.
All exports are UTF-8 bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from typing import Any, Literal

from interp_service.errors import ValidationFailed
from interp_service.interviews.record import clean
from interp_service.transcripts import export_text as x
from interp_service.transcripts.shapes import (
    ExportSegment,
    ExportSource,
    TranscriptExport,
)

Which = Literal["source", "target", "both"]
JSON_FORMAT_VERSION = 1
NO_TIMES = "该笔录没有时间信息，不能导出字幕"
_BLANK_LINES = re.compile(r"\n\s*\n+")


def _stamp(seconds: float, decimal: str) -> str:
    """HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (VTT)."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{millis:03d}"


def _timed(t: TranscriptExport) -> list[tuple[ExportSegment, float, float]]:
    """(segment, start, end) for each segment with both times, in sequence order."""
    x.check(t)
    timed = [
        (s, s.start_s, s.end_s)
        for s in x.ordered(t)
        if s.start_s is not None and s.end_s is not None
    ]
    if not timed:
        raise ValidationFailed(NO_TIMES)
    return timed


def _text(segment: ExportSegment, *, target: bool) -> str:
    """One side of a segment; a blank line would end the cue, so none is kept."""
    raw = segment.target_text if target else segment.source_text
    text = _BLANK_LINES.sub("\n", x.text_or_blank(raw, target=target).strip())
    if segment.reviewed or not raw.strip():
        return text
    code = segment.target_provenance if target else segment.source_provenance
    return f"{text}〔{x.provenance(raw, code)}，{x.REVIEWED_LABELS[False]}〕"


def _lines(segment: ExportSegment, which: Which) -> list[str]:
    if which not in ("source", "target", "both"):
        raise ValueError(f"which must be source, target or both, not {which!r}")
    sides = {"source": [False], "target": [True], "both": [False, True]}[which]
    return [_text(segment, target=target) for target in sides]


def transcript_srt(t: TranscriptExport, which: Which = "both") -> bytes:
    """SubRip cues numbered by segment sequence, the speaker as a 「讯问人：」 prefix.
    Raises ValidationFailed (422) when no segment has times."""
    cues = []
    for s, start, end in _timed(t):
        text = "\n".join(_lines(s, which))
        timing = f"{_stamp(start, ',')} --> {_stamp(end, ',')}"
        cues.append(f"{s.sequence}\n{timing}\n{x.speaker(t, s)}：{text}\n")
    return "\n".join(cues).encode("utf-8")


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def transcript_vtt(t: TranscriptExport, which: Which = "both") -> bytes:
    """WebVTT with the speaker as a voice span (`<v 讯问人>`) and a NOTE naming the case and
    the source files' SHA-256. Raises ValidationFailed (422) when no segment has times."""
    timed = _timed(t)
    note = [f"NOTE\n{x.TITLE}　案号 {clean(t.case_number)}　{clean(t.interview_label)}"]
    note += [x.source_line(n, s) for n, s in enumerate(t.sources, start=1)]
    blocks = ["WEBVTT", _BLANK_LINES.sub("\n", "\n".join(note)).replace("-->", "->")]
    for s, start, end in timed:
        voice = _vtt_escape(x.speaker(t, s))
        text = "\n".join(f"<v {voice}>{_vtt_escape(line)}</v>" for line in _lines(s, which))
        timing = f"{_stamp(start, '.')} --> {_stamp(end, '.')}"
        blocks.append(f"{s.sequence}\n{timing}\n{text}")
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def transcript_json(t: TranscriptExport) -> bytes:
    """Every field of the export, plus `format_version`, as UTF-8 JSON (not ASCII-escaped)."""
    x.check(t)
    body: dict[str, Any] = {"format_version": JSON_FORMAT_VERSION, **asdict(t)}
    return json.dumps(body, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")


def transcript_from_json(data: bytes) -> TranscriptExport:
    """The export back from `transcript_json` bytes; ValueError on another format version."""
    body = json.loads(data.decode("utf-8"))
    if body.pop("format_version", None) != JSON_FORMAT_VERSION:
        raise ValueError(f"not a transcript export of format version {JSON_FORMAT_VERSION}")
    sources = [ExportSource(**source) for source in body.pop("sources")]
    segments = [ExportSegment(**segment) for segment in body.pop("segments")]
    return TranscriptExport(**body, sources=sources, segments=segments)
