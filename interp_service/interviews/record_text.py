"""The printed wording of the interview record: the lines both exporters (DOCX and PDF)
are made of, from the frozen record in `record.py`. Re-exports what the exporters need from
there, so that they read one namespace."""

from __future__ import annotations

from interp_service.interviews.record import (
    BILINGUAL,
    EXCHANGE_COLUMNS,
    GLOSS_NOT_SHOWN,
    NO_READ_BACK,
    NO_RENDERING,
    NO_SUGGESTION,
    NOTICE,
    PAGE_SIGNATURES,
    RENDERING_KIND_LABELS,
    SIGNATURE_DATE,
    SIGNATURE_NAME,
    SUGGESTION_DISCLAIMER,
    SUGGESTION_LABEL,
    TIME_LABEL,
    TITLE,
    ExchangeRecord,
    InterviewRecord,
    SegmentRecord,
    clean,
    format_beijing,
    language_label,
    names,
    to_beijing,
)

__all__ = [
    "BILINGUAL",
    "EXCHANGE_COLUMNS",
    "GLOSS_NOT_SHOWN",
    "NO_READ_BACK",
    "NO_RENDERING",
    "NO_SUGGESTION",
    "NOTICE",
    "PAGE_SIGNATURES",
    "RENDERING_KIND_LABELS",
    "SIGNATURE_DATE",
    "SIGNATURE_NAME",
    "SUGGESTION_DISCLAIMER",
    "SUGGESTION_LABEL",
    "TIME_LABEL",
    "TITLE",
    "ExchangeRecord",
    "InterviewRecord",
    "SegmentRecord",
    "clean",
    "format_beijing",
    "language_label",
    "names",
    "to_beijing",
]


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
        (f"{record.kind_label}编号", clean(record.interview_id)),
        (f"{record.kind_label}时间", interview_period(record)),
        (f"{record.kind_label}地点", clean(record.place)),
        (record.party_label, clean(record.party_name)),
        ("当事人语言", clean(record.party_language_label)),
        (record.asker_label, names(record.prosecutor_names)),
        ("译员", names(record.interpreter_names)),
        ("记录人", names(record.recorder_names)),
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
    """Who interpreted and who typed it: two facts, both named."""
    if not exchange.rendering_text:
        return ""
    interpreter = clean(exchange.interpreter_name or "") or "未记录"
    recorder = clean(exchange.recorder_name or "") or "未记录"
    return f"（译员：{interpreter}；记录人：{recorder}）"


def suggestion_line(exchange: ExchangeRecord) -> str:
    """The small-print line about the tool's suggestion, never read as the interpretation."""
    text = clean(exchange.suggestion_text) if exchange.suggestion_text else NO_SUGGESTION
    if exchange.suggestion_is_gloss:
        text = f"（{GLOSS_NOT_SHOWN}）"
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
    """(role, printed name) for each signature: the party (被讯问人/被询问人), every
    interpreter, every prosecutor (讯问人/询问人), every recorder (记录人); a role with no
    named person still gets one blank line."""

    def each(role: str, people: list[str]) -> list[tuple[str, str]]:
        return [(role, clean(n)) for n in people if n.strip()] or [(role, "")]

    return [
        (record.party_label, clean(record.party_name)),
        *each("译员", record.interpreter_names),
        *each(record.asker_label, record.prosecutor_names),
        *each("记录人", record.recorder_names),
    ]


def document_title(record: InterviewRecord) -> str:
    return record.title


def exchange_notes(exchange: ExchangeRecord) -> list[str]:
    """The small-print lines under an exchange, in print order."""
    lines = [suggestion_line(exchange), *(clean(n) for n in exchange.notes)]
    if audio := audio_line(exchange):
        lines.append(audio)
    return lines


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


def statement_sections(record: InterviewRecord) -> list[tuple[str, list[str]]]:
    """(heading, lines) printed before the signatures: the interpreters' conflict-of-interest
    declarations (who entered each) and the read-back statement."""
    declarations = [clean(line) for line in record.declaration_lines] or ["（无译员申报记录）"]
    return [("译员利益冲突申报", declarations), ("宣读", [clean(record.read_back_line)])]
