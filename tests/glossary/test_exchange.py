"""Glossary exchange: TBX and CSV/TSV import and export, as a user of the files sees it."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest

from interp_service.glossary.exchange.tabular import (
    COLUMNS,
    EXTRA_COLUMNS,
    ParsedTable,
    parse_table,
    write_table,
)
from interp_service.glossary.exchange.tbx import parse_tbx, write_tbx
from interp_service.glossary.languages import normalize_language
from interp_service.glossary.records import ConceptRecord, ParsedGlossary, TermRecord

# Miao rows use obvious placeholders only (zz-…); no Miao words are made up here.
TBX_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX-Basic" xml:lang="zh">
  <martifHeader>
    <fileDesc><sourceDesc><p>检察院术语表</p></sourceDesc></fileDesc>
    <encodingDesc><p type="XCSURI">TBXBasicXCSV02.xcs</p></encodingDesc>
  </martifHeader>
  <text>
    <body>
      <termEntry id="c-bail">
        <descrip type="subjectField">刑事诉讼</descrip>
        <admin type="citation">《中华人民共和国刑事诉讼法》第六十七条</admin>
        <note>强制措施之一</note>
        <xref target="http://example.invalid/x">ignored</xref>
        <langSet xml:lang="zh-CN">
          <descrip type="definition">责令提出保证人或交纳保证金的强制措施</descrip>
          <tig>
            <term>取保候审</term>
            <termNote type="partOfSpeech">noun</termNote>
            <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
            <admin type="source">刑事诉讼法</admin>
          </tig>
        </langSet>
        <langSet xml:lang="en">
          <tig>
            <term>bail pending trial</term>
            <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote>
          </tig>
          <ntig>
            <termGrp>
              <term>release on bail</term>
              <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote>
            </termGrp>
          </ntig>
        </langSet>
        <langSet xml:lang="mmr">
          <tig>
            <term>zz-0001</term>
            <termNote type="geographicalUsage">花垣</termNote>
            <termNote type="pronunciation">zz-ipa-0001</termNote>
          </tig>
        </langSet>
      </termEntry>
      <termEntry id="c-arrest">
        <langSet xml:lang="zh-Hans">
          <tig><term>逮捕</term>
            <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
        </langSet>
      </termEntry>
    </body>
  </text>
</martif>
"""

TBX_V3 = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-model href="https://example.invalid/TBXcoreStructV03.rng" type="application/xml"?>
<tbx type="TBX-Core" style="dca" xml:lang="zh" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>v3</p></sourceDesc></fileDesc></tbxHeader>
  <text>
    <body>
      <conceptEntry id="c-arrest">
        <descrip type="subjectField">刑事诉讼</descrip>
        <langSec xml:lang="cmn">
          <termSec>
            <term>逮捕</term>
            <termNote type="partOfSpeech">verb</termNote>
          </termSec>
        </langSec>
        <langSec xml:lang="eng">
          <termSec><term>arrest</term></termSec>
        </langSec>
      </conceptEntry>
    </body>
  </text>
