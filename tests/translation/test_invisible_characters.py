"""Translation normalisation drops zero-width characters and direction controls, in every
language, so `取​保​候​审` is the sentence 取保候审 to the memory and the glossary terms.
Miao text here is placeholder tokens (zz-NNNN) only."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from interp_service.glossary.exchange.tabular import COLUMNS
from interp_service.translation.normalise import (
    match_key,
    normalise,
    normalise_chinese,
    normalise_miao,
)
from tests.conftest import Account, bearer

INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u200e",
    "\u200f",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_invisible_characters_are_removed_in_every_language(mark: str) -> None:
    assert normalise_chinese(f"申请取{mark}保{mark}候{mark}审{mark}") == "申请取保候审"
    assert normalise(f"{mark}取保候審", "cmn") == "取保候审"
    assert match_key(f"你好{mark}？", "cmn") == match_key("你好?", "cmn")
    assert normalise_miao(f"zz{mark}-0001 zz-0002{mark}") == normalise_miao("zz-0001 zz-0002")
    assert normalise(f"zz-00{mark}03", "muq") == normalise("zz-0003", "muq")
    assert normalise(f"ar{mark}rest", "eng") == "arrest"
    # a line holding only invisible characters is a blank line, dropped
    assert normalise(f"逮捕\n{mark}{mark}\n拘留", "cmn") == "逮捕\n拘留"


def test_translation_marks_the_term_written_with_zero_width_spaces(
    client: TestClient, admin: Account
) -> None:
    values = dict.fromkeys(COLUMNS, "")
    values.update(concept_id="c-bail", language="cmn", term="取保候审", status="preferred")
    table = "\t".join(COLUMNS) + "\n" + "\t".join(values[c] for c in COLUMNS) + "\n"
    imported = client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": ("g.tsv", table.encode(), "application/octet-stream")},
    )
    assert imported.status_code == 200, imported.text
    r = client.post(
        "/api/v1/translate",
        headers=bearer(admin),
        json={
            "texts": ["你知道什么是取\u200b保\u200b候\u200b审吗？"],
            "source_language": "cmn",
            "target_language": "mmr",
            "target_variety": "花垣",
        },
    )
    assert r.status_code == 200, r.text
    sentences: list[dict[str, Any]] = r.json()["results"][0]["sentences"]
    terms = [t for s in sentences for t in s["receipt"]["terms"]]
    assert [t["source_text"] for t in terms] == ["取保候审"]
    for s in sentences:
        for t in s["receipt"]["terms"]:
            assert s["source"][t["source_start"] : t["source_end"]] == t["source_text"]
