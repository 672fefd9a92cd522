"""Subtitle files (SubRip .srt, WebVTT .vtt) read as turns with times in seconds.

Cues are separated by blank lines; each has an optional identifier line (the number in
SRT), a timing line `start --> end` and its text lines, joined with "\\n". Times are
`[hours:]minutes:seconds.milliseconds` with a comma or a full stop before the
milliseconds (SRT writes the comma and always the hours; both forms are read in both
files); minutes and seconds must be below 60, the end must not be before the start.
A broken timing line raises ValidationFailed 「第 N 条字幕的时间格式有误：…」, N counting the
cues from 1 in file order (the SRT's own numbers may skip or repeat; the position does not).

Speaker: WebVTT's voice tag (`<v Name>` or `<v.class Name>`) names it; otherwise a
leading label on the cue's first line (`turns.speaker_label`: 问：, 张三：, John:), removed
from the text. Markup (<i>, <b>, <c.x>, <00:00:01.000>, ASS {\\an8}) is dropped, HTML
entities (&amp;) are unescaped, and cues whose text ends up empty are skipped.
"""

from __future__ import annotations

import html
import re

from interp_service.errors import ValidationFailed
from interp_service.transcripts.shapes import Turn
from interp_service.transcripts.turns import speaker_label

__all__ = ["read_srt", "read_vtt"]

_LINE_ENDS = re.compile(r"\r\n|\r")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})")
_TIMING = re.compile(r"^\s*(\S+?)\s*-->\s*(\S+)(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
# Comment, style sheet and region blocks: not cues.
_VTT_SKIPPED = re.compile(r"(NOTE|STYLE|REGION)(?:[ \t]|$)")


def _broken(cue: int, why: str) -> ValidationFailed:
    return ValidationFailed(f"第 {cue} 条字幕的时间格式有误：{why}", field="file")


def _seconds(value: str, cue: int) -> float:
    match = _TIME.fullmatch(value)
    if match is None:
        raise _broken(cue, f"「{value}」不是 时:分:秒,毫秒")
    hours, minutes, seconds, millis = match.groups()
    if int(minutes) >= 60 or int(seconds) >= 60:
        raise _broken(cue, f"「{value}」的分或秒超过 59")
    return (
        int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis.ljust(3, "0")) / 1000
    )


def _blocks(text: str) -> list[list[str]]:
    text = _LINE_ENDS.sub("\n", text.removeprefix("\ufeff"))
    return [block.split("\n") for block in _BLANK_LINES.split(text.strip("\n")) if block.strip()]


def _cue(lines: list[str], cue: int, voice_tags: bool) -> Turn | None:
    """The turn of one cue's lines (identifier line allowed), or None when it has no text."""
    timing_at = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
    if timing_at is None:
        raise _broken(cue, "缺少「开始 --> 结束」时间行")
    timing = _TIMING.match(lines[timing_at])
    if timing is None:
        raise _broken(cue, f"「{lines[timing_at].strip()}」不是「开始 --> 结束」")
    start, end = _seconds(timing.group(1), cue), _seconds(timing.group(2), cue)
    if end < start:
        raise _broken(cue, f"结束时间 {timing.group(2)} 早于开始时间 {timing.group(1)}")
    body = "\n".join(lines[timing_at + 1 :])
    speaker = ""
    voice = _VOICE.search(body) if voice_tags else None
    if voice is not None:
        speaker = voice.group(1).strip()
    text_lines = [html.unescape(_TAG.sub("", line)).strip() for line in body.split("\n")]
    text_lines = [line for line in text_lines if line]
    if not text_lines:
        return None
    if not speaker:
        found = speaker_label(text_lines[0])
        if found is not None:
            speaker, first = found
            text_lines = [first, *text_lines[1:]] if first else text_lines[1:]
    return Turn(speaker, "\n".join(text_lines), start, end)


def read_srt(text: str) -> list[Turn]:
    """The cues of a SubRip file as turns (times in seconds), in file order."""
    turns = (_cue(block, cue, False) for cue, block in enumerate(_blocks(text), start=1))
    return [turn for turn in turns if turn is not None]


def read_vtt(text: str) -> list[Turn]:
    """The cues of a WebVTT file as turns (times in seconds), in file order. Raises
    ValidationFailed when the file does not start with WEBVTT."""
    blocks = _blocks(text)
    if not blocks or not re.match(r"WEBVTT(?:[ \t]|$)", blocks[0][0]):
        raise ValidationFailed("不是 WebVTT 字幕：第一行应为 WEBVTT", field="file")
    header = blocks[0]
    timing_at = next((i for i, line in enumerate(header) if "-->" in line), None)
    if timing_at is not None:  # no blank line after the header: the cue still counts
        blocks = [header[:timing_at], header[timing_at:], *blocks[1:]]
    turns: list[Turn] = []
    cues = (block for block in blocks[1:] if not _VTT_SKIPPED.match(block[0]))
    for cue, block in enumerate(cues, start=1):
        turn = _cue(block, cue, True)
        if turn is not None:
            turns.append(turn)
    return turns
