"""Import robustness: every problem of a file is listed with its line (lengths included) and
nothing is imported; language tags from common tools (ISO 639-1, BCP 47) import with the
original tag kept in the term's source, and only truly invalid tags are refused."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interp_service.glossary.exchange.tabular import COLUMNS, parse_table
from interp_service.glossary.exchange.tbx import parse_tbx
from interp_service.glossary.languages import (
    LanguageError,
    parse_language_tag,
    with_original_tag,
)
from interp_service.glossary.orm import Concept, Term
from tests.conftest import Account, bearer
from tests.glossary.test_exchange import line_of

HEADER = "\t".join(COLUMNS) + "\n"


def _row(concept: str, language: str, term: str, **cells: str) -> str:
    values = dict.fromkeys(COLUMNS, "")
    values.update(concept_id=concept, language=language, term=term, **cells)
    return "\t".join(values[c] for c in COLUMNS) + "\n"


def _csv_row(concept: str, language: str, term: str) -> str:
    values = dict.fromkeys(COLUMNS, "")
    values.update(concept_id=concept, language=language, term=term)
    return ",".join(values[c] for c in COLUMNS) + "\n"


def _import(client: TestClient, admin: Account, data: bytes, name: str) -> Any:
    return client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": (name, data, "application/octet-stream")},
    )


def _problems(response: Any) -> list[tuple[int, str]]:
    assert response.status_code == 422, response.text
    return [(p["line"], p["message"]) for p in response.json()["problems"]]


def _nothing_imported(db: Session) -> None:
    assert db.scalar(select(func.count()).select_from(Concept)) == 0
    assert db.scalar(select(func.count()).select_from(Term)) == 0


# --------------------------------------------------------------------------- every problem


def test_every_over_long_value_is_listed_with_its_line(
    client: TestClient, admin: Account, db: Session
) -> None:
    long_id = "c-" + "x" * 70
    rows = [
        _row(long_id, "cmn", "逮捕"),  # line 2
        _row(long_id, "eng", "arrest"),  # line 3
        _row(long_id, "mmr", "zz-0001"),  # line 4
        _row("c-ok", "cmn", "取" * 301, status="sometimes"),  # line 5: two problems
        _row("c-field", "cmn", "拘留", subject_field="f" * 65),  # line 6
        _row("c-fine", "cmn", "监视居住"),  # line 7
        _row("c-ipa", "mmr", "zz-0002", ipa="i" * 301, citations="《法》" + "条" * 200),  # 8
    ]
    problems = _problems(_import(client, admin, (HEADER + "".join(rows)).encode(), "long.tsv"))
    assert [line for line, _ in problems] == [2, 3, 4, 5, 5, 6, 8, 8]
    assert all("超过 64 个字符" in m for _, m in problems[:3])
    assert any("超过 300 个字符" in m for line, m in problems if line == 5)
    assert any("sometimes" in m for line, m in problems if line == 5)
    assert "subject_field 超过 64 个字符" in problems[5][1]
    assert {m.split("：", 1)[1].split(" ")[0] for _, m in problems[6:]} == {"ipa", "citations"}
    _nothing_imported(db)


def test_tbx_over_long_values_each_with_their_line() -> None:
    long_id = "c-" + "x" * 70
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic"><text><body>
<termEntry id="{long_id}">
  <langSet xml:lang="cmn"><tig><term>逮捕</term></tig></langSet>
</termEntry>
<termEntry id="c-2">
  <langSet xml:lang="cmn"><tig><term>{"取" * 301}</term>
    <termNote type="administrativeStatus">bannedTerm</termNote></tig></langSet>
</termEntry>
<termEntry id="{long_id}-b">
  <admin type="citation">{"条" * 201}</admin>
  <langSet xml:lang="cmn"><tig><term>拘留</term></tig></langSet>
</termEntry>
</body></text></martif>
"""
    problems = [(p.line, p.message) for p in parse_tbx(text.encode()).problems]
    assert [line for line, _ in problems] == [
        line_of(text, f'id="{long_id}"'),
        line_of(text, "取取取"),
        line_of(text, "bannedTerm"),
        line_of(text, f'id="{long_id}-b"'),
        line_of(text, 'type="citation"'),
    ]
    assert "超过 64 个字符" in problems[0][1] and "超过 300 个字符" in problems[1][1]


