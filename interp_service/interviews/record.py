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
# 讯问 (suspects, defendants) or 询问 (witnesses, victims, others): title and role labels.
TITLE = "询问笔录"
TITLES = {"suspect": "讯问笔录", "defendant": "讯问笔录"}
BILINGUAL = "（双语）"
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
NO_READ_BACK = "（未记录译员宣读声明）"
GLOSS_NOT_SHOWN = "逐词对照，不是译文，不列出"

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
    recorder_name: str | None = None
    suggestion_is_gloss: bool = False
    notes: tuple[str, ...] = ()

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
    party_role: str = "other"
    recorder_names: list[str] = field(default_factory=list)
    declaration_lines: list[str] = field(default_factory=list)
    read_back_line: str = NO_READ_BACK

    @property
    def title(self) -> str:
        return TITLES.get(self.party_role, TITLE)

    @property
    def is_interrogation(self) -> bool:
        """讯问 (a suspect or defendant) rather than 询问."""
        return self.party_role in TITLES

    @property
    def kind_label(self) -> str:
        """讯问 or 询问, as in 讯问时间, 讯问内容."""
        return "讯问" if self.is_interrogation else "询问"

    @property
    def asker_label(self) -> str:
        return "讯问人" if self.is_interrogation else "询问人"

    @property
    def party_label(self) -> str:
        return "被讯问人" if self.is_interrogation else "被询问人"

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
