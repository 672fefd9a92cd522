"""Checks for the shipped criminal-procedure glossary (glossaries/criminal-procedure.tsv).

The glossary is a project draft: Chinese terms, Chinese definitions written by the project,
optional English equivalents, and statute citations. These tests check its shape, that it holds
no Miao rows, and that every statute citation names an article that exists in the reference
texts under shared/reference/laws and is either supported by the article's words or listed,
with its paragraph and a reason, in the reviewed citation mapping
glossaries/criminal-procedure.citations.tsv.

The mapping (concept_id, law, article, paragraph, reason, reviewed_by) exists because a statute
often does not use the concept's label: CPL 15 states the 认罪认罚从宽 principle without the word
认罪认罚, CL 277 ¶5 defines 袭警 without it. Every mapped article and paragraph (款, optionally
with its item 项, e.g. `1(3)`) must exist, and every mapping row must match a citation of its
concept. `reviewed_by` records who drafted the mapping; the project's own rows say 项目草稿 and
are not a legal approval.

The word check (see `supports`) is kept: for at least one Chinese term of the concept, the
term itself must occur in the article text, or its core (the term without a generic suffix:
罪, 权, 权利, 的权利, 程序, 制度, 审查) must occur either whole or as pieces of two or more
characters that each occur verbatim in the article and together cover at least 60 % of the core
(cores of up to three characters must occur whole; the suffix never counts). So 核对笔录 is
supported by an article containing both 核对 and 笔录, 法定不起诉 by one containing 不起诉, but
社会调查 is not supported by an article that only contains 调查. A citation that fails the word
check fails the test unless it is in the mapping; for a mapped one the failed word check is a
warning (`WordCheckWarning`), so a reviewer still sees it.
"""

from __future__ import annotations

import csv
import re
import warnings
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
GLOSSARY = REPO / "glossaries" / "criminal-procedure.tsv"
README = REPO / "glossaries" / "criminal-procedure.README.md"
CITATION_MAP = REPO / "glossaries" / "criminal-procedure.citations.tsv"
LAWS_DIR = Path(__file__).parents[2].parent / "shared" / "reference" / "laws"
LAW_FILES = {"刑事诉讼法": "刑事诉讼法-2018.md", "刑法": "刑法.md"}

COLUMNS = [
    "concept_id",
    "subject_field",
    "language",
    "variety",
    "term",
    "part_of_speech",
    "status",
    "definition",
    "citations",
    "note",
    "source",
    "verification",
    "ipa",
]
SUBJECT_FIELDS = {
    "rights",
    "interpretation",
    "coercive-measures",
    "procedure",
    "roles",
    "evidence",
    "plea-leniency",
    "juveniles",
    "offences",
}
LANGUAGES = {"cmn", "eng"}
PARTS_OF_SPEECH = {"noun", "verb", "phrase"}
STATUSES = {"preferred", "admitted", "deprecated"}
CONCEPT_LEVEL = ("subject_field", "definition", "citations", "note")
MAP_COLUMNS = ["concept_id", "law", "article", "paragraph", "reason", "reviewed_by"]

NUMERALS = "零〇一二三四五六七八九十百千"
ARTICLE_LINE = re.compile(rf"^(第([{NUMERALS}]+)条(?:之([{NUMERALS}]+))?)\s")
CITATION = re.compile(rf"《(刑事诉讼法|刑法)》(第([{NUMERALS}]+)条(?:之([{NUMERALS}]+))?)")
ARTICLE_LABEL = re.compile(rf"第[{NUMERALS}]+条(?:之[{NUMERALS}]+)?")
ITEM_LINE = re.compile(rf"^（[{NUMERALS}]+）")
# Paragraphs (款) of a mapped article, each optionally with an item (项): "2", "1,2", "1(3)".
PARAGRAPH_REF = re.compile(r"(\d+)(?:\((\d+)\))?")
PARAGRAPH_LIST = re.compile(r"\d+(?:\(\d+\))?(?:,\d+(?:\(\d+\))?)*")
HAN = re.compile(r"[\u4e00-\u9fff]")

SUFFIXES = ("的权利", "权利", "权", "罪", "程序", "制度", "审查")
MIN_SHARE = (3, 5)  # pieces must cover at least 3/5 of the term