</tbx>
"""

TBX_V3_DCT = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dct" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"
     xmlns:basic="http://www.tbxinfo.net/ns/basic" xmlns:min="http://www.tbxinfo.net/ns/min">
  <tbxHeader><fileDesc><sourceDesc><p>v3 dct</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c-detain">
      <min:subjectField>刑事诉讼</min:subjectField>
      <langSec xml:lang="zh">
        <basic:definition>公安机关对现行犯或者重大嫌疑分子采取的临时强制措施</basic:definition>
        <termSec>
          <term>拘留</term>
          <min:partOfSpeech>noun</min:partOfSpeech>
          <basic:administrativeStatus>preferredTerm-admn-sts</basic:administrativeStatus>
        </termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def line_of(text: str, needle: str, start: int = 1) -> int:
    """1-based number of the first line at or after `start` containing `needle`."""
    for number, line in enumerate(text.splitlines(), 1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in sample")


def without_lines(concepts: list[ConceptRecord]) -> list[ConceptRecord]:
    """Copies with the file line numbers cleared, which differ between two files."""
    out = copy.deepcopy(concepts)
    for concept in out:
        concept.line = None
        for term in concept.terms:
            term.line = None
    return out


def sample_concepts() -> list[ConceptRecord]:
    return [
        ConceptRecord(
            external_id="c-bail",
            subject_field="刑事诉讼",
            definition="对犯罪嫌疑人、被告人责令提出保证人或者交纳保证金的强制措施",
            citations=[
                "《中华人民共和国刑事诉讼法》第六十七条",
                "《中华人民共和国刑事诉讼法》第七十一条",
            ],
            note="强制措施之一\n期限最长十二个月",
            verification="approved",
            terms=[
                TermRecord(
                    "cmn",
                    "取保候审",
                    part_of_speech="noun",
                    status="preferred",
                    source="刑事诉讼法",
                    verification="approved",
                ),
                TermRecord("eng", "bail pending trial", usage_note="英美法中含义不同, 慎用"),
                TermRecord(
                    "mmr",
                    "zz-0001",
                    variety="花垣",
                    status="deprecated",
                    ipa="zz-ipa-0001",
                    source="陈 2012",
                ),
                TermRecord("mmr", "zz-0002", variety="凤凰", status="forbidden"),
            ],
        ),
        ConceptRecord(
            external_id="c-arrest",
            definition="=公式样的定义",
            terms=[TermRecord("cmn", "逮捕", part_of_speech="verb")],
        ),
    ]


# --------------------------------------------------------------------------- TBX


def test_tbx_basic_with_external_dtd_parses_offline() -> None:
    parsed = parse_tbx(TBX_BASIC.encode())
    assert parsed.problems == []
    bail, arrest = parsed.concepts
    assert bail.external_id == "c-bail"
    assert bail.subject_field == "刑事诉讼"
    assert bail.definition == "责令提出保证人或交纳保证金的强制措施"
    assert bail.citations == ["《中华人民共和国刑事诉讼法》第六十七条"]
    assert bail.note == "强制措施之一"
    assert bail.line == line_of(TBX_BASIC, 'id="c-bail"')
    by_text = {t.text: t for t in bail.terms}
    assert by_text["取保候审"].language == "cmn"
    assert by_text["取保候审"].status == "preferred"
    assert by_text["取保候审"].part_of_speech == "noun"
    # the file's language tag (zh-CN, stored as cmn) is kept in the term's source
    assert by_text["取保候审"].source == "刑事诉讼法；原语言标记 zh-CN"
    assert by_text["取保候审"].line == line_of(TBX_BASIC, "<term>取保候审")
    assert by_text["bail pending trial"].language == "eng"
    assert by_text["release on bail"].status == "forbidden"
    assert by_text["zz-0001"].variety == "花垣"
    assert by_text["zz-0001"].ipa == "zz-ipa-0001"
    assert arrest.terms[0].language == "cmn"
    assert arrest.terms[0].status == "deprecated"


def test_tbx_v3_dca_and_dct_parse() -> None:
    parsed = parse_tbx(TBX_V3.encode())
    assert parsed.problems == []
    (concept,) = parsed.concepts
    assert concept.subject_field == "刑事诉讼"
    assert [(t.language, t.text, t.part_of_speech) for t in concept.terms] == [
        ("cmn", "逮捕", "verb"),
        ("eng", "arrest", ""),
    ]
    parsed = parse_tbx(TBX_V3_DCT.encode())
    assert parsed.problems == []
    (concept,) = parsed.concepts
    assert concept.subject_field == "刑事诉讼"
    assert concept.definition.startswith("公安机关")
    assert concept.terms[0].part_of_speech == "noun"
    assert concept.terms[0].status == "preferred"


@pytest.mark.parametrize("dialect", ["TBX-Basic", "TBX-v3"])
def test_tbx_round_trip(dialect: str) -> None:
    first = write_tbx(sample_concepts(), dialect=dialect)
    parsed = parse_tbx(first)
    assert parsed.problems == []
    assert without_lines(parsed.concepts) == sample_concepts()
    # file → records → file → records: same records, and the same bytes
    second = write_tbx(parsed.concepts, dialect=dialect)
    assert second == first
    assert without_lines(parse_tbx(second).concepts) == without_lines(parsed.concepts)


def test_tbx_import_then_export_round_trip() -> None:
    imported = parse_tbx(TBX_BASIC.encode()).concepts
    again = parse_tbx(write_tbx(imported))
    assert again.problems == []
    assert without_lines(again.concepts) == without_lines(imported)


def test_tbx_output_is_utf8_and_well_formed() -> None:
    data = write_tbx(sample_concepts())
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    data.decode("utf-8")
    with pytest.raises(ValueError):
        write_tbx(sample_concepts(), dialect="TBX-Default")


def test_gb18030_declared_tbx_decodes() -> None:
    text = TBX_BASIC.replace('encoding="UTF-8"', 'encoding="GB18030"')
    parsed = parse_tbx(text.encode("gb18030"))
    assert parsed.problems == []
    assert parsed.concepts[0].terms[0].text == "取保候审"
    assert parsed.concepts[1].terms[0].text == "逮捕"


def test_utf16_tbx_with_bom_decodes() -> None:
    text = TBX_BASIC.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    parsed = parse_tbx(text.encode("utf-16"))
    assert parsed.problems == []
    assert parsed.concepts[0].terms[0].text == "取保候审"


def test_broken_xml_is_one_problem_with_line_and_no_concepts() -> None:
    broken = TBX_BASIC.replace(
        '</tig>\n        </langSet>\n        <langSet xml:lang="en">',
        '\n        </langSet>\n        <langSet xml:lang="en">',
        1,
    )
    parsed = parse_tbx(broken.encode())
    assert parsed.concepts == []
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert problem.line is not None and problem.line > 1
    assert "XML" in problem.message


def test_not_tbx_and_empty_are_problems() -> None:
    assert parse_tbx(b"").problems[0].message == "文件为空"
    parsed = parse_tbx(b"<html><body/></html>")
    assert parsed.concepts == [] and "不是 TBX" in parsed.problems[0].message


def billion_laughs() -> bytes:
    entities = ['  <!ENTITY lol0 "lol">']
    for level in range(1, 10):
        entities.append(f'  <!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE martif [\n'
        + "\n".join(entities)
        + '\n]>\n<martif><text><body><termEntry id="c1"><langSet xml:lang="zh">'
        "<tig><term>&lol9;</term></tig></langSet></termEntry></body></text></martif>\n"
    ).encode()


@pytest.mark.parametrize(
    "data",
    [
        billion_laughs(),
        b'<!DOCTYPE martif [<!ENTITY x "small">]>\n<martif><text><body>'
        b'<termEntry id="c1"><langSet xml:lang="zh"><tig><term>&x;</term></tig></langSet>'
        b"</termEntry></body></text></martif>",
        b'<!DOCTYPE martif [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<martif><text><body>'
        b'<termEntry id="c1"><langSet xml:lang="zh"><tig><term>&x;</term></tig></langSet>'
        b"</termEntry></body></text></martif>",
    ],
    ids=["billion-laughs", "internal-entity", "external-entity"],
)
def test_entities_are_refused_quickly(data: bytes) -> None:
    started = time.monotonic()
    parsed = parse_tbx(data)
    assert time.monotonic() - started < 2
    assert parsed.concepts == []
    assert len(parsed.problems) == 1
    assert "实体" in parsed.problems[0].message


THREE_BAD = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="zh">
  <text>
    <body>
      <termEntry id="c1">
        <langSet xml:lang="klingon">
          <tig><term>逮捕</term></tig>
        </langSet>
        <langSet xml:lang="zh">
          <tig><term>取保候审</term></tig>
          <tig><term>  </term></tig>
        </langSet>
      </termEntry>
      <termEntry id="c2">
        <langSet xml:lang="en">
          <tig>
            <term>arrest</term>
            <termNote type="administrativeStatus">bannedTerm-admn-sts</termNote>
          </tig>
        </langSet>
      </termEntry>
    </body>
  </text>
</martif>
"""


