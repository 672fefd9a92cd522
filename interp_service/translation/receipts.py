"""Receipts: how each sentence of a translation was produced.

A receipt is stored with every interview exchange and returned by every translation API, so
that the person reading a suggestion always knows whether it is an approved human
translation, a model's guess or a word-by-word gloss.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from interp_service.glossary.search.match_records import TermKind

Path = Literal["memory-exact", "memory-fuzzy", "model", "gloss"]

PATH_LABELS: dict[str, str] = {
    "memory-exact": "翻译记忆·完全匹配",
    "memory-fuzzy": "翻译记忆·近似匹配",
    "model": "机器翻译模型",
    "gloss": "逐词对照·需译员",
}

FLAG_LABELS: dict[str, str] = {
    "interpreter-required": "需译员",
    "enforcement-failed": "术语未能强制使用",
    "unknown-words": "含未知词",
    "unverified-terms": "含未核实术语",
    "model-unavailable": "模型不可用，已退回逐词对照",
}


class MemorySource(BaseModel):
    entry_id: int
    score: float = Field(description="Similarity to the entry's source, 0-100")
    approved_by: int | None
    approved_by_name: str
    approved_at: str | None
    origin: str
    entry_source: str
    differences: list[tuple[str, int, int, int, int]] = Field(
        default_factory=list,
        description="(op, query_start, query_end, entry_start, entry_end) in characters",
    )


class ModelSource(BaseModel):
    name: str
    version: str
    backend: str
    alternatives: list[str] = Field(default_factory=list)


KIND_DESCRIPTION = (
    "legal: a concept of the legal glossary; lexicon: an everyday word from a lexicon (its "
    "concept's subject field is `lexicon`). Receipts stored before the field existed read as "
    "legal."
)


class TermFired(BaseModel):
    """A glossary term found in the source and its equivalent in the output.

    Offsets are characters into the sentence's source text and into its output text (end
    exclusive); `output_start` is None when the equivalent did not make it into the output.
    A legal term is listed even when the glossary has no equivalent in the target language
    (`target_term_id` and `target_text` None; `verification` is then the source term's);
    lexicon words only when they have one. A legal term's span never overlaps a lexicon
    word's: where both match, the legal term wins."""

    concept_id: int
    source_term_id: int
    source_text: str
    source_start: int
    source_end: int
    target_term_id: int | None
    target_text: str | None
    output_start: int | None = None
    output_end: int | None = None
    verification: str = "unverified"
    enforced: bool = False
    kind: TermKind = Field(default="legal", description=KIND_DESCRIPTION)


class GlossToken(BaseModel):
    """One source word of a lexical gloss and what the glossary and lexicon say it means."""

    source_start: int
    source_end: int
    source_text: str
    gloss: str | None
    verification: str | None
    concept_id: int | None = None
    kind: TermKind = Field(
        default="legal",
        description=KIND_DESCRIPTION + " Meaningful only where concept_id is set.",
    )


class SentenceReceipt(BaseModel):
    path: Path
    label: str
    source_start: int = Field(description="Offset of the sentence in the submitted text")
    source_end: int
    glossary_release: int | None
    memory: MemorySource | None = None
    model: ModelSource | None = None
    terms: list[TermFired] = Field(default_factory=list)
    gloss: list[GlossToken] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)


class SentenceResult(BaseModel):
    source: str
    output: str
    receipt: SentenceReceipt


class TranslationResult(BaseModel):
    source_language: str
    target_language: str
    target_variety: str
    text: str
    output: str
    sentences: list[SentenceResult]
    glossary_release: int | None

    @property
    def paths(self) -> set[str]:
        return {s.receipt.path for s in self.sentences}

    @property
    def interpreter_required(self) -> bool:
        return any("interpreter-required" in s.receipt.flags for s in self.sentences)


def summary_label(result: TranslationResult) -> str:
    """One line for a whole text: its paths and flags in Chinese, e.g. for exports."""
    parts: list[str] = []
    for sentence in result.sentences:
        label = sentence.receipt.label
        if sentence.receipt.memory and sentence.receipt.path == "memory-fuzzy":
            label += f" {sentence.receipt.memory.score:.0f}%"
        if sentence.receipt.model:
            label += f" {sentence.receipt.model.name} {sentence.receipt.model.version}"
        if label not in parts:
            parts.append(label)
    return "；".join(parts)
