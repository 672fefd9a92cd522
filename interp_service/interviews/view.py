"""What the interview page shows for an exchange: each sentence's source and suggestion cut
into pieces, glossary terms marked in both, and a provenance badge per sentence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from interp_service.glossary.search.match_records import CHINESE_LANGUAGES
from interp_service.interviews import attribution
from interp_service.interviews.orm import Exchange
from interp_service.interviews.rendering import gloss_reason, unexplained_terms
from interp_service.translation.receipts import FLAG_LABELS, PATH_LABELS


@dataclass
class Piece:
    text: str
    term: dict[str, Any] | None = None


@dataclass
class SentenceView:
    source: list[Piece]
    output: list[Piece]
    path: str
    badge: str
    flags: list[str]
    detail: str


@dataclass(frozen=True)
class ExchangePeople:
    """Who interpreted an exchange's rendering and who typed it (记录人)."""

    interpreter: str = ""
    recorder: str = ""


@dataclass
class ExchangeView:
    exchange: Exchange
    chinese_side: str  # "source" or "output": which side the Chinese pane shows
    sentences: list[SentenceView] = field(default_factory=list)
    people: ExchangePeople = field(default_factory=ExchangePeople)
    # Why the suggestion cannot be taken as the interpreter's words (a gloss), or None.
    gloss_reason: str | None = None
    # Legal terms without an approved term in the party's language, not yet explained.
    unexplained: list[dict[str, Any]] = field(default_factory=list)

    @property
    def needs_interpreter(self) -> bool:
        return any("interpreter-required" in s.flags for s in self.sentences)


def pieces(text: str, spans: list[tuple[int, int, dict[str, Any]]]) -> list[Piece]:
    """Cut `text` at the spans (character offsets); overlapping spans after the first are
    ignored."""
    out: list[Piece] = []
    cursor = 0
    for start, end, term in sorted(spans, key=lambda s: s[0]):
        if start < cursor or end > len(text) or start >= end:
            continue
        if start > cursor:
            out.append(Piece(text[cursor:start]))
        out.append(Piece(text[start:end], term))
        cursor = end
    if cursor < len(text):
        out.append(Piece(text[cursor:]))
    return out


def badge(sentence: dict[str, Any]) -> str:
    path = sentence.get("path", "")
    label = str(PATH_LABELS.get(path, path))
    memory = sentence.get("memory") or {}
    model = sentence.get("model") or {}
    if path == "memory-fuzzy" and memory:
        label += f" {memory.get('score', 0):.0f}%"
    if path == "model" and model:
        label += f" · {model.get('name')} {model.get('version')}"
    return label


def detail(sentence: dict[str, Any]) -> str:
    memory = sentence.get("memory") or {}
    parts = []
    if memory:
        parts.append(f"记忆条目 #{memory.get('entry_id')}，核准人 {memory.get('approved_by_name')}")
        if sentence.get("path") == "memory-fuzzy":
            parts.append(f"原条目：{memory.get('entry_source')}")
    if sentence.get("glossary_release") is not None:
        parts.append(f"术语库第 {sentence['glossary_release']} 版")
    return "；".join(parts)


def people_of(names: attribution.People, exchange: Exchange) -> ExchangePeople:
    """The names the record prints for who interpreted and who typed (one lookup each)."""
    return ExchangePeople(
        interpreter=names.interpreter(exchange.interpreter_id, exchange.external_interpreter_id),
        recorder=names.user(exchange.recorded_by),
    )


def exchange_view(exchange: Exchange, people: ExchangePeople | None = None) -> ExchangeView:
    chinese_side = "source" if exchange.source_language in CHINESE_LANGUAGES else "output"
    view = ExchangeView(
        exchange,
        chinese_side,
        people=people or ExchangePeople(),
        gloss_reason=gloss_reason(exchange),
        unexplained=unexplained_terms(exchange),
    )
    for sentence in exchange.receipt.get("sentences", []):
        terms = sentence.get("terms", [])
        source_spans = [(t["source_start"], t["source_end"], t) for t in terms]
        output_spans = [
            (t["output_start"], t["output_end"], t)
            for t in terms
            if t.get("output_start") is not None
        ]
        view.sentences.append(
            SentenceView(
                source=pieces(sentence.get("source", ""), source_spans),
                output=pieces(sentence.get("output", ""), output_spans),
                path=sentence.get("path", ""),
                badge=badge(sentence),
                # The gloss badge already says an interpreter is required.
                flags=[
                    FLAG_LABELS.get(f, f)
                    for f in sentence.get("flags", [])
                    if not (f == "interpreter-required" and sentence.get("path") == "gloss")
                ],
                detail=detail(sentence),
            )
        )
    return view
