"""Reading TBX-Basic (2008 `martif`) and TBX v3 (`tbx`) files, with every problem found and
its line number. The conventions are described in `interp_service.glossary.exchange.tbx`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from interp_service.glossary.exchange.field_checks import (
    CITATION_LIMIT,
    CONCEPT_LIMITS,
    TERM_LIMITS,
    bidi_problem,
    too_long,
)
from interp_service.glossary.exchange.tbx_vocabulary import (
    TBX3_NS,
    XML_LANG,
    normalize_part_of_speech,
    normalize_status,
)
from interp_service.glossary.languages import (
    LanguageError,
    LanguageTag,
    parse_language_tag,
    with_original_tag,
)
from interp_service.glossary.records import (
    VERIFICATION,
    ConceptRecord,
    ImportProblem,
    ParsedGlossary,
    TermRecord,
)

__all__ = ["parse_tbx"]

_ENTRY = frozenset({"termEntry", "conceptEntry"})
_LANG_SECTION = frozenset({"langSet", "langSec"})
_TERM_GROUP = frozenset({"tig", "ntig", "termSec"})
_CATEGORY_ELEMENTS = frozenset({"descrip", "termNote", "admin"})


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
                self.too_long(el, label, "法律依据", value, CITATION_LIMIT)
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
        self.too_long(entry, label, "概念 id", concept.external_id, CONCEPT_LIMITS["external_id"])
        self.too_long(
            entry, label, "subjectField", concept.subject_field, CONCEPT_LIMITS["subject_field"]
        )
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
            language = parse_language_tag(tag)
        except LanguageError as exc:
            self.problem(section, f"{label}：{exc}")
            return
        for key, el in _categories(section):
            if key == "definition" and _text(el):
                definitions.append((language.code, _text(el)))
        for group in groups:
            record = self.term(group, language, label)
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

    def too_long(self, el: Any, label: str, name: str, value: str, limit: int) -> bool:
        message = too_long(name, value, limit)
        if message:
            self.problem(el, f"{label}：{message}")
        return message is not None

    def term(self, group: Any, language: LanguageTag, label: str) -> TermRecord | None:
        term_el = self.find_term(group, label)
        if term_el is None:
            return None
        record = TermRecord(language=language.code, text=_text(term_el), line=term_el.sourceline)
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
            record.variety = language.variety
        record.usage_note = "\n".join(notes)
        record.source = with_original_tag(record.source, language)
        for name, value, field in (
            ("术语", record.text, "text"),
            ("geographicalUsage", record.variety, "variety"),
            ("source", record.source, "source"),
            ("pronunciation", record.ipa, "ipa"),
        ):
            if self.too_long(term_el, label, name, value, TERM_LIMITS[field]):
                ok = False
        bidi = bidi_problem("术语", record.text)
        if bidi:
            self.problem(term_el, f"{label}：{bidi}")
            ok = False
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