# Terms the team asked for by name; an offence may carry the suffix 罪.
REQUIRED_TERMS = [
    "拘传",
    "取保候审",
    "监视居住",
    "拘留",
    "逮捕",
    "认罪认罚",
    "盗窃",
    "故意伤害",
    "危险驾驶",
    "诈骗",
    "寻衅滋事",
    "非法种植毒品原植物",
]
# Further terms named in the brief for this glossary.
EXPECTED_TERMS = [
    "使用本民族语言文字进行诉讼的权利",
    "辩护权",
    "申请回避",
    "获得法律援助",
    "核对笔录",
    "翻译人员",
    "回避",
    "利害关系",
    "指定居所监视居住",
    "羁押必要性审查",
    "立案",
    "侦查",
    "审查逮捕",
    "审查起诉",
    "提起公诉",
    "不起诉",
    "补充侦查",
    "一审",
    "二审",
    "抗诉",
    "犯罪嫌疑人",
    "被告人",
    "被害人",
    "证人",
    "辩护人",
    "诉讼代理人",
    "值班律师",
    "法定代理人",
    "近亲属",
    "物证",
    "书证",
    "证人证言",
    "被害人陈述",
    "犯罪嫌疑人供述和辩解",
    "鉴定意见",
    "勘验检查笔录",
    "视听资料",
    "电子数据",
    "非法证据排除",
    "具结书",
    "量刑建议",
    "速裁程序",
    "交通肇事",
    "故意毁坏财物",
    "非法持有枪支",
    "滥伐林木",
    "非法捕捞水产品",
    "赌博",
    "开设赌场",
    "容留他人吸毒",
    "帮助信息网络犯罪活动",
    "拒不支付劳动报酬",
]


# --- statute texts -----------------------------------------------------------------------


def chinese_numeral(text: str) -> int:
    """Value of a Chinese numeral as written in article numbers (九, 十二, 一百零八, 二百一十)."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
    units = {"十": 10, "百": 100, "千": 1000}
    total = current = 0
    for char in text:
        if char in digits:
            current = digits[char]
        elif char in units:
            total += (current or 1) * units[char]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + current


@cache
def article_lines(law: str) -> dict[str, list[str]]:
    """Article label (第一百三十三条之一) -> the article's non-blank lines, label removed.

    An article starts on a line beginning with 第…条 (optionally 之…) and runs until the next
    article line, a Markdown heading, or the footnote (①) that follows the last article of 刑法.
    """
    found: dict[str, list[str]] = {}
    current: str | None = None
    text = (LAWS_DIR / LAW_FILES[law]).read_text(encoding="utf-8")
    for line in text.splitlines():
        match = ARTICLE_LINE.match(line)
        if match:
            current = match.group(1)
            assert current not in found, f"{law}: article {current} appears twice"
            found[current] = [line[match.end() :].strip()]
        elif line.startswith(("#", "①")):
            current = None
        elif current is not None and line.strip():
            found[current].append(line.strip())
    return found


@cache
def articles(law: str) -> dict[str, str]:
    """Article label (第一百三十三条之一) -> article text with whitespace removed."""
    return {
        label: re.sub(r"\s+", "", "".join(lines)) for label, lines in article_lines(law).items()
    }


@cache
def paragraph_items(law: str) -> dict[str, list[int]]:
    """Article label -> number of items (项) in each of its paragraphs (款), in order.

    Each line of an article is a paragraph, except lines opening with （一）, （二） …, which are
    items of the paragraph before them.
    """
    found: dict[str, list[int]] = {}
    for label, lines in article_lines(law).items():
        counts: list[int] = []
        for line in lines:
            if ITEM_LINE.match(line) and counts:
                counts[-1] += 1
            else:
                counts.append(0)
        found[label] = counts
    return found


def article_numbers(label: str) -> tuple[int, int]:
    match = ARTICLE_LINE.match(label + " ")
    assert match, label
    return chinese_numeral(match.group(2)), chinese_numeral(match.group(3) or "零")


def covered(term: str, text: str) -> int:
    """Most characters of `term` covered by non-overlapping pieces of two or more characters
    that each occur verbatim in `text`."""
    best = [0] * (len(term) + 1)
    for end in range(1, len(term) + 1):
        best[end] = best[end - 1]
        for start in range(end - 1):
            if term[start:end] in text:
                best[end] = max(best[end], best[start] + end - start)
    return best[len(term)]


def core_of(term: str) -> str:
    """The term without a generic suffix (罪, 权, 程序 …), if what is left has two characters."""
    for suffix in SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 2:
            return term[: -len(suffix)]
    return term


def supports(term: str, text: str) -> bool:
    if term in text:
        return True
    core = core_of(term)
    if core in text:
        return True
    return len(core) > 3 and covered(core, text) * MIN_SHARE[1] >= MIN_SHARE[0] * len(core)


# --- glossary ----------------------------------------------------------------------------


def read_rows() -> tuple[list[str], list[dict[str, str]]]:
    with GLOSSARY.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        rows = []
        for number, fields in enumerate(reader, start=2):
            assert len(fields) == len(header), f"line {number}: {len(fields)} fields"
            rows.append(dict(zip(header, fields, strict=True)))
    return header, rows


@cache
def concepts() -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read_rows()[1]:
        grouped[row["concept_id"]].append(row)
    return dict(grouped)


def citations_of(concept_id: str) -> list[str]:
    value = concepts()[concept_id][0]["citations"]
    return value.split(";") if value else []


def all_citations() -> list[tuple[str, str]]:
    return [(cid, cite) for cid in concepts() for cite in citations_of(cid)]


def concept_of(term: str) -> str:
    """Id of the one concept that has `term` as a Chinese term."""
    found = [
        cid
        for cid, rows in concepts().items()
        if any(r["term"] == term and r["language"] == "cmn" for r in rows)
    ]
    assert len(found) == 1, f"{term}: {found}"
    return found[0]


# --- reviewed citation mapping -----------------------------------------------------------


def read_citation_map() -> tuple[list[str], list[dict[str, str]]]:
    with CITATION_MAP.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        rows = []
        for number, fields in enumerate(reader, start=2):
            assert len(fields) == len(header), f"mapping line {number}: {len(fields)} fields"
            rows.append(dict(zip(header, fields, strict=True)))
    return header, rows


@cache
def citation_map() -> dict[tuple[str, str], dict[str, str]]:
    """(concept_id, citation as written in the glossary) -> its mapping row."""
    mapped: dict[tuple[str, str], dict[str, str]] = {}
    for row in read_citation_map()[1]:
        key = (row["concept_id"], f"《{row['law']}》{row['article']}")
        assert key not in mapped, f"mapping lists {key} twice"
        mapped[key] = row
    return mapped


def paragraph_refs(value: str) -> list[tuple[int, int | None]]:
    """Paragraph list of a mapping row: `1(3),2` -> [(1, 3), (2, None)]; empty -> []."""
    refs: list[tuple[int, int | None]] = []
    for part in value.split(",") if value else []:
        match = PARAGRAPH_REF.fullmatch(part)
        assert match, value
        refs.append((int(match.group(1)), int(match.group(2)) if match.group(2) else None))
    return refs


class WordCheckWarning(UserWarning):
    """A citation in the reviewed mapping whose article contains none of the concept's terms."""


