"""Plain data passed between the transcript's stages (reading, clean-up, segmenting,
export), free of the database so each stage can be tested alone.

Times are seconds from the start of the recording or subtitle file; `None` when the
source has no times (a text file, a DOCX).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SPEAKER_ROLES = ("interviewer", "party", "interpreter", "other", "unknown")
"""讯问人 / 当事人 / 译员 / 其他 / 未确认: what a clerk confirms for each speaker label."""

PROVENANCES = ("memory", "model", "gloss", "human", "speech", "none")
"""How a segment's text or translation was produced: approved translation memory, the
machine-translation model, the word-by-word glossary gloss, typed by a person, speech
recognition, or nothing yet."""


@dataclass(frozen=True)
class DecodedText:
    """Bytes of an uploaded text file turned into text."""

    text: str
    encoding: str
    """The codec that decoded it, as Python names it ("utf-8", "gb18030", "utf-16", "big5")."""
    repaired: bool = False
    """True when mojibake (UTF-8 read as GBK/Latin-1 and saved again) was undone."""


@dataclass(frozen=True)
class Change:
    """One change clean-up made, shown to the clerk; a removed line can be restored."""

    kind: str
    """One of: "encoding", "traditional", "pinyin", "width", "zero_width", "boilerplate",
    "blank"."""
    line: int
    """1-based line number in the decoded text (before clean-up)."""
    before: str
    after: str
    """"" when the whole line was removed."""
    reason: str
    """Plain Chinese, e.g. 「网页导航」, 「版权声明」, 「广告或垃圾信息」, 「行内拼音注音」."""


@dataclass(frozen=True)
class CleanedText:
    text: str
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Turn:
    """One speaker's turn as read from the text: `speaker` is the label as written
    ("问", "答", "Q", "讯问人", "张三"), "" when the text names none."""

    speaker: str
    text: str
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class ExportSegment:
    sequence: int
    speaker_label: str
    speaker_role: str
    source_language: str
    source_text: str
    source_provenance: str
    target_language: str
    target_text: str
    target_provenance: str
    reviewed: bool
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class ExportSource:
    original_name: str
    sha256: str
    media_type: str


@dataclass(frozen=True)
class TranscriptExport:
    """Everything a bilingual export prints; built from the database by the service."""

    case_number: str
    case_title: str
    interview_label: str
    """E.g. 「2026-12-01 讯问 第1次」."""
    participants: list[str]
    """Lines such as 「讯问人：王某」, 「当事人：李某（苗语）」."""
    interpreter: str
    """「译员：张某（外聘）」 or 「未记录译员」: the record never guesses."""
    sources: list[ExportSource]
    segments: list[ExportSegment]
    generated_at: str
    """ISO 8601, UTC."""