def test_every_bad_tbx_entry_is_reported_with_its_line() -> None:
    parsed = parse_tbx(THREE_BAD.encode())
    lines = [p.line for p in parsed.problems]
    assert lines == [
        line_of(THREE_BAD, 'xml:lang="klingon"'),
        line_of(THREE_BAD, "<term>  </term>"),
        line_of(THREE_BAD, "bannedTerm"),
    ]
    assert "klingon" in parsed.problems[0].message
    assert "术语为空" in parsed.problems[1].message
    assert "bannedTerm" in parsed.problems[2].message
    # the good term is still read, so the user sees the rest of the file
    assert [t.text for t in parsed.concepts[0].terms] == ["取保候审"]


def test_tbx_term_without_language_and_other_entry_problems() -> None:
    text = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="zh"><text><body>
<termEntry id="c1">
  <langSet>
    <tig><term>逮捕</term></tig>
  </langSet>
</termEntry>
<termEntry>
  <langSet xml:lang="zh"><tig><term>拘留</term></tig></langSet>
</termEntry>
<termEntry id="c3">
  <langSet xml:lang="zh">
    <tig><term>取保候审</term></tig>
    <tig><term>取保候审</term><admin type="verification">checked</admin></tig>
  </langSet>
  <langSet xml:lang="zh-CN">
    <tig><term>取保候审</term></tig>
  </langSet>