def check_citation(concept_id: str, citation: str) -> None:
    """Fail unless the article exists and either contains the concept's words or is mapped
    with a reason; warn when only the mapping admits it."""
    match = CITATION.fullmatch(citation)
    assert match, citation
    law, label = match.group(1), match.group(2)
    text = articles(law).get(label)
    assert text is not None, f"{concept_id}: {citation} is not in {LAW_FILES[law]}"
    terms = [r["term"] for r in concepts()[concept_id] if r["language"] == "cmn"]
    if any(supports(term, text) for term in terms):
        return
    row = citation_map().get((concept_id, citation))
    assert row is not None, (
        f"{concept_id}: the text of {citation} contains none of {terms}; if the article is "
        f"on point, add it with its paragraph and a reason to {CITATION_MAP.name}"
    )
    warnings.warn(
        WordCheckWarning(
            f"{concept_id}: {citation} contains none of {terms}; admitted by the mapping "
            f"({row['reviewed_by']}): {row['reason']}"
        ),
        stacklevel=2,
    )


# --- (a) shape ---------------------------------------------------------------------------


def test_file_is_utf8_tab_separated_with_exact_columns() -> None:
    raw = GLOSSARY.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    text = raw.decode("utf-8")
    assert "\r" not in text
    header, rows = read_rows()
    assert header == COLUMNS
    assert rows
    for line in text.splitlines():
        assert line.count("\t") == len(COLUMNS) - 1, line


