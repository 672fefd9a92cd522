"""The printed wording of a bilingual transcript export, shared by the DOCX, PDF and subtitle
exporters, and the checks every export runs before printing anything.

Times in segments are seconds from the start of the source recording and print as mm:ss
(minutes may exceed 59; seconds are truncated, never rounded up past what was said).
`generated_at` is ISO 8601 UTC and prints in Beijing time, labelled as such.
"""

from __future__ import annotations

import re
from datetime import datetime

from interp_service.interviews.record import TIME_LABEL, clean, format_beijing
from interp_service.transcripts.shapes import (
    PROVENANCES,
    SPEAKER_ROLES,
    ExportSegment,
    ExportSource,
    TranscriptExport,
)
from interp_service.web.labels import LANGUAGES

TITLE = "双语笔录"
SUBTITLE = "逐段标明来源与核对状态；未核对的内容仅供参考，以核对后的内容为准"
NOTICE = (
    "说明：每段原文和译文下方注明其来源（翻译记忆、机器翻译、词表逐词、人工、语音识别）"
    "及是否已经人工核对。机器翻译和词表逐词的译文是辅助工具的输出，不是译员的译文；"
    "“未核对”的内容未经人工核实。页眉所列为来源文件的 SHA-256 校验值，可用于核对原件。"
)
COLUMNS = ("序号", "说话人", "原文", "译文")
NO_TARGET = "（暂无译文）"
NO_SOURCE = "（无原文）"

# Labels for `shapes.PROVENANCES`; web/labels.py has none for these codes.
PROVENANCE_LABELS: dict[str, str] = {
    "memory": "翻译记忆",
    "model": "机器翻译",
    "gloss": "词表逐词",
    "human": "人工",
    "speech": "语音识别",
    "none": "无",
}
REVIEWED_LABELS = {True: "已核对", False: "未核对"}
# Labels for `shapes.SPEAKER_ROLES`; the questioner is 询问人 in a 询问 (see `role_label`).
ROLE_LABELS: dict[str, str] = {
    "interviewer": "讯问人",
    "party": "当事人",
    "interpreter": "译员",
    "other": "其他",
    "unknown": "未确认",
}
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def check(t: TranscriptExport) -> None:
    """Refuse an export whose data could print something untrue (unknown codes, bad
    digests, impossible times, repeated sequence numbers). Raises ValueError: the service
    builds `TranscriptExport`, so this is a programming error, not user input."""
    if not t.sources:
        raise ValueError("a transcript export needs at least one source file")
    for source in t.sources:
        if not _SHA256.fullmatch(source.sha256):
            raise ValueError(f"not a SHA-256 digest: {source.sha256!r}")
    sequences = [segment.sequence for segment in t.segments]
    if len(set(sequences)) != len(sequences):
        raise ValueError("segment sequence numbers must be unique")
    for s in t.segments:
        for code in (s.source_provenance, s.target_provenance):
            if code not in PROVENANCES:
                raise ValueError(f"segment {s.sequence}: unknown provenance {code!r}")
        if s.speaker_role not in SPEAKER_ROLES:
            raise ValueError(f"segment {s.sequence}: unknown speaker role {s.speaker_role!r}")
        for value in (s.start_s, s.end_s):
            if value is not None and not value >= 0:  # also refuses NaN
                raise ValueError(f"segment {s.sequence}: bad time {value!r}")
        if s.start_s is not None and s.end_s is not None and s.end_s < s.start_s:
            raise ValueError(f"segment {s.sequence}: ends before it starts")
    generated_at(t)


def generated_at(t: TranscriptExport) -> datetime:
    moment = datetime.fromisoformat(t.generated_at)
    if moment.utcoffset() is None:
        raise ValueError(f"generated_at must carry its UTC offset: {t.generated_at!r}")
    return moment


def generated_line(t: TranscriptExport) -> str:
    return f"生成时间 {format_beijing(generated_at(t))}（{TIME_LABEL}）"


def ordered(t: TranscriptExport) -> list[ExportSegment]:
    return sorted(t.segments, key=lambda segment: segment.sequence)


def clock(seconds: float) -> str:
    """Seconds as mm:ss, truncated (a time within a recording)."""
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def times(segment: ExportSegment) -> str:
    """「mm:ss–mm:ss」, 「mm:ss 起」, or "" when the segment has no times."""
    if segment.start_s is None:
        return "" if segment.end_s is None else f"至 {clock(segment.end_s)}"
    if segment.end_s is None:
        return f"{clock(segment.start_s)} 起"
    return f"{clock(segment.start_s)}–{clock(segment.end_s)}"


def role_label(t: TranscriptExport, role: str) -> str:
    """The role's label; the questioner is 询问人 when the interview is labelled 询问
    (witnesses, victims) and not 讯问."""
    if role == "interviewer" and "询问" in t.interview_label and "讯问" not in t.interview_label:
        return "询问人"
    return ROLE_LABELS.get(role, role)


def speaker(t: TranscriptExport, segment: ExportSegment) -> str:
    """「讯问人」, 「当事人（李某）」 (label as written when it adds something), or
    「张三（身份未确认）」 when the clerk has not confirmed who spoke."""
    label = clean(segment.speaker_label).strip()
    if segment.speaker_role == "unknown":
        return f"{label}（身份未确认）" if label else ROLE_LABELS["unknown"]
    role = role_label(t, segment.speaker_role)
    return f"{role}（{label}）" if label and label != role else role


def language(code: str) -> str:
    return LANGUAGES.get(code, code)


def text_or_blank(text: str, *, target: bool) -> str:
    cleaned = clean(text).strip("\n")
    if cleaned.strip():
        return cleaned
    return NO_TARGET if target else NO_SOURCE


def provenance(text: str, code: str) -> str:
    """The provenance label; an empty text has none, whatever the code says."""
    return PROVENANCE_LABELS["none"] if not text.strip() else PROVENANCE_LABELS[code]


def mark(segment: ExportSegment, *, target: bool) -> str:
    """The small print under a text: language, 来源：…, 已核对/未核对."""
    if target:
        code, text, lang = segment.target_provenance, segment.target_text, segment.target_language
    else:
        code, text, lang = segment.source_provenance, segment.source_text, segment.source_language
    return f"{language(lang)}　来源：{provenance(text, code)}　{REVIEWED_LABELS[segment.reviewed]}"


def source_line(number: int, source: ExportSource) -> str:
    return f"来源文件{number}：{clean(source.original_name)}　SHA-256：{source.sha256}"


def source_name(number: int, source: ExportSource) -> str:
    return f"来源文件{number}：{clean(source.original_name)}（{clean(source.media_type)}）"


def header_lines(t: TranscriptExport) -> list[str]:
    """Lines printed above the table. Participants and interpreter arrive labelled
    (「讯问人：王某」, 「译员：张某（外聘）」) and print as given."""
    lines = [
        f"案号：{clean(t.case_number)}",
        f"案件名称：{clean(t.case_title)}",
        f"笔录：{clean(t.interview_label)}",
    ]
    lines += [clean(line) for line in t.participants if line.strip()] or ["参加人员：（未记录）"]
    lines.append(clean(t.interpreter) or "未记录译员")
    lines.append(f"生成时间：{format_beijing(generated_at(t))}（{TIME_LABEL}）")
    return lines


def running_head(t: TranscriptExport) -> str:
    return f"{TITLE}　案号 {clean(t.case_number)}　{clean(t.interview_label)}"


def page_label(page: int | str, total: int | str) -> str:
    return f"第 {page} 页 共 {total} 页"
