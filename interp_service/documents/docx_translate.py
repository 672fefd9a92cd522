"""Translating a Chinese Word document paragraph by paragraph, keeping the original.

Every paragraph with text (body, table cells at any depth, text boxes, all headers and
footers: default, first-page and even-page, of every section) keeps its runs, style and
numbering exactly as uploaded and is followed by a new paragraph holding its suggested
rendering in grey italics, prefixed 「【译文建议·<来源>】」. The document gets a first-line
note that these renderings are unverified suggestions for an interpreter to check.

The texts are collected first and handed to `translate_batch` in one call (each distinct
text once), so the caller can translate them concurrently and the engine can batch them.
Pure: bytes in, bytes out, no database and no event loop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from docx.parts.hdrftr import FooterPart, HeaderPart

from interp_service.documents.docx_package import open_docx
from interp_service.documents.docx_xml import (
    has_text,
    note_paragraph,
    paragraph_text,
    paragraphs_of,
    rendering_paragraph,
)
from interp_service.documents.provenance import LABELS, Provenance
from interp_service.errors import ValidationFailed

NO_TEXT = "文档中没有可翻译的文字（正文、表格、页眉页脚中都没有找到文字）"
PREFIX = "【译文建议·{label}】"
NO_RENDERING = "（没有可用的译文建议，请译员翻译）"
DEFAULT_NOTE = (
    "说明：本文件中以“【译文建议·来源】”开头的灰色斜体段落，是翻译辅助系统自动生成的译文"
    "建议，未经核实，不是正式译文，须由译员逐段核对、修改后方可使用；“来源”说明该建议如何"
    "产生（翻译记忆、机器翻译模型、逐词对照或无可用译文）。原文各段保持原样。"
)


@dataclass(frozen=True)
class Rendering:
    """A paragraph's suggested rendering and how it was produced (`text` "" for none)."""

    text: str
    provenance: Provenance


@dataclass(frozen=True)
class TranslatedDocx:
    data: bytes
    paragraphs: int
    """Paragraphs that got a rendering (a text repeated in the document counts each time)."""
    by_provenance: dict[str, int] = field(default_factory=dict)
    """Those paragraphs counted by their rendering's provenance."""


def rendering_line(rendering: Rendering) -> str:
    """The text of the paragraph inserted after the original."""
    label = LABELS.get(rendering.provenance, rendering.provenance)
    return PREFIX.format(label=label) + (rendering.text or NO_RENDERING)


def _stories(document: Any) -> Iterator[Any]:
    """The root element of the body, then of each header and footer part (a part shared by
    several sections comes once)."""
    yield document.element.body
    parts = list(document.part.package.iter_parts())
    for kind in (HeaderPart, FooterPart):
        for part in parts:
            if isinstance(part, kind):
                yield part.element


def translate_docx_counted(
    data: bytes,
    translate_batch: Callable[[list[str]], list[Rendering]],
    *,
    max_uncompressed_bytes: int,
    note: str = DEFAULT_NOTE,
) -> TranslatedDocx:
    """`translate_docx`, with the counts of what was inserted."""
    document = open_docx(data, max_uncompressed_bytes)
    found: list[tuple[Any, str]] = []
    for story in _stories(document):
        for paragraph in paragraphs_of(story):
            text = paragraph_text(paragraph)
            if has_text(text):
                found.append((paragraph, text.strip()))
    if not found:
        raise ValidationFailed(NO_TEXT, field="file")
    unique = list(dict.fromkeys(text for _, text in found))
    renderings = translate_batch(unique)
    if len(renderings) != len(unique):
        raise ValueError(f"translate_batch returned {len(renderings)} for {len(unique)} texts")
    by_text = dict(zip(unique, renderings, strict=True))
    counts: Counter[str] = Counter()
    for paragraph, text in found:
        rendering = by_text[text]
        paragraph.addnext(rendering_paragraph(paragraph, rendering_line(rendering)))
        counts[rendering.provenance] += 1
    document.element.body.insert(0, note_paragraph(note))
    out = BytesIO()
    document.save(out)
    return TranslatedDocx(out.getvalue(), len(found), dict(counts))


def translate_docx(
    data: bytes,
    translate_batch: Callable[[list[str]], list[Rendering]],
    *,
    max_uncompressed_bytes: int,
    note: str = DEFAULT_NOTE,
) -> bytes:
    """The document `data` (DOCX bytes) with each paragraph followed by its rendering from
    `translate_batch`, which is called once with every distinct paragraph text (stripped,
    in document order) and returns one Rendering per text. Paragraphs without a letter or
    ideograph (empty, numbers, punctuation) are not translated.

    Raises (field "file") ValidationFailed for an empty file or a document without text,
    UnsupportedMedia for anything that is not a readable Word document, PayloadTooLarge
    for an archive over `max_uncompressed_bytes` (bytes) when decompressed.
    """
    return translate_docx_counted(
        data, translate_batch, max_uncompressed_bytes=max_uncompressed_bytes, note=note
    ).data