def test_at_least_150_concepts_with_unique_contiguous_ids() -> None:
    rows = read_rows()[1]
    assert len(concepts()) >= 150
    ids_in_order = [row["concept_id"] for row in rows]
    blocks = [cid for i, cid in enumerate(ids_in_order) if i == 0 or ids_in_order[i - 1] != cid]
    assert len(blocks) == len(set(blocks)), "a concept id is reused for a second block of rows"
    assert all(re.fullmatch(r"cp-\d{4}", cid) for cid in blocks)
    assert blocks == sorted(blocks)


def test_no_miao_rows_and_every_row_is_an_unverified_project_draft() -> None:
    for row in read_rows()[1]:
        assert row["language"] in LANGUAGES, row
        assert row["verification"] == "unverified", row
        assert row["source"] == "project draft", row
        assert row["variety"] == "", row
        assert row["ipa"] == "", row


def test_row_values_are_well_formed() -> None:
    for row in read_rows()[1]:
        assert row["subject_field"] in SUBJECT_FIELDS, row
        assert row["part_of_speech"] in PARTS_OF_SPEECH, row
        assert row["status"] in STATUSES, row
        term = row["term"]
        assert term and term == term.strip(), row
        if row["language"] == "cmn":
            assert HAN.search(term), row
        else:
            assert term.isascii() and not HAN.search(term), row
        assert HAN.search(row["definition"]), row
        assert row["definition"].endswith("。"), row


def test_concept_level_fields_are_identical_on_every_row() -> None:
    for cid, rows in concepts().items():
        for name in (*CONCEPT_LEVEL, "part_of_speech"):
            assert len({row[name] for row in rows}) == 1, (cid, name)


def test_each_concept_has_one_preferred_chinese_term() -> None:
    for cid, rows in concepts().items():
        preferred = [r for r in rows if r["language"] == "cmn" and r["status"] == "preferred"]
        assert len(preferred) == 1, cid
        assert rows[0] is preferred[0], f"{cid}: the preferred Chinese term comes first"
        english_preferred = [
            r for r in rows if r["language"] == "eng" and r["status"] == "preferred"
        ]
        assert len(english_preferred) <= 1, cid


def test_terms_are_not_repeated() -> None:
    seen: dict[tuple[str, str], str] = {}
    for row in read_rows()[1]:
        key = (row["language"], row["term"])
        assert key not in seen, f"{key} in {seen.get(key)} and {row['concept_id']}"
        seen[key] = row["concept_id"]


# --- (b) citations -----------------------------------------------------------------------


def test_statute_texts_parse_into_the_expected_articles() -> None:
    procedure, criminal = articles("刑事诉讼法"), articles("刑法")
    assert len(procedure) == 308
    assert len(criminal) == 505
    for law in (procedure, criminal):
        main = sorted(n for n, sub in map(article_numbers, law) if sub == 0)
        assert main == list(range(1, len(main) + 1))
    assert chinese_numeral("一百零八") == 108
    assert chinese_numeral("二百一十") == 210
    assert chinese_numeral("十二") == 12
    assert "用本民族语言文字进行诉讼的权利" in procedure["第九条"]
    assert procedure["第三百零八条"].startswith("军队保卫部门")
    assert "醉酒驾驶机动车" in criminal["第一百三十三条之一"]
    assert criminal["第四百五十二条"].startswith("本法自1997年10月1日起施行")
    assert "关于禁毒的决定" not in criminal["第四百五十二条"]  # 附件 list and footnote excluded


def test_citations_are_well_formed() -> None:
    for cid in concepts():
        cites = citations_of(cid)
        assert len(cites) == len(set(cites)), cid
        for cite in cites:
            assert CITATION.fullmatch(cite), (cid, cite)
            assert "款" not in cite and "项" not in cite, (cid, cite)


@pytest.mark.parametrize(("concept_id", "citation"), all_citations())
def test_cited_article_exists_and_supports_the_term_or_is_mapped(
    concept_id: str, citation: str
) -> None:
    check_citation(concept_id, citation)


def test_an_unmapped_citation_without_the_words_fails_and_a_mapped_one_warns() -> None:
    theft = concept_of("盗窃罪")
    with pytest.raises(AssertionError, match="contains none of"):
        check_citation(theft, "《刑法》第二百六十六条")  # 诈骗, not 盗窃; not mapped
    with pytest.raises(AssertionError, match="is not in"):
        check_citation(theft, "《刑法》第九百条")
    plea = concept_of("认罪认罚从宽制度")
    with pytest.warns(WordCheckWarning, match="第十五条"):
        check_citation(plea, "《刑事诉讼法》第十五条")


