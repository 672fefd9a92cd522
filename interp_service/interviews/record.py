"""The interview record as the exporters see it: plain frozen dataclasses, no database.

Both exporters (DOCX and PDF) print the same wording, so the labels and the lines they
are made of live here. Times are stored in UTC and printed in Beijing time (UTC+8, no
daylight saving since 1991), always labelled as such.

The tool's suggestion is never presented as the interpretation: the interpreter's
rendering is printed as 译员译文, and the suggestion only as 工具建议 with its provenance
and the disclaimer `SUGGESTION_DISCLAIMER`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Literal, get_args

RenderingKind = Literal["accepted", "edited", "replaced"]

BEIJING = timezone(timedelta(hours=8), "UTC+8")
TITLE = "询问笔录（双语）"
TIME_LABEL = "北京时间，UTC+8"
SUGGESTION_LABEL = "工具建议"
SUGGESTION_DISCLAIMER = "机器建议仅供参考，不是译文"
NO_RENDERING = "（译员未给出译文）"
NO_SUGGESTION = "（工具未给出建议）"
NOTICE = (
    f"说明：“译员译文”是译员当场给出的口译内容，以此为准。“{SUGGESTION_LABEL}”是辅助工具"
    f"提出的参考文字，{SUGGESTION_DISCLAIMER}，仅为记录译员如何使用工具而列出。"
    f"苗语按 1956 年湘西苗文（拉丁字母）书写。时间均为{TIME_LABEL}。"
)
EXCHANGE_COLUMNS = ("序号", "时间", "说话人", "原话", "译员译文")
SIGNATURE_DATE = "日期：________年____月____日"
SIGNATURE_NAME = "签名：________________________"
PAGE_SIGNATURES = "本页当事人签名：______________　　本页译员签名：______________"

LANGUAGE_LABELS: dict[str, str] = {
    "cmn": "汉语",
    "zho": "汉语",
    "mmr": "湘西西部苗语",
    "muq": "湘西东部苗语",
}
RENDERING_KIND_LABELS: dict[str, str] = {
    "accepted": "采纳（照用工具建议）",
    "edited": "修改（在工具建议基础上修改）",
    "replaced": "替换（未用工具建议，译员另译）",
}
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
# Characters XML 1.0 (and so DOCX) cannot hold; tab and newline are kept.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _check_utc_aware(name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value!r}")


def _check_sha256(value: str) -> None:
    if not _SHA256.fullmatch(value):
        raise ValueError(f"not a hex SHA-256 digest: {value!r}")


@dataclass(frozen=True)
class ExchangeRecord:
    """One utterance in the interview and what the interpreter made of it."""

    sequence: int
    spoken_at: datetime
    source_language: str
    target_language: str
    speaker_role: str
    source_text: str
    source_audio_sha256: str | None = None
    suggestion_text: str | None = None
    suggestion_provenance: str = ""
    rendering_text: str | None = None
    rendering_kind: RenderingKind | None = None
    interpreter_name: str | None = None

    def __post_init__(self) -> None:
        _check_utc_aware("spoken_at", self.spoken_at)
        if self.source_audio_sha256 is not None:
            _check_sha256(self.source_audio_sha256)
        if self.rendering_kind is not None:
            if self.rendering_kind not in get_args(RenderingKind):
                raise ValueError(f"unknown rendering_kind {self.rendering_kind!r}")
            if self.rendering_text is None:
                raise ValueError("rendering_kind given without rendering_text")

    @property
    def direction(self) -> str:
        """The language pair as ISO 639-3 codes, e.g. ``cmn→mmr``."""
        return f"{self.source_language}→{self.target_language}"


@dataclass(frozen=True)
class SegmentRecord:
    """A stretch of an uploaded recording: Mandarin the recogniser transcribed (labelled as
    machine text) or speech a competent person transcribed and approved."""

    recording: str
    start_s: float
    end_s: float
    text: str
    machine: bool
    approved_by: str | None = None


@dataclass(frozen=True)
class InterviewRecord:
    """Everything printed on the bilingual interview record."""

    case_number: str
    case_title: str
    interview_id: str
    party_name: str
    party_language_label: str
    place: str
    started_at: datetime
    finished_at: datetime | None
    participants: list[str]
    interpreter_names: list[str]
    prosecutor_names: list[str]
    glossary_release: int | None
    exchanges: list[ExchangeRecord]
    exported_at: datetime
    exported_by: str
    audio_hashes: list[str] = field(default_factory=list)
    segments: list[SegmentRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in ("started_at", "finished_at", "exported_at"):
            _check_utc_aware(name, getattr(self, name))
        for digest in self.audio_hashes:
            _check_sha256(digest)
        sequences = [exchange.sequence for exchange in self.exchanges]
        if len(set(sequences)) != len(sequences):
            raise ValueError("exchange sequence numbers must be unique")

    def ordered_exchanges(self) -> list[ExchangeRecord]:
        return sorted(self.exchanges, key=lambda exchange: exchange.sequence)


def clean(text: str) -> str:
    """Text safe for both exporters: normalised line ends, no XML-invalid characters."""
    return _XML_INVALID.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def to_beijing(moment: datetime) -> datetime:
    return moment.astimezone(BEIJING)


def format_beijing(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in Beijing time (the caller prints the label)."""
    return to_beijing(moment).strftime("%Y-%m-%d %H:%M:%S")


