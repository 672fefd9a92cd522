"""The model path: a small model trained in the test, installed under the data folder and
promoted, serves sentences with no memory hit; approved glossary terms are enforced in its
output. A broken model folder is refused, reported in /readyz, and translation falls back
to the labelled gloss."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.config import Settings
from interp_service.engine.cards import ModelCard, read_card
from interp_service.engine.service import promote
from tests.conftest import Account, bearer
from tests.interview_setup import TERM_CMN, approve_miao_term


def install(settings: Settings, card: ModelCard) -> ModelCard:
    """Copy a trained model under the data folder and promote it, as an admin would."""
    target = settings.trained_models_dir / "mt" / card.folder.name
    shutil.copytree(card.folder, target)
    installed = read_card(target)
    promote(settings.trained_models_dir, installed)
    return installed


@pytest.fixture
def model_client(app: FastAPI, settings: Settings, tiny_model: ModelCard) -> Iterator[TestClient]:
    install(settings, tiny_model)
    with TestClient(app) as c:  # the engine reads the promoted model at start
        yield c


def _translate(client: TestClient, who: Account, text: str) -> dict[str, Any]:
    r = client.post(
        "/api/v1/translate",
        headers=bearer(who),
        json={
            "texts": [text],
            "source_language": "cmn",
            "target_language": "mmr",
            "target_variety": "花垣",
        },
    )
    assert r.status_code == 200, r.text
    sentence = r.json()["results"][0]["sentences"][0]
    return {"source": sentence["source"], "output": sentence["output"], **sentence["receipt"]}


def test_promoted_model_serves_and_enforces_the_approved_term(
    model_client: TestClient, admin: Account, make_user: Any, tiny_model: ModelCard
) -> None:
    spelling, _gloss, miao_admin = approve_miao_term(model_client, admin, make_user)
    sentence = _translate(model_client, miao_admin, f"请说明{TERM_CMN}的情况")
    assert sentence["path"] == "model"
    assert sentence["model"]["name"] == tiny_model.name
    assert sentence["model"]["version"] == tiny_model.version
    assert sentence["flags"] == []
    # The training target of this frame is "zz-0001 zz-0002 <t0> zz-0003".
    assert sentence["output"] == f"zz-0001 zz-0002 {spelling} zz-0003"
    [term] = sentence["terms"]
    assert term["enforced"] is True
    assert sentence["output"][term["output_start"] : term["output_end"]] == spelling
    assert sentence["source"][term["source_start"] : term["source_end"]] == TERM_CMN
    # A sentence without glossary terms is served by the model as well.
    plain = _translate(model_client, miao_admin, "请说明证人的情况")
    assert plain["path"] == "model" and plain["output"] == "zz-0001 zz-0002 zz-0102 zz-0003"
    ready = model_client.get("/readyz").json()["components"]["translation_models"]
    assert ready["models"][0]["name"] == tiny_model.name and ready["failures"] == []


def test_memory_still_wins_over_the_model(
    model_client: TestClient, admin: Account, make_user: Any
) -> None:
    _spelling, _gloss, miao_admin = approve_miao_term(model_client, admin, make_user)
    r = model_client.post(
        "/api/v1/memory/entries",
        headers=bearer(miao_admin),
        json={
            "source_language": "cmn",
            "source_text": "请说明证人的情况",
            "target_language": "mmr",
            "target_variety": "花垣",
            "target_text": "zz-0900",
        },
    )
    assert r.status_code == 201, r.text
    sentence = _translate(model_client, miao_admin, "请说明证人的情况")
    assert sentence["path"] == "memory-exact" and sentence["output"] == "zz-0900"


def test_corrupt_model_is_refused_and_reported(
    app: FastAPI, settings: Settings, tiny_model: ModelCard, admin: Account, make_user: Any
) -> None:
    installed = install(settings, tiny_model)
    model_bin: Path = installed.folder / "ct2" / "model.bin"
    model_bin.write_bytes(model_bin.read_bytes()[:1000])  # a half-written file
    with TestClient(app) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200
        failures = ready.json()["components"]["translation_models"]["failures"]
        assert any(installed.folder.name in f["folder"] for f in failures)
        _spelling, _gloss, who = approve_miao_term(client, admin, make_user)
        sentence = _translate(client, who, "请说明证人的情况")
        assert sentence["path"] == "gloss" and "interpreter-required" in sentence["flags"]
