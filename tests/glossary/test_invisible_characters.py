"""Zero-width characters (U+200B-U+200D, U+2060, U+FEFF) and direction controls (U+200E,
U+200F, U+202A-U+202E, U+2066-U+2069) do not split a term: `取​保​候​审` is 取保候审 to lookup
and recognition, and a recognised term's span still points into the text as stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from interp_service.glossary.exchange.tabular import COLUMNS
from interp_service.glossary.search.folding import chinese_key, fold_chinese
from interp_service.glossary.search.matching import IndexedTerm, LookupIndex, TermRecogniser
from tests.conftest import Account, bearer

ZWSP, WJ, BOM, LRM, RLO, PDF, LRI, PDI = (
    "\u200b",
    "\u2060",
    "\ufeff",
    "\u200e",
    "\u202e",
    "\u202c",
    "\u2066",
    "\u2069",
)
TERMS = [
    IndexedTerm(1, 1, "cmn", "", "取保候审", "preferred", "approved"),
    IndexedTerm(2, 2, "cmn", "", "逮捕", "preferred", "approved"),
    IndexedTerm(3, 3, "eng", "", "bail pending trial", "preferred", "approved"),
    IndexedTerm(4, 4, "mmr", "", "zz-0001", "preferred", "approved"),
]


def _spans(text: str, language: str) -> list[tuple[int, int, str, int]]:
    found = TermRecogniser(TERMS).find(text, language)
    for m in found:
        assert text[m.start : m.end] == m.text
    return [(m.start, m.end, m.text, m.term.term_id) for m in found]


@pytest.mark.parametrize("mark", [ZWSP, "\u200c", "\u200d", WJ, BOM, LRM, "\u200f", RLO, LRI])
def test_invisible_character_inside_a_chinese_term(mark: str) -> None:
    text = f"申请取{mark}保{mark}候{mark}审，决定逮{mark}捕"
    assert _spans(text, "cmn") == [
        (2, 9, f"取{mark}保{mark}候{mark}审", 1),
        (12, 15, f"逮{mark}捕", 2),
    ]


def test_span_maps_back_into_the_original_text() -> None:
    # Invisible characters before, inside and after; a traditional character; a character
    # whose folding is longer than itself (İ lower-cases to two), which must not be mistaken
    # for "nothing removed" when as many invisible characters are dropped.
    text = f"{BOM}İ{ZWSP}犯罪嫌疑人{LRI}申请取保{ZWSP}候審{PDI}{RLO}。{PDF}"
    folded, origin = fold_chinese(text)
    assert folded.startswith("i̇犯罪") and ZWSP not in folded
    assert [text[i] for i in origin][:2] == ["İ", "İ"]
    ((start, end, surface, term),) = _spans(text, "cmn")
    assert term == 1 and text.index("取") == start and end == text.index("審") + 1
    assert surface == f"取保{ZWSP}候審"


def test_invisible_characters_in_words() -> None:
    text = f"released on b{ZWSP}ail {LRM}pending{WJ} trial today"
    ((start, end, surface, term),) = _spans(text, "eng")
    assert (start, end, term) == (text.index("b"), text.index(" today"), 3)
    assert surface == f"b{ZWSP}ail {LRM}pending{WJ} trial"
    text = f"ab zz{ZWSP}-0001{RLO} cd"
    assert _spans(text, "mmr") == [(3, 11, f"zz{ZWSP}-0001", 4)]


def test_lookup_ignores_invisible_characters() -> None:
    index = LookupIndex(TERMS)
    for query, language, expected in [
        (f"取{ZWSP}保候{LRM}审", "cmn", "取保候审"),
        (f"{BOM}qu{ZWSP}bao hou shen", "cmn", "取保候审"),
        (f"bail{WJ} pending trial", "eng", "bail pending trial"),
        (f"zz-{ZWSP}0001", "mmr", "zz-0001"),
    ]:
        hits = index.search(query, language=language)
        assert hits and hits[0].term.text == expected, query
        assert hits[0].how in ("exact", "pinyin"), (query, hits[0])
    assert chinese_key(f"取{RLO}保候审{PDF}") == "取保候审"


def test_recognise_api_span_points_into_the_text_sent(client: TestClient, admin: Account) -> None:
    values = dict.fromkeys(COLUMNS, "")
    values.update(concept_id="c-bail", language="cmn", term="取保候审")
    table = "\t".join(COLUMNS) + "\n" + "\t".join(values[c] for c in COLUMNS) + "\n"
    r = client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": ("g.tsv", table.encode(), "application/octet-stream")},
    )
    assert r.status_code == 200, r.text
    text = f"犯罪嫌疑人{ZWSP}申请取{ZWSP}保{ZWSP}候{ZWSP}审。"
    found = client.post(
        "/api/v1/glossary/recognise",
        headers=bearer(admin),
        json={"text": text, "language": "cmn"},
    ).json()
    ((match,),) = [found["matches"]]
    assert (match["start"], match["end"]) == (text.index("取"), text.index("审") + 1)
    assert match["surface"] == text[match["start"] : match["end"]]
    assert match["term"]["text"] == "取保候审"
    hits = client.get(
        "/api/v1/glossary/lookup", params={"q": f"取{ZWSP}保候审"}, headers=bearer(admin)
    ).json()
    assert hits[0]["term"]["text"] == "取保候审" and hits[0]["how"] == "exact"