def test_citation_map_is_utf8_tab_separated_with_exact_columns() -> None:
    raw = CITATION_MAP.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    text = raw.decode("utf-8")
    assert "\r" not in text
    header, rows = read_citation_map()
    assert header == MAP_COLUMNS
    assert rows
    for line in text.splitlines():
        assert line.count("\t") == len(MAP_COLUMNS) - 1, line


def test_citation_map_rows_are_well_formed_and_name_existing_paragraphs() -> None:
    for row in read_citation_map()[1]:
        assert row["concept_id"] in concepts(), row
        assert row["law"] in LAW_FILES, row
        assert ARTICLE_LABEL.fullmatch(row["article"]), row
        assert row["paragraph"] == "" or PARAGRAPH_LIST.fullmatch(row["paragraph"]), row
        reason = row["reason"]
        assert reason == reason.strip() and HAN.search(reason), row
        assert row["reviewed_by"].strip(), row
        items = paragraph_items(row["law"]).get(row["article"])
        assert items is not None, f"{row['law']} has no {row['article']}: {row}"
        for paragraph, item in paragraph_refs(row["paragraph"]):
            assert 1 <= paragraph <= len(items), f"no paragraph {paragraph}: {row}"
            if item is not None:
                assert 1 <= item <= items[paragraph - 1], f"no item {item}: {row}"


def test_every_mapping_row_is_a_citation_of_its_concept() -> None:
    cited = set(all_citations())
    for key in citation_map():
        assert key in cited, f"mapping row {key} is not cited in the glossary"


def test_paragraph_structure_is_read_from_the_statute_text() -> None:
    assert paragraph_items("刑事诉讼法")["第七十四条"] == [5, 0, 0]  # ¶2: 不能提出保证人
    assert paragraph_items("刑事诉讼法")["第十五条"] == [0]
    assert len(paragraph_items("刑法")["第二百七十七条"]) == 5  # ¶5: 袭警
    assert paragraph_refs("1(3),2") == [(1, 3), (2, None)]
    assert paragraph_refs("") == []


def test_support_rule_is_not_trivially_true() -> None:
    text = articles("刑事诉讼法")["第二百七十九条"]
    assert not supports("社会调查", text)
    assert supports("核对笔录", articles("刑事诉讼法")["第一百二十二条"])
    assert not supports("盗窃罪", articles("刑法")["第二百六十六条"])
    assert supports("盗窃罪", articles("刑法")["第二百六十四条"])
    assert not supports("拘留证", articles("刑事诉讼法")["第八十二条"])
    assert not supports("审判监督程序", articles("刑事诉讼法")["第二百五十三条"])


# --- (c) required terms ------------------------------------------------------------------


def chinese_terms() -> set[str]:
    return {r["term"] for r in read_rows()[1] if r["language"] == "cmn"}


@pytest.mark.parametrize("term", REQUIRED_TERMS)
def test_required_term_is_present(term: str) -> None:
    present = chinese_terms()
    assert term in present or f"{term}罪" in present


@pytest.mark.parametrize("term", EXPECTED_TERMS)
def test_term_named_in_the_brief_is_present(term: str) -> None:
    present = chinese_terms()
    assert term in present or f"{term}罪" in present


def test_readme_is_shipped() -> None:
    text = README.read_text(encoding="utf-8")
    assert "unverified" in text
    assert "concept_id" in text
    assert CITATION_MAP.name in text


# --- (d) the 2026-12 review (shared/reference/glossary-review.md) --------------------------

CPL, CL = "《刑事诉讼法》", "《刑法》"

