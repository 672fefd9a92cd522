"""The document route with a promoted model (the tiny test model), and with an engine that
refuses work: the mark says which path answered, and a refusal stores nothing."""

from __future__ import annotations

from typing import Any

import docx
import pytest
from fastapi.testclient import TestClient

from interp_service.config import Settings
from interp_service.documents import service
from interp_service.engine.cards import ModelCard
from interp_service.errors import Overloaded
from tests.documents.build import MEMORY_SENTENCE, open_docx, save
from tests.documents.test_translate_api import MEMORY, evidence_of, upload
from tests.translation.test_model_path import install

MODEL = "【译文建议·机器翻译模型】"


def test_a_promoted_model_answers_what_memory_does_not(
    client: TestClient, world: dict[str, Any], settings: Settings, tiny_model: ModelCard
) -> None:
    install(settings, tiny_model)  # picked up on the next translation, no restart
    document = docx.Document()
    document.add_paragraph("请说明证人的情况")
    document.add_paragraph(MEMORY_SENTENCE)
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "请说明被害人的情况"
    r = upload(client, world["clerk"], world["case_id"], save(document))
    assert r.status_code == 200, r.text
    result = open_docx(r.content)
    body = [p.text for p in result.paragraphs]
    # The tiny model's training target for this frame (see engine/testing.py).
    assert body[1:4] == [
        "请说明证人的情况",
        f"{MODEL}zz-0001 zz-0002 zz-0102 zz-0003",
        MEMORY_SENTENCE,
    ]
    assert body[4] == MEMORY
    cell = [p.text for p in result.tables[0].cell(0, 0).paragraphs]
    assert cell == ["请说明被害人的情况", f"{MODEL}zz-0001 zz-0002 zz-0103 zz-0003"]


def test_a_busy_engine_answers_503_and_stores_nothing(
    client: TestClient, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def busy(*args: Any) -> Any:
        raise Overloaded("翻译引擎繁忙，请稍后重试", retry_after=3)

    monkeypatch.setattr(service, "translate_texts", busy)
    document = docx.Document()
    document.add_paragraph("请说明证人的情况")
    r = upload(client, world["clerk"], world["case_id"], save(document))
    assert r.status_code == 503
    assert r.json()["detail"] == "翻译引擎繁忙，请稍后重试"
    assert evidence_of(client, world["clerk"], world["case_id"]) == []