def language_label(code: str) -> str:
    return LANGUAGE_LABELS.get(code, code)


def names(values: list[str]) -> str:
    return "、".join(clean(v) for v in values if v.strip()) or "（无）"


def interview_period(record: InterviewRecord) -> str:
    start = format_beijing(record.started_at)
    if record.finished_at is None:
        return f"{start} 起（未记录结束时间）（{TIME_LABEL}）"
    end = to_beijing(record.finished_at)
    same_day = end.date() == to_beijing(record.started_at).date()
    end_text = end.strftime("%H:%M:%S") if same_day else format_beijing(record.finished_at)
    return f"{start} 至 {end_text}（{TIME_LABEL}）"


def glossary_label(record: InterviewRecord) -> str:
    if record.glossary_release is None:
        return "未使用术语库"
    return f"第 {record.glossary_release} 版"


def header_rows(record: InterviewRecord) -> list[tuple[str, str]]:
    """The labelled lines of the header block, in print order."""
    return [
        ("案号", clean(record.case_number)),
        ("案件名称", clean(record.case_title)),
        ("询问编号", clean(record.interview_id)),
        ("询问时间", interview_period(record)),
        ("询问地点", clean(record.place)),
        ("当事人", clean(record.party_name)),
        ("当事人语言", clean(record.party_language_label)),
        ("检察官", names(record.prosecutor_names)),
        ("译员", names(record.interpreter_names)),
        ("在场人员", names(record.participants)),
        ("术语库版本", glossary_label(record)),
    ]


def exchange_time(record: InterviewRecord, exchange: ExchangeRecord) -> str:
    """Clock time of an exchange; the date too when it differs from the interview's."""
    spoken = to_beijing(exchange.spoken_at)
    if spoken.date() == to_beijing(record.started_at).date():
        return spoken.strftime("%H:%M:%S")
    return format_beijing(exchange.spoken_at)


def speaker_label(exchange: ExchangeRecord) -> str:
    source = language_label(exchange.source_language)
    target = language_label(exchange.target_language)
    return f"{clean(exchange.speaker_role)}（{source}→{target}）"


def rendering_text(exchange: ExchangeRecord) -> str:
    if exchange.rendering_text is None or not exchange.rendering_text.strip():
        return NO_RENDERING
    return clean(exchange.rendering_text)


def rendering_by(exchange: ExchangeRecord) -> str:
    if exchange.interpreter_name and exchange.rendering_text:
        return f"（译员：{clean(exchange.interpreter_name)}）"
    return ""


def suggestion_line(exchange: ExchangeRecord) -> str:
    """The small-print line about the tool's suggestion, never read as the interpretation."""
    text = clean(exchange.suggestion_text) if exchange.suggestion_text else NO_SUGGESTION
    parts = [f"{SUGGESTION_LABEL}（{SUGGESTION_DISCLAIMER}）：{text}"]
    if exchange.suggestion_provenance.strip():
        parts.append(f"来源：{clean(exchange.suggestion_provenance)}")
    if exchange.rendering_kind is not None:
        parts.append(f"译员处理：{RENDERING_KIND_LABELS[exchange.rendering_kind]}")
    return "　｜　".join(parts)


def audio_line(exchange: ExchangeRecord) -> str:
    if exchange.source_audio_sha256 is None:
        return ""
    return f"原话录音 SHA-256：{exchange.source_audio_sha256}"


def signature_blocks(record: InterviewRecord) -> list[tuple[str, str]]:
    """(role, printed name) for each signature: every interpreter, the party, every
    prosecutor; a role with no named person still gets one blank line."""
    blocks = [("译员", clean(n)) for n in record.interpreter_names if n.strip()] or [("译员", "")]
    blocks.append(("当事人", clean(record.party_name)))
    prosecutors = [("检察官", clean(n)) for n in record.prosecutor_names if n.strip()]
    blocks.extend(prosecutors or [("检察官", "")])
    return blocks


def closing_note(record: InterviewRecord) -> str:
    count = len(record.exchanges)
    return (
        f"以上笔录共 {count} 句，以“译员译文”为准；“{SUGGESTION_LABEL}”为{SUGGESTION_DISCLAIMER}。"
    )


def signature_heading(role: str, name: str) -> str:
    return f"{role}（{name}）" if name else role


def footer_line(record: InterviewRecord) -> str:
    return (
        f"导出时间 {format_beijing(record.exported_at)}（{TIME_LABEL}）　"
        f"导出人 {clean(record.exported_by)}　术语库 {glossary_label(record)}"
    )


def page_label(page: int | str, total: int | str) -> str:
    return f"第 {page} 页 共 {total} 页"


def clock(seconds: float) -> str:
    """Seconds as m:ss.s (a time within a recording)."""
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def segment_line(segment: SegmentRecord) -> str:
    times = f"{clean(segment.recording)} {clock(segment.start_s)}–{clock(segment.end_s)}"
    if segment.machine:
        return f"{times}　普通话·机器识别，仅供参考：{clean(segment.text)}"
    return f"{times}　人工转写（{clean(segment.approved_by or '')}批准）：{clean(segment.text)}"
