"""Checks for the shipped criminal-procedure glossary (glossaries/criminal-procedure.tsv).

The glossary is a project draft: Chinese terms, Chinese definitions written by the project,
optional English equivalents, and statute citations. These tests check its shape, that it holds
no Miao rows, and that every statute citation names an article that exists in the reference
texts under shared/reference/laws and whose text actually supports the cited concept.

How "supports" is decided (see `supports`): for at least one Chinese term of the concept, the
term itself must occur in the article text, or its core (the term without a generic suffix:
罪, 权, 权利, 的权利, 程序, 制度, 审查) must occur either whole or as pieces of two or more
characters that each occur verbatim in the article and together cover at least 60 % of the core
(cores of up to three characters must occur whole; the suffix never counts). So 核对笔录 is
supported by an article containing both 核对 and 笔录, 法定不起诉 by one containing 不起诉, but
社会调查 is not supported by an article that only contains 调查.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
GLOSSARY = REPO / "glossaries" / "criminal-procedure.tsv"
README = REPO / "glossaries" / "criminal-procedure.README.md"
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

NUMERALS = "零〇一二三四五六七八九十百千"
ARTICLE_LINE = re.compile(rf"^(第([{NUMERALS}]+)条(?:之([{NUMERALS}]+))?)\s")
CITATION = re.compile(rf"《(刑事诉讼法|刑法)》(第([{NUMERALS}]+)条(?:之([{NUMERALS}]+))?)")
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
def articles(law: str) -> dict[str, str]:
    """Article label (第一百三十三条之一) -> article text with whitespace removed.

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
            found[current] = [line[match.end() :]]
        elif line.startswith(("#", "①")):
            current = None
        elif current is not None:
            found[current].append(line)
    return {label: re.sub(r"\s+", "", "".join(parts)) for label, parts in found.items()}


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
def test_cited_article_exists_and_supports_the_term(concept_id: str, citation: str) -> None:
    match = CITATION.fullmatch(citation)
    assert match, citation
    law, label = match.group(1), match.group(2)
    text = articles(law).get(label)
    assert text is not None, f"{concept_id}: {citation} is not in {LAW_FILES[law]}"
    terms = [r["term"] for r in concepts()[concept_id] if r["language"] == "cmn"]
    assert any(supports(term, text) for term in terms), (
        f"{concept_id}: the text of {citation} contains none of {terms}"
    )


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
