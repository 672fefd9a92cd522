"""WordprocessingML details: which paragraphs a story holds, a paragraph's text as the
reader sees it, and the paragraphs this service inserts (grey italic, unnumbered)."""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement

W_P = qn("w:p")
W_T = qn("w:t")
W_TAB = qn("w:tab")
W_PTAB = qn("w:ptab")
BREAKS = {qn("w:br"), qn("w:cr")}
# Subtrees whose text is not the paragraph's own: a text box's paragraphs (translated on
# their own), ruby annotations (pinyin above the characters), deleted or moved-away text.
SKIPPED = {qn("w:txbxContent"), qn("w:rt"), qn("w:del"), qn("w:moveFrom"), qn("w:pPr")}
GREY = "808080"
# Characters XML 1.0 cannot hold; a rendering never needs them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def paragraphs_of(story: Any) -> list[Any]:
    """Every `w:p` under `story` in document order: table cells at any depth, content
    controls and text boxes included."""
    return list(story.iter(W_P))


def paragraph_text(paragraph: Any) -> str:
    """The paragraph's visible text: tabs as "\\t", line breaks as "\\n"."""
    parts: list[str] = []

    def walk(element: Any) -> None:
        for child in element:
            tag = child.tag
            if tag in SKIPPED:
                continue
            if tag == W_T:
                parts.append(child.text or "")
            elif tag in (W_TAB, W_PTAB):
                parts.append("\t")
            elif tag in BREAKS:
                parts.append("\n")
            walk(child)

    walk(paragraph)
    return "".join(parts)


def has_text(text: str) -> bool:
    """Whether there is anything to translate: at least one letter or ideograph."""
    return any(ch.isalpha() for ch in text)


def _run(text: str) -> Any:
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    for name in ("w:i", "w:iCs"):
        properties.append(OxmlElement(name))
    properties.append(OxmlElement("w:color", {qn("w:val"): GREY}))
    run.append(properties)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = _NOT_XML.sub("", re.sub(r"[\t\r\n]+", " ", text))
    run.append(t)
    return run


def rendering_paragraph(original: Any, text: str) -> Any:
    """A new grey italic paragraph of `text` to follow `original`: no style and no
    numbering of its own (so list numbers and the table of contents stay as they were),
    the original's direct indentation and alignment. A section break held by the original
    moves to it, so the rendering stays in the original's section."""
    paragraph = OxmlElement("w:p")
    properties = OxmlElement("w:pPr")
    source = original.find(qn("w:pPr"))
    if source is not None:
        for name in ("w:ind", "w:jc"):
            found = source.find(qn(name))
            if found is not None:
                properties.append(deepcopy(found))
        section = source.find(qn("w:sectPr"))
        if section is not None:
            properties.append(section)  # moved, not copied: one break, after the rendering
    if len(properties):
        paragraph.append(properties)
    paragraph.append(_run(text))
    return paragraph


def note_paragraph(text: str) -> Any:
    """The document's first-line note, grey italic like the renderings."""
    paragraph = OxmlElement("w:p")
    paragraph.append(_run(text))
    return paragraph