# Primary articles the review found missing, and on-point articles of concepts that had none:
# (preferred Chinese term, citation, paragraph the mapping must name or None).
REVIEW_CITATIONS = [
    ("认罪认罚从宽制度", f"{CPL}第十五条", None),
    ("申请回避", f"{CPL}第二十九条", None),
    ("翻译人员回避", f"{CPL}第二十九条", None),
    ("申请重新鉴定", f"{CPL}第一百四十八条", None),
    ("宣读笔录", f"{CPL}第九条", None),
    ("告知诉讼权利", f"{CPL}第三十四条", "2"),
    ("告知诉讼权利", f"{CPL}第三十六条", "2"),
    ("告知诉讼权利", f"{CPL}第四十六条", "2"),
    ("不起诉决定书", f"{CPL}第一百七十八条", None),
    ("询问", f"{CPL}第一百二十五条", None),
    ("询问", f"{CPL}第一百二十七条", None),
    ("证人", f"{CPL}第一百二十五条", None),
    ("追诉时效", f"{CL}第八十七条", None),
    ("追诉时效", f"{CL}第八十八条", None),
    ("追诉时效", f"{CL}第八十九条", None),
    ("自行辩护", f"{CPL}第三十三条", None),
    ("阅卷", f"{CPL}第四十条", None),
    ("立案监督", f"{CPL}第一百一十三条", None),
    ("上诉不加刑", f"{CPL}第二百三十七条", None),
    ("发回重审", f"{CPL}第二百三十六条", "1(3)"),
    ("发回重审", f"{CPL}第二百三十九条", None),
    ("庭前会议", f"{CPL}第一百八十七条", "2"),
    ("法庭调查", f"{CPL}第一百九十一条", None),
    ("法庭调查", f"{CPL}第一百九十七条", None),
    ("无罪推定", f"{CPL}第十二条", None),
    ("疑罪从无", f"{CPL}第二百条", "1(3)"),
    ("疑罪从无", f"{CPL}第一百七十五条", "4"),
    ("坦白", f"{CL}第六十七条", "3"),
    ("退赃退赔", f"{CL}第六十四条", None),
    ("社会调查", f"{CPL}第二百七十九条", None),
    ("妨害公务罪", f"{CL}第二百七十七条", "1"),
    ("袭警罪", f"{CL}第二百七十七条", "5"),
    ("失火罪", f"{CL}第一百一十五条", "2"),
    ("非法采矿罪", f"{CL}第三百四十三条", None),
    ("遗弃罪", f"{CL}第二百六十一条", None),
    ("侵占罪", f"{CL}第二百七十条", None),
    ("伪证罪", f"{CL}第三百零五条", None),
    ("窝藏、包庇罪", f"{CL}第三百一十条", "1"),
    ("胁从犯", f"{CL}第二十八条", None),
]


@pytest.mark.parametrize(("term", "citation", "paragraph"), REVIEW_CITATIONS)
def test_article_named_by_the_review_is_cited(
    term: str, citation: str, paragraph: str | None
) -> None:
    cid = concept_of(term)
    assert citation in citations_of(cid), f"{cid} {term} does not cite {citation}"
    row = citation_map().get((cid, citation))
    if paragraph is not None:
        assert row is not None, f"{cid}: {citation} needs a mapping row naming ¶{paragraph}"
        assert paragraph in row["paragraph"].split(","), row


def test_a_concept_without_citation_says_why() -> None:
    for cid, rows in concepts().items():
        if not citations_of(cid):
            assert "未引条文" in rows[0]["note"], f"{cid} {rows[0]['term']}: no citation, no reason"


# Definitions the review found wrong, misleading or missing a limb:
# (preferred Chinese term, phrases the definition must contain, phrases it must not contain).
REVIEW_DEFINITIONS = [
    ("法律帮助", ["辩护律师在侦查期间", "值班律师"], ["不同于出庭辩护"]),
    ("宣读笔录", ["不通晓当地通用的语言文字"], ["汉语"]),
    ("监视居住", ["符合逮捕条件", "不能提出保证人", "不交纳保证金", "羁押期限届满"], []),
    ("刑事和解", ["因民间纠纷引起", "过失犯罪", "渎职", "七年", "五年以内曾经故意犯罪"], []),
    ("未成年犯罪嫌疑人", ["犯罪的时候不满十八周岁"], []),
    ("寻衅滋事罪", ["情节恶劣", "情节严重", "秩序严重混乱"], []),
    ("申请重新鉴定", ["犯罪嫌疑人、被害人", "补充鉴定", "法庭审理"], []),
    ("委托辩护", ["只能委托律师", "在押"], []),
    ("申诉", ["被不起诉人只能", "犯罪情节轻微"], []),
    ("拘传", ["需要采取拘留、逮捕措施"], []),
    ("拘留", ["无法通知", "有碍侦查"], []),
    ("逮捕", ["直接受理的案件"], []),
    ("羁押期限", ["审查起诉", "一审、二审"], []),
    ("自首", ["犯罪较轻的，可以免除处罚"], []),
    ("坦白", ["避免特别严重后果", "减轻处罚"], []),
    ("立功", ["重大立功"], []),
    ("缓刑", ["不满十八周岁", "怀孕的妇女", "七十五周岁", "应当宣告缓刑"], []),
    ("附条件不起诉", ["民主权利"], []),
    ("追诉时效", ["五年", "十年", "十五年", "二十年"], []),
]