def test_table_goes_on_after_a_row_it_cannot_split(
    client: TestClient, admin: Account, db: Session
) -> None:
    rows = [
        _row("c-1", "cmn", "逮捕"),
        _row("c-2", "cmn", '"拘留"x'),  # line 3: a quote the CSV reader cannot read
        _row("c-3", "cmn", "监视居住"),
        _row("c-4", "klingon", "取保候审"),  # line 5
    ]
    problems = _problems(_import(client, admin, (HEADER + "".join(rows)).encode(), "q.tsv"))
    assert [line for line, _ in problems] == [3, 5]
    assert "表格格式错误" in problems[0][1] and "klingon" in problems[1][1]
    _nothing_imported(db)


def test_direction_control_in_a_term_is_refused_with_its_line() -> None:
    rows = [_row("c-1", "cmn", "逮捕"), _row("c-2", "cmn", "拘\u202e留")]
    problems = parse_table((HEADER + "".join(rows)).encode()).problems
    assert [(p.line, "方向控制字符" in p.message) for p in problems] == [(3, True)]


# --------------------------------------------------------------------------- language tags

COMMON_TAGS = [
    # tag, stored language, variety, what the source keeps
    ("en", "eng", "", "原语言标记 en"),
    ("en-US", "eng", "US", "原语言标记 en-US"),
    ("pt-BR", "por", "BR", "原语言标记 pt-BR"),
    ("zh-CN", "cmn", "", "原语言标记 zh-CN"),
    ("zh-Hant-TW", "cmn", "TW", "原语言标记 zh-Hant-TW（繁体）"),
    ("da", "dan", "", "原语言标记 da"),
    ("tr", "tur", "", "原语言标记 tr"),
    ("no", "nor", "", "原语言标记 no"),
]
TEXTS = {
    "en": "arrest",
    "en-US": "arrest warrant",
    "pt-BR": "prisão",
    "zh-CN": "逮捕",
    "zh-Hant-TW": "逮捕令",
    "da": "anholdelse",
    "tr": "tutuklama",
    "no": "arrestasjon",
}


@pytest.mark.parametrize(
    ("tag", "language", "variety", "note"),
    [
        *COMMON_TAGS,
        ("zh", "cmn", "", "原语言标记 zh"),
        ("zh-Hans", "cmn", "", "原语言标记 zh-Hans"),
        ("zh-TW", "cmn", "TW", "原语言标记 zh-TW（繁体）"),
        ("zh-cmn-Hans-CN", "cmn", "", "原语言标记 zh-cmn-Hans-CN"),
        ("en_GB", "eng", "GB", "原语言标记 en_GB"),
        ("fre", "fra", "", "原语言标记 fre"),
        ("hmn", "hmn", "", ""),  # Hmong, not Xiangxi: kept as it is
        ("mww", "mww", "", ""),
        ("mmr", "mmr", "", ""),
        ("MUQ", "muq", "", ""),
        ("mmr-x-huayuan", "mmr", "huayuan", "原语言标记 mmr-x-huayuan"),
    ],
)
def test_language_tag_mapping(tag: str, language: str, variety: str, note: str) -> None:
    parsed = parse_language_tag(tag)
    assert (parsed.code, parsed.variety, parsed.note) == (language, variety, note)


@pytest.mark.parametrize(
    "tag", ["xx-!!", "en_US_POSIX", "zh-Hanx", "xx", "und", "x-miao", "english", "zh-", "中文"]
)
def test_invalid_language_tags_are_refused(tag: str) -> None:
    with pytest.raises(LanguageError) as caught:
        parse_language_tag(tag)
    assert caught.value.args[0].startswith("语言代码")


def test_original_tag_is_kept_once() -> None:
    tag = parse_language_tag("zh-Hant-TW")
    source = with_original_tag("刑事诉讼法", tag)
    assert source == "刑事诉讼法；原语言标记 zh-Hant-TW（繁体）"
    assert with_original_tag(source, tag) == source
    assert with_original_tag("", parse_language_tag("cmn")) == ""


