"""Writing the concept glossary as TBX-Basic (2008 `martif`) or TBX v3 (`tbx`). The
conventions are described in `interp_service.glossary.exchange.tbx`."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from interp_service.glossary.exchange.tbx_vocabulary import DIALECTS, STATUS_OUT, TBX3_NS, XML_LANG
from interp_service.glossary.records import ConceptRecord, TermRecord

__all__ = ["write_tbx"]

# Characters XML 1.0 cannot carry at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def _sub(parent: Any, tag: str, text: str, **attrs: str) -> Any:
    el = etree.SubElement(parent, tag, attrs)
    el.text = _clean(text)
    return el


def _language_groups(terms: list[TermRecord]) -> list[tuple[str, list[TermRecord]]]:
    groups: dict[str, list[TermRecord]] = {}
    for term in terms:
        groups.setdefault(term.language, []).append(term)
    return list(groups.items())


def write_tbx(concepts: list[ConceptRecord], *, dialect: str = "TBX-Basic") -> bytes:
    """Serialise concepts as UTF-8 TBX: `TBX-Basic` (2008 martif) or `TBX-v3` (tbx root).

    Deterministic: the same records give the same bytes. Terms are grouped into one
    language section per language, in order of first appearance. Characters XML cannot
    carry (C0 controls) are dropped. Raises ValueError for an unknown dialect or status,
    or a missing or repeated concept id.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown TBX dialect {dialect!r}; use one of {DIALECTS}")
    v3 = dialect == "TBX-v3"
    ns = f"{{{TBX3_NS}}}" if v3 else ""
    entry_tag, lang_tag, group_tag = (
        ("conceptEntry", "langSec", "termSec") if v3 else ("termEntry", "langSet", "tig")
    )
    if v3:
        root = etree.Element(ns + "tbx", nsmap={None: TBX3_NS})
        root.set("type", "TBX-Basic")
        root.set("style", "dca")
        root.set(XML_LANG, "zh")
        header = etree.SubElement(root, ns + "tbxHeader")
    else:
        root = etree.Element("martif", type="TBX-Basic")
        root.set(XML_LANG, "zh")
        header = etree.SubElement(root, "martifHeader")
    file_desc = etree.SubElement(header, ns + "fileDesc")
    source_desc = etree.SubElement(file_desc, ns + "sourceDesc")
    _sub(source_desc, ns + "p", "interp-service glossary export")
    if not v3:
        encoding_desc = etree.SubElement(header, "encodingDesc")
        _sub(encoding_desc, "p", "TBXBasicXCSV02.xcs", type="XCSURI")
    body = etree.SubElement(etree.SubElement(root, ns + "text"), ns + "body")

    seen: set[str] = set()
    for concept in concepts:
        if not concept.external_id:
            raise ValueError("concept without external_id")
        if concept.external_id in seen:
            raise ValueError(f"repeated concept id {concept.external_id!r}")
        seen.add(concept.external_id)
        entry = etree.SubElement(body, ns + entry_tag, id=_clean(concept.external_id))
        if concept.subject_field:
            _sub(entry, ns + "descrip", concept.subject_field, type="subjectField")
        groups = _language_groups(concept.terms)
        has_chinese = any(lang == "cmn" for lang, _ in groups)
        if concept.definition and not has_chinese:
            _sub(entry, ns + "descrip", concept.definition, type="definition")
        for citation in concept.citations:
            _sub(entry, ns + "admin", citation, type="citation")
        _sub(entry, ns + "admin", concept.verification, type="verification")
        if concept.note:
            _sub(entry, ns + "note", concept.note)
        for language, terms in groups:
            section = etree.SubElement(entry, ns + lang_tag)
            section.set(XML_LANG, language)
            if language == "cmn" and concept.definition:
                _sub(section, ns + "descrip", concept.definition, type="definition")
            for term in terms:
                if term.status not in STATUS_OUT:
                    raise ValueError(f"unknown term status {term.status!r}")
                group = etree.SubElement(section, ns + group_tag)
                _sub(group, ns + "term", term.text)
                if term.part_of_speech:
                    _sub(group, ns + "termNote", term.part_of_speech, type="partOfSpeech")
                _sub(
                    group,
                    ns + "termNote",
                    STATUS_OUT[term.status],
                    type="administrativeStatus",
                )
                if term.variety:
                    _sub(group, ns + "termNote", term.variety, type="geographicalUsage")
                if term.ipa:
                    _sub(group, ns + "termNote", term.ipa, type="pronunciation")
                if term.source:
                    _sub(group, ns + "admin", term.source, type="source")
                _sub(group, ns + "admin", term.verification, type="verification")
                if term.usage_note:
                    _sub(group, ns + "note", term.usage_note)
    doctype = None if v3 else '<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">'
    out: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=doctype
    )
    return out
