"""TBX (ISO 30042) import and export of the concept glossary.

Reads TBX-Basic in the 2008 `martif` structure (termEntry/langSet/tig or ntig) and TBX v3
(`tbx` root, conceptEntry/langSec/termSec, DCA or DCT style). Writes either structure.

Conventions beyond TBX-Basic, chosen so that `write_tbx` → `parse_tbx` is lossless:

* statute citations: one `<admin type="citation">` per citation on the concept entry;
* verification (`unverified`/`approved`): `<admin type="verification">` on the concept
  entry for the concept, inside the tig/termSec for the term;
* IPA: `<termNote type="pronunciation">` (a TBX-Default data category);
* variety (a free label such as 花垣): `<termNote type="geographicalUsage">`;
* concept note: `<note>` on the entry; term usage note: `<note>` in the tig/termSec;
* Chinese definition: `<descrip type="definition">` in the cmn language section (TBX-Basic
  places definitions there), on the entry when the concept has no cmn term;
* status: preferred/admitted/deprecated/forbidden ↔ preferredTerm-/admittedTerm-/
  deprecatedTerm-/supersededTerm-admn-sts. TBX-Basic has exactly these four values and no
  "forbidden"; a superseded term is one "no longer valid", which is what forbidden means
  in a record of interpretation.

Text values are stripped of surrounding white space. Language codes are normalised by
`normalize_language`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from interp_service.glossary.records import (
    PARTS_OF_SPEECH,
    VERIFICATION,
    ConceptRecord,
    ImportProblem,
    ParsedGlossary,
    TermRecord,
)

__all__ = [
    "LanguageError",
    "normalize_language",
    "normalize_part_of_speech",
    "normalize_status",
    "parse_tbx",
    "write_tbx",
]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TBX3_NS = "urn:iso:std:iso:30042:ed-2"
DIALECTS = ("TBX-Basic", "TBX-v3")

# Two-letter (ISO 639-1) and ISO 639-2/B or macrolanguage codes seen in exchanged files,
# mapped to the ISO 639-3 individual language the glossary stores. Kept small on purpose:
# anything else must be given as a three-letter ISO 639-3 code.
LANGUAGE_ALIASES: dict[str, str] = {
    "zh": "cmn",
    "zho": "cmn",
    "chi": "cmn",
    "en": "eng",
    "ja": "jpn",
    "ko": "kor",
    "fr": "fra",
    "fre": "fra",
    "de": "deu",
    "ger": "deu",
    "ru": "rus",
    "es": "spa",
    "bo": "bod",
    "tib": "bod",
    "ug": "uig",
    "vi": "vie",
}
# Region subtags that only restate where the language is normally written (zh-CN is plain
# Mandarin) and so are not a variety.
DEFAULT_REGIONS: dict[str, str] = {"cmn": "cn", "mmr": "cn", "muq": "cn"}
# Valid ISO 639 codes that name no single language; a term needs one.
NOT_A_LANGUAGE = frozenset({"und", "mul", "mis", "zxx"})

# Macrolanguages whose BCP 47 tags may carry an extended-language subtag (zh-yue).
_EXTLANG_PREFIXES = frozenset({"zh", "ar", "ms"})
_SUBTAG = re.compile(r"^[a-z0-9]{1,8}$")

_STATUS_IN: dict[str, str] = {
    "preferredterm": "preferred",
    "admittedterm": "admitted",
    "deprecatedterm": "deprecated",
    "supersededterm": "forbidden",
    "preferred": "preferred",
    "admitted": "admitted",
    "deprecated": "deprecated",
    "forbidden": "forbidden",
}
_STATUS_OUT: dict[str, str] = {
    "preferred": "preferredTerm-admn-sts",
    "admitted": "admittedTerm-admn-sts",
    "deprecated": "deprecatedTerm-admn-sts",
    "forbidden": "supersededTerm-admn-sts",
}

_ENTRY = frozenset({"termEntry", "conceptEntry"})
_LANG_SECTION = frozenset({"langSet", "langSec"})
_TERM_GROUP = frozenset({"tig", "ntig", "termSec"})
_CATEGORY_ELEMENTS = frozenset({"descrip", "termNote", "admin"})
# Characters XML 1.0 cannot carry at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class LanguageError(ValueError):
    """A language tag that names no ISO 639-3 language."""


def normalize_language(tag: str) -> tuple[str, str]:
    """Map a language tag to (ISO 639-3 code, variety).

    Accepts ISO 639-3 codes (`mmr`), the aliases in LANGUAGE_ALIASES (`zh` → cmn) and BCP 47
    tags built on either (`zh-Hans-CN`, `zh-cmn`, `en-GB`). The variety is taken, in this
    order, from private-use subtags (`mmr-x-huayuan` → huayuan), variant subtags, then the
    region subtag unless it is the language's home region (`zh-TW` → TW, `zh-CN` → "").
    Script subtags are dropped. Raises LanguageError with a message in Chinese.
    """
    raw = tag.strip()
    parts = raw.replace("_", "-").split("-")
    lowered = [p.lower() for p in parts]
    if not raw or not all(_SUBTAG.match(p) for p in lowered):
        raise LanguageError(f"语言代码无效：{raw!r}")
    primary, rest = lowered[0], lowered[1:]
    if not primary.isalpha() or len(primary) not in (2, 3):
        raise LanguageError(f"语言代码无效：{raw!r}（应为 ISO 639-3 三字母代码，如 cmn、mmr）")
    # An extended-language subtag (zh-cmn, zh-yue) is itself the ISO 639-3 code.
    if primary in _EXTLANG_PREFIXES and rest and len(rest[0]) == 3 and rest[0].isalpha():
        primary, rest = rest[0], rest[1:]
    code = LANGUAGE_ALIASES.get(primary, primary)
    if len(code) != 3:
        raise LanguageError(f"未知语言代码：{raw!r}（应为 ISO 639-3 三字母代码，如 cmn、mmr）")
    if code in NOT_A_LANGUAGE:
        raise LanguageError(f"语言代码 {raw!r} 不指某一种语言")
    private: list[str] = []
    variants: list[str] = []
    region = ""
    original = parts[len(parts) - len(rest) :]
    for i, sub in enumerate(rest):
        if sub == "x":
            private = original[i + 1 :]
            break
        if len(sub) == 4 and sub.isalpha():
            continue  # script
        if (len(sub) == 2 and sub.isalpha()) or (len(sub) == 3 and sub.isdigit()):
            region = sub
        elif len(sub) >= 5 or (len(sub) == 4 and sub[0].isdigit()):
            variants.append(original[i])
        else:
            raise LanguageError(f"语言代码无效：{raw!r}")
    if private:
        return code, "-".join(private)
    if variants:
        return code, "-".join(variants)
    if region and DEFAULT_REGIONS.get(code) != region:
        return code, region.upper()
    return code, ""


def normalize_status(value: str) -> str | None:
    """Our term status for a TBX administrativeStatus value or our own name, else None."""
    key = value.strip().lower().removesuffix("-admn-sts")
    return _STATUS_IN.get(key)


def normalize_part_of_speech(value: str) -> str | None:
    """Our part of speech for a TBX partOfSpeech value (properNoun → noun), else None."""
    key = value.strip().lower()
    if key == "propernoun":
        return "noun"
    return key if key in PARTS_OF_SPEECH else None


# ---------------------------------------------------------------------------- reading


class _NoFetch(etree.Resolver):  # type: ignore[misc]
    """Answers every external load (DTD, entity) with nothing, so parsing never fetches."""

    def resolve(self, url: str, pubid: str, context: Any) -> Any:
        return self.resolve_string("", context)


def _parser() -> Any:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    parser.resolvers.add(_NoFetch())
    return parser


def _local(el: Any) -> str:
    return str(etree.QName(el).localname)


def _text(el: Any) -> str:
    return "".join(el.itertext()).strip()


def _elements(el: Any) -> Iterator[Any]:
    for child in el:
        if isinstance(child.tag, str):
            yield child


def _categories(container: Any) -> Iterator[tuple[str, Any]]:
    """(data category, element) for the data-category children of a container.

    DCA style gives the category in `type` (descrip/termNote/admin) or by `note`; DCT style
    (TBX v3) names it by an element in a module namespace. In a *Grp only the first child
    is the datum; the rest describe it (e.g. the source of a definition).
    """
    for child in _elements(container):
        name = _local(child)
        namespace = etree.QName(child).namespace
        if name == "termGrp":
            yield from _categories(child)
            continue
        if name.endswith("Grp"):
            first = next(_elements(child), None)
            if first is None:
                continue
            child, name = first, _local(first)
            namespace = etree.QName(first).namespace
        if namespace not in (None, TBX3_NS):
            yield name, child
        elif name in _CATEGORY_ELEMENTS:
            yield child.get("type", ""), child
        elif name == "note":
            yield "note", child


class _Reader:
    def __init__(self) -> None:
        self.problems: list[ImportProblem] = []
        self.concepts: list[ConceptRecord] = []
        self.ids: dict[str, int | None] = {}

    def problem(self, el: Any, message: str) -> None:
        self.problems.append(ImportProblem(el.sourceline if el is not None else None, message))

    def entry(self, entry: Any) -> None:
        concept = ConceptRecord(
            external_id=(
                entry.get("id") or entry.get("{http://www.w3.org/XML/1998/namespace}id") or ""
            ).strip(),
            line=entry.sourceline,
        )
        label = concept.external_id or f"第 {entry.sourceline} 行的概念"
        notes: list[str] = []
        lang_definitions: list[tuple[str, str]] = []
        verification = ""
        for key, el in _categories(entry):
            value = _text(el)
            if key == "subjectField" and not concept.subject_field:
                concept.subject_field = value
            elif key == "definition" and not concept.definition:
                concept.definition = value
            elif key == "citation" and value:
                concept.citations.append(value)
            elif key == "note" and value:
                notes.append(value)
            elif key == "verification" and not verification:
                verification = value
                if value not in VERIFICATION:
                    self.problem(
                        el, f"{label}：未知审核状态 {value!r}（应为 unverified 或 approved）"
                    )
                else:
                    concept.verification = value
        concept.note = "\n".join(notes)
        for child in _elements(entry):
            name = _local(child)
            if name in _LANG_SECTION:
                self.lang_section(child, concept, label, lang_definitions)
            elif name in _TERM_GROUP or name == "term":
                self.problem(child, f"{label}：术语不在语言节（langSet）内，没有语言")
        if not concept.definition and lang_definitions:
            chinese = [d for lang, d in lang_definitions if lang == "cmn"]
            concept.definition = (chinese or [lang_definitions[0][1]])[0]
        self.check_duplicates(concept, label)
        if not concept.external_id:
            self.problem(entry, "概念没有 id")
            return
        if concept.external_id in self.ids:
            first = self.ids[concept.external_id]
            self.problem(entry, f"概念 id {concept.external_id!r} 重复（首次出现于第 {first} 行）")
            return
        self.ids[concept.external_id] = entry.sourceline
        self.concepts.append(concept)

    def lang_section(
        self, section: Any, concept: ConceptRecord, label: str, definitions: list[tuple[str, str]]
    ) -> None:
        tag = section.get(XML_LANG)
        groups = [g for g in _elements(section) if _local(g) in _TERM_GROUP]
        for stray in _elements(section):
            if _local(stray) == "term":
                self.problem(stray, f"{label}：术语不在 tig/termSec 内")
        if tag is None or not tag.strip():
            for group in groups:
                term = self.find_term(group, label)
                self.problem(
                    term if term is not None else group, f"{label}：术语没有语言（xml:lang）"
                )
            return
        try:
            language, tag_variety = normalize_language(tag)
        except LanguageError as exc:
            self.problem(section, f"{label}：{exc}")
            return
        for key, el in _categories(section):
            if key == "definition" and _text(el):
                definitions.append((language, _text(el)))
        for group in groups:
            record = self.term(group, language, tag_variety, label)
            if record is not None:
                concept.terms.append(record)

    def find_term(self, group: Any, label: str) -> Any:
        terms = [t for t in group.iter(tag=etree.Element) if _local(t) == "term"]
        if not terms:
            self.problem(group, f"{label}：tig/termSec 中没有 term")
            return None
        for extra in terms[1:]:
            self.problem(extra, f"{label}：一个 tig/termSec 只能有一个 term")
        return terms[0]

    def term(self, group: Any, language: str, tag_variety: str, label: str) -> TermRecord | None:
        term_el = self.find_term(group, label)
        if term_el is None:
            return None
        record = TermRecord(language=language, text=_text(term_el), line=term_el.sourceline)
        ok = True
        if not record.text:
            self.problem(term_el, f"{label}：术语为空")
            ok = False
        notes: list[str] = []
        seen: set[str] = set()
        for key, el in _categories(group):
            value = _text(el)
            if key in seen and key != "note":
                continue  # the first value of a single-valued category wins
            seen.add(key)
            if key == "partOfSpeech":
                pos = normalize_part_of_speech(value)
                if pos is None:
                    self.problem(el, f"{label}：未知词性 {value!r}")
                    ok = False
                else:
                    record.part_of_speech = pos
            elif key == "administrativeStatus":
                status = normalize_status(value)
                if status is None:
                    self.problem(el, f"{label}：未知术语状态 {value!r}")
                    ok = False
                else:
                    record.status = status
            elif key == "verification":
                if value not in VERIFICATION:
                    self.problem(
                        el, f"{label}：未知审核状态 {value!r}（应为 unverified 或 approved）"
                    )
                    ok = False
                else:
                    record.verification = value
            elif key == "geographicalUsage":
                record.variety = value
            elif key == "pronunciation":
                record.ipa = value
            elif key == "source":
                record.source = value
            elif key == "note" and value:
                notes.append(value)
        if "geographicalUsage" not in seen:
            record.variety = tag_variety
        record.usage_note = "\n".join(notes)
        return record if ok else None

    def check_duplicates(self, concept: ConceptRecord, label: str) -> None:
        seen: dict[tuple[str, str, str], int | None] = {}
        kept: list[TermRecord] = []
        for term in concept.terms:
            key = (term.language, term.variety, term.text)
            if key in seen:
                self.problems.append(
                    ImportProblem(
                        term.line,
                        f"{label}：术语 {term.text!r}（{term.language}"
                        f"{'，' + term.variety if term.variety else ''}）重复，"
                        f"首次出现于第 {seen[key]} 行",
                    )
                )
                continue
            seen[key] = term.line
            kept.append(term)
        concept.terms = kept


def parse_tbx(data: bytes) -> ParsedGlossary:
    """Read a TBX-Basic (2008) or TBX v3 file into concepts, with every problem found.

    Never fetches anything: DTDs and external entities are not loaded, and a document that
    declares entities is refused. The declared encoding (or a BOM) is honoured.
    """
    if not data.strip():
        return ParsedGlossary([], [ImportProblem(None, "文件为空")])
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg)
        if "amplification" in message or "entity reference loop" in message:
            message = f"拒绝处理实体（可能是实体膨胀攻击）：{message}"
        return ParsedGlossary([], [ImportProblem(exc.lineno, f"XML 格式错误：{message}")])
    except (ValueError, LookupError) as exc:  # e.g. an encoding libxml2 does not know
        return ParsedGlossary([], [ImportProblem(None, f"无法读取文件：{exc}")])
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.entities()):
        return ParsedGlossary(
            [],
            [ImportProblem(1, "拒绝处理：文件声明了实体（ENTITY），可能是实体膨胀或外部实体攻击")],
        )
    if _local(root) not in ("martif", "tbx"):
        return ParsedGlossary(
            [], [ImportProblem(root.sourceline, f"不是 TBX 文件：根元素为 <{_local(root)}>")]
        )
    reader = _Reader()
    for el in root.iter(tag=etree.Element):
        if _local(el) in _ENTRY:
            reader.entry(el)
    reader.problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return ParsedGlossary(reader.concepts, reader.problems)


# ---------------------------------------------------------------------------- writing


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
                if term.status not in _STATUS_OUT:
                    raise ValueError(f"unknown term status {term.status!r}")
                group = etree.SubElement(section, ns + group_tag)
                _sub(group, ns + "term", term.text)
                if term.part_of_speech:
                    _sub(group, ns + "termNote", term.part_of_speech, type="partOfSpeech")
                _sub(
                    group,
                    ns + "termNote",
                    _STATUS_OUT[term.status],
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