def _common_tbx() -> bytes:
    sections = "".join(
        f'<langSet xml:lang="{tag}"><tig><term>{TEXTS[tag]}</term>'
        '<admin type="source">工具导出</admin></tig></langSet>\n'
        for tag, *_ in COMMON_TAGS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX-Basic"><text><body>\n'
        f'<termEntry id="c-arrest">\n{sections}</termEntry>\n</body></text></martif>\n'
    ).encode()


def _common_csv() -> bytes:
    rows = "".join(_csv_row("c-arrest", tag, TEXTS[tag]) for tag, *_ in COMMON_TAGS)
    return (",".join(COLUMNS) + "\n" + rows).encode()


@pytest.mark.parametrize("fmt", ["tbx", "csv"])
def test_common_tool_tags_import_with_the_tag_kept(
    fmt: str, client: TestClient, admin: Account, db: Session
) -> None:
    data = _common_tbx() if fmt == "tbx" else _common_csv()
    r = _import(client, admin, data, f"tool.{fmt}")
    assert r.status_code == 200, r.text
    assert (r.json()["concepts_created"], r.json()["terms_created"]) == (1, len(COMMON_TAGS))
    stored = {t.text: t for t in db.scalars(select(Term))}
    prefix = "工具导出；" if fmt == "tbx" else ""
    for tag, language, variety, note in COMMON_TAGS:
        term = stored[TEXTS[tag]]
        assert (term.language, term.variety, term.source) == (language, variety, prefix + note)
    again = _import(client, admin, data, f"tool.{fmt}").json()
    assert (again["concepts_changed"], again["terms_created"], again["terms_changed"]) == (0, 0, 0)
    # the export writes ISO 639-3 codes and the kept tag; it imports back unchanged
    exported = client.get(
        "/api/v1/glossary/export", params={"format": "tsv"}, headers=bearer(admin)
    )
    back = _import(client, admin, exported.content, "back.tsv").json()
    assert (back["concepts_changed"], back["terms_created"], back["terms_changed"]) == (0, 0, 0)


def test_one_invalid_tag_refuses_the_file_naming_its_line(
    client: TestClient, admin: Account, db: Session
) -> None:
    rows = [
        _row("c-1", "pt-BR", "prisão"),
        _row("c-1", "zh-Hant-TW", "逮捕令"),
        _row("c-1", "xx-!!", "zz-0001"),  # line 4
        _row("c-1", "da", "anholdelse"),
    ]
    problems = _problems(_import(client, admin, (HEADER + "".join(rows)).encode(), "one.tsv"))
    assert [line for line, _ in problems] == [4]
    assert "xx-!!" in problems[0][1]
    _nothing_imported(db)


def test_three_invalid_tags_are_all_listed(client: TestClient, admin: Account, db: Session) -> None:
    rows = [
        _row("c-1", "en_US_POSIX", "arrest"),  # line 2
        _row("c-1", "pt-BR", "prisão"),
        _row("c-2", "xx-!!", "zz-0001"),  # line 4
        _row("c-2", "tr", "tutuklama"),
        _row("c-3", "zh-Hanx", "逮捕"),  # line 6
        _row("c-3", "no", "arrestasjon"),
    ]
    problems = _problems(_import(client, admin, (HEADER + "".join(rows)).encode(), "three.tsv"))
    assert [line for line, _ in problems] == [2, 4, 6]
    for (_, message), bad in zip(problems, ["en_US_POSIX", "xx-!!", "zh-Hanx"], strict=True):
        assert bad in message
    _nothing_imported(db)


def test_tbx_invalid_tag_names_its_language_section() -> None:
    text = _common_tbx().decode().replace('xml:lang="tr"', 'xml:lang="tr-!!"')
    problems = [(p.line, p.message) for p in parse_tbx(text.encode()).problems]
    assert problems == [(line_of(text, 'xml:lang="tr-!!"'), problems[0][1])]
    assert "tr-!!" in problems[0][1]