@pytest.mark.parametrize(("term", "required", "forbidden"), REVIEW_DEFINITIONS)
def test_definition_fixed_after_the_review(
    term: str, required: list[str], forbidden: list[str]
) -> None:
    definition = concepts()[concept_of(term)][0]["definition"]
    for phrase in required:
        assert phrase in definition, f"{term}: {phrase!r} missing"
    for phrase in forbidden:
        assert phrase not in definition, f"{term}: {phrase!r} still there"


def test_legal_aid_definition_keeps_the_duty_lawyer_sense_as_a_note() -> None:
    assert "值班律师" in concepts()[concept_of("法律帮助")][0]["note"]


def test_justifiable_defence_is_the_english_equivalent() -> None:
    rows = concepts()[concept_of("正当防卫")]
    english = [r["term"] for r in rows if r["language"] == "eng" and r["status"] == "preferred"]
    assert english == ["justifiable defence"]


# Concepts an interview needs that the review found missing:
# (preferred Chinese term, subject field, citations it must have; [] = none on point).
NEW_CONCEPTS = [
    ("询问笔录", "evidence", [f"{CPL}第一百二十二条", f"{CPL}第一百二十六条"]),
    ("告知作伪证或者隐匿罪证的法律责任", "rights", [f"{CPL}第一百二十五条"]),
    ("询问被害人", "procedure", [f"{CPL}第一百二十七条"]),
    ("委托诉讼代理人", "rights", [f"{CPL}第四十六条"]),
    ("国家司法救助", "rights", []),
    ("犯罪嫌疑人诉讼权利义务告知书", "rights", [f"{CPL}第一百二十条"]),
    ("被害人诉讼权利义务告知书", "rights", [f"{CPL}第四十六条"]),
    ("证人诉讼权利义务告知书", "rights", [f"{CPL}第一百二十五条"]),
    ("认罪认罚从宽制度告知书", "plea-leniency", [f"{CPL}第一百七十三条"]),
    ("量刑协商", "plea-leniency", [f"{CPL}第一百七十三条", f"{CPL}第一百七十四条"]),
    ("撤回认罪认罚", "plea-leniency", [f"{CPL}第二百零一条"]),
    ("翻译人员的义务", "interpretation", [f"{CPL}第三十二条", f"{CL}第三百零五条"]),
    ("故意犯罪", "offences", [f"{CL}第十四条"]),
    ("过失犯罪", "offences", [f"{CL}第十五条"]),
    ("犯罪预备", "offences", [f"{CL}第二十二条"]),
    ("犯罪未遂", "offences", [f"{CL}第二十三条"]),
    ("犯罪中止", "offences", [f"{CL}第二十四条"]),
    ("刑事责任能力", "offences", [f"{CL}第十八条", f"{CL}第十九条"]),
    ("重伤", "offences", [f"{CL}第九十五条"]),
    ("轻伤", "offences", []),
    ("附加刑", "offences", [f"{CL}第三十四条"]),
    ("治安管理处罚", "offences", [f"{CL}第十三条"]),
    ("谅解书", "plea-leniency", [f"{CPL}第二百八十八条"]),
    ("赔偿损失", "plea-leniency", [f"{CL}第三十六条", f"{CL}第三十七条"]),
    ("检察官", "roles", []),
    ("监察机关", "roles", [f"{CPL}第一百七十条"]),
    ("留置", "coercive-measures", [f"{CPL}第一百七十条"]),
]


@pytest.mark.parametrize(("term", "subject", "cites"), NEW_CONCEPTS)
def test_concept_an_interview_needs_is_present(term: str, subject: str, cites: list[str]) -> None:
    cid = concept_of(term)
    rows = concepts()[cid]
    assert rows[0]["term"] == term and rows[0]["status"] == "preferred", cid
    assert rows[0]["subject_field"] == subject, cid
    for cite in cites:
        assert cite in citations_of(cid), f"{cid} {term} does not cite {cite}"
    if not cites:
        assert not citations_of(cid), f"{cid} {term}: no article is on point"
    for cite in citations_of(cid):
        match = CITATION.fullmatch(cite)
        assert match and match.group(2) in articles(match.group(1)), cite
