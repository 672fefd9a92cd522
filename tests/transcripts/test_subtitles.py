"""SubRip and WebVTT files read as turns with times in seconds."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from interp_service.errors import ValidationFailed
from interp_service.transcripts.shapes import Turn
from interp_service.transcripts.subtitles import read_srt, read_vtt

SRT = (
    "\ufeff1\r\n"
    "00:00:01,500 --> 00:00:04,000\r\n"
    "问：你叫什么名字？\r\n"
    "\r\n"
    "2\r\n"
    "00:00:04,250 --> 00:00:06,000\r\n"
    "<i>zz-0001</i>\r\n"
    "zz-0002 &amp; zz-0003\r\n"
    "\r\n"
    "3\r\n"
    "01:02:03,040 --> 01:02:05,100 X1:10 X2:20 Y1:30 Y2:40\r\n"
    "{\\an8}张三：我可以作证。\r\n"
)

VTT = (
    "WEBVTT - 讯问录音\n"
    "Kind: captions\n"
    "\n"
    "NOTE 这是注释，\n"
    "不是字幕\n"
    "\n"
    "STYLE\n"
    "::cue { color: white }\n"
    "\n"
    "cue-1\n"
    "00:05.250 --> 00:07.000 align:start position:10%\n"
    "<v 王某>你当时在哪里？</v>\n"
    "\n"
    "00:00:07.500 --> 00:00:09.000\n"
    "<v.loud 译员>他说在家。\n"
    "\n"
    "00:10.000 --> 00:12.000\n"
    "答：<c.yellow>zz-0004</c>\n"
)


def test_srt_cues_with_labels_markup_and_hours() -> None:
    first, second, third = read_srt(SRT)
    assert first == Turn("问", "你叫什么名字？", 1.5, 4.0)
    assert second == Turn("", "zz-0001\nzz-0002 & zz-0003", 4.25, 6.0)
    assert (third.speaker, third.text) == ("张三", "我可以作证。")
    assert third.start_s == pytest.approx(3723.04)
    assert third.end_s == pytest.approx(3725.1)


def test_vtt_cues_with_voices_notes_styles_and_short_times() -> None:
    assert read_vtt(VTT) == [
        Turn("王某", "你当时在哪里？", 5.25, 7.0),
        Turn("译员", "他说在家。", 7.5, 9.0),
        Turn("答", "zz-0004", 10.0, 12.0),
    ]


def _broken(reader: Callable[[str], list[Turn]], text: str) -> str:
    with pytest.raises(ValidationFailed) as caught:
        reader(text)
    assert caught.value.field == "file"
    return caught.value.detail


def test_srt_broken_timestamp_names_the_cue() -> None:
    text = SRT.replace("00:00:04,250 --> 00:00:06,000", "00:00:0x,250 --> 00:00:06,000")
    assert (
        _broken(read_srt, text) == "第 2 条字幕的时间格式有误：「00:00:0x,250」不是 时:分:秒,毫秒"
    )


def test_srt_seconds_past_59_and_end_before_start() -> None:
    text = SRT.replace("01:02:03,040", "01:02:63,040")
    assert _broken(read_srt, text) == "第 3 条字幕的时间格式有误：「01:02:63,040」的分或秒超过 59"
    text = SRT.replace("00:00:01,500 --> 00:00:04,000", "00:00:04,000 --> 00:00:01,500")
    assert _broken(read_srt, text) == (
        "第 1 条字幕的时间格式有误：结束时间 00:00:01,500 早于开始时间 00:00:04,000"
    )


def test_srt_cue_without_timing_line() -> None:
    text = SRT.replace("00:00:04,250 --> 00:00:06,000\r\n", "")
    assert _broken(read_srt, text) == "第 2 条字幕的时间格式有误：缺少「开始 --> 结束」时间行"


def test_vtt_broken_timestamp_counts_cues_not_notes() -> None:
    text = VTT.replace("00:00:07.500", "00:00:07-500")
    assert (
        _broken(read_vtt, text) == "第 2 条字幕的时间格式有误：「00:00:07-500」不是 时:分:秒,毫秒"
    )


def test_vtt_must_start_with_its_signature() -> None:
    assert _broken(read_vtt, SRT) == "不是 WebVTT 字幕：第一行应为 WEBVTT"


def test_vtt_cue_right_after_the_header_line() -> None:
    text = "WEBVTT\n00:01.000 --> 00:02.000\n问：你好。\n\n00:03.000 --> 00:04.000\n答：zz-0005\n"
    assert read_vtt(text) == [Turn("问", "你好。", 1.0, 2.0), Turn("答", "zz-0005", 3.0, 4.0)]