</termEntry>
<termEntry id="c1">
  <langSet xml:lang="en"><tig><term>arrest</term></tig></langSet>
</termEntry>
</body></text></martif>
"""
    parsed = parse_tbx(text.encode())
    problems = [(p.line, p.message) for p in parsed.problems]
    assert problems[0][0] == line_of(text, "<term>逮捕")
    assert "没有语言" in problems[0][1]
    assert problems[1] == (line_of(text, "<termEntry>"), "概念没有 id")
    assert problems[2][0] == line_of(text, "checked")
    assert "checked" in problems[2][1]
    assert problems[3][0] == line_of(text, "<term>取保候审", line_of(text, 'xml:lang="zh-CN"'))
    assert "重复" in problems[3][1]
    assert problems[4][0] == line_of(text, '<termEntry id="c1">', 5)
    assert "重复" in problems[4][1]
    assert len(problems) == 5
    assert [c.external_id for c in parsed.concepts] == ["c1", "c3"]


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh", ("cmn", "")),
        ("zh-CN", ("cmn", "")),
        ("zh-Hans", ("cmn", "")),
        ("zh-cmn-Hans-CN", ("cmn", "")),
        ("zh-TW", ("cmn", "TW")),
        ("en", ("eng", "")),
        ("en-GB", ("eng", "GB")),
        ("eng", ("eng", "")),
        ("mmr", ("mmr", "")),
        ("mmr-x-huayuan", ("mmr", "huayuan")),
        ("MUQ", ("muq", "")),
    ],
)
def test_language_codes(tag: str, expected: tuple[str, str]) -> None:
    assert normalize_language(tag) == expected


@pytest.mark.parametrize("tag", ["", "xx", "english", "und", "x-miao", "zh--CN", "12"])
def test_bad_language_codes(tag: str) -> None:
    with pytest.raises(ValueError):
        normalize_language(tag)


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize("delimiter", ["\t", ",", ";"])
def test_table_round_trip(delimiter: str) -> None:
    first = write_table(sample_concepts(), delimiter=delimiter)
    parsed = parse_table(first)
    assert parsed.problems == []
    assert isinstance(parsed, ParsedTable) and parsed.delimiter == delimiter
    assert without_lines(parsed.concepts) == sample_concepts()
    second = write_table(parsed.concepts, delimiter=delimiter)
    assert second == first
    assert without_lines(parse_table(second).concepts) == without_lines(parsed.concepts)


def test_table_header_is_the_documented_columns() -> None:
    plain = [ConceptRecord("c1", terms=[TermRecord("cmn", "逮捕", usage_note="备注")])]
    header = write_table(plain).decode("utf-8-sig").splitlines()[0]
    assert tuple(header.split("\t")) == COLUMNS
    # the concept's own note and verification need the two extra columns
    header = write_table(sample_concepts()).decode("utf-8-sig").splitlines()[0]
    assert tuple(header.split("\t")) == COLUMNS + EXTRA_COLUMNS
    # a formula-looking cell is defused for spreadsheets, and read back unchanged
    data = write_table(sample_concepts(), delimiter=",")
    assert b",'=\xe5" in data


def test_tbx_to_table_to_tbx() -> None:
    imported = parse_tbx(TBX_BASIC.encode()).concepts
    via_table = parse_table(write_table(imported))
    assert via_table.problems == []
    assert without_lines(via_table.concepts) == without_lines(imported)


def test_gb18030_csv_decodes_and_reports_encoding() -> None:
    text = (
        "concept_id,subject_field,language,term,status,citations\n"
        "c1,刑事诉讼,zh,取保候审,preferred,《中华人民共和国刑事诉讼法》第六十七条；《刑法》第一条\n"
        "c1,刑事诉讼,mmr,zz-0001,,\n"
        "c2,刑事诉讼,zh-CN,逮捕,admitted,\n"
    )
    parsed = parse_table(text.encode("gb18030"))
    assert isinstance(parsed, ParsedTable)
    assert parsed.encoding == "gb18030"
    assert parsed.delimiter == ","
    assert parsed.problems == []
    bail, arrest = parsed.concepts
    assert [t.text for t in bail.terms] == ["取保候审", "zz-0001"]
    assert bail.citations == ["《中华人民共和国刑事诉讼法》第六十七条", "《刑法》第一条"]
    assert arrest.terms[0].language == "cmn" and arrest.terms[0].line == 4


@pytest.mark.parametrize(
    ("codec", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("big5", "big5")],
)
def test_other_table_encodings(codec: str, reported: str) -> None:
    text = "concept_id\tlanguage\tterm\nc1\tzh-TW\t取保候審\nc1\ten\tbail\n"
    parsed = parse_table(text.encode(codec))
    assert isinstance(parsed, ParsedTable)
    assert parsed.encoding == reported
    assert parsed.problems == []
    assert parsed.concepts[0].terms[0].text == "取保候審"
    assert parsed.concepts[0].terms[0].variety == "TW"


def test_undecodable_table_is_one_problem() -> None:
    parsed = parse_table(b"concept_id,language,term\n\xff\xfe\x00\x81\x00" * 3 + b"\x80")
    assert parsed.concepts == []
    assert len(parsed.problems) == 1
    assert "编码" in parsed.problems[0].message


def test_missing_columns_is_reported() -> None:
    parsed = parse_table("concept_id,langauge,term\nc1,zh,逮捕\n".encode())
    assert parsed.concepts == []
    assert [p.line for p in parsed.problems] == [1, 1]
    assert "language" in parsed.problems[0].message
    assert "langauge" in parsed.problems[1].message


def test_every_bad_table_row_is_reported_with_its_line() -> None:
    text = (
        "concept_id\tsubject_field\tlanguage\tterm\tstatus\tverification\tdefinition\n"
        "c1\t刑事诉讼\tzh\t取保候审\tpreferred\tapproved\t定义甲\n"  # 2 good
        "c1\t刑事诉讼\tklingon\t逮捕\t\t\t\n"  # 3 unknown language
        "c1\t刑事诉讼\ten\t\t\t\t\n"  # 4 empty term
        "c2\t刑事诉讼\ten\tarrest\tbanned\t\t\n"  # 5 unknown status
        "c2\t刑事诉讼\ten\tdetention\t\tchecked\t\n"  # 6 unknown verification
        "c1\t民事诉讼\tzh\t保释\t\t\t定义乙\n"  # 7 concept fields disagree (two columns)
        "c1\t\tzh\t取保候审\t\t\t\n"  # 8 duplicate term (blank concept cells inherit)
        "c3\t\t\t拘留\t\t\t\n"  # 9 term without a language
        "\t\tzh\t拘役\t\t\t\n"  # 10 no concept id
    )
    parsed = parse_table(text.encode())
    assert [p.line for p in parsed.problems] == [3, 4, 5, 6, 7, 7, 8, 9, 10]
    messages = [p.message for p in parsed.problems]
    assert "klingon" in messages[0]
    assert "术语为空" in messages[1]
    assert "banned" in messages[2]
    assert "checked" in messages[3]
    assert "subject_field" in messages[4] and "第 2 行" in messages[4]
    assert "definition" in messages[5]
    assert "重复" in messages[6] and "第 2 行" in messages[6]
    assert "没有语言" in messages[7]
    assert "concept_id" in messages[8]


def test_three_bad_rows_with_a_multiline_cell() -> None:
    text = (
        "concept_id,language,term,note\n"
        'c1,zh,取保候审,"两行\n的备注"\n'  # lines 2-3
        "c1,xx,逮捕,\n"  # 4
        "c1,zh,,\n"  # 5
        "c1,zh,取保候审,\n"  # 6
    )
    parsed = parse_table(text.encode())
    assert [p.line for p in parsed.problems] == [4, 5, 6]
    assert parsed.concepts[0].terms[0].usage_note == "两行\n的备注"


def test_shipped_lexicon_reads_cleanly() -> None:
    data = (Path(__file__).parents[2] / "glossaries" / "xiangxi-lexicon-chen2012.tsv").read_bytes()
    parsed = parse_table(data)
    assert parsed.problems == []
    assert len(parsed.concepts) > 100
    # `note` is the term's own note there, different between the terms of one concept
    assert any(t.usage_note for c in parsed.concepts for t in c.terms)
    again = parse_table(write_table(parsed.concepts))
    assert without_lines(again.concepts) == without_lines(parsed.concepts)


def test_parsers_return_parsed_glossary() -> None:
    assert isinstance(parse_table(b"concept_id,language,term\n"), ParsedGlossary)
    assert isinstance(parse_tbx(TBX_V3.encode()), ParsedGlossary)
