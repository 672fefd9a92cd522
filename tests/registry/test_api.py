"""The registry through the API, as an admin would use it: versions are registered from
the models folder, the gate refuses a model that does not beat the retrieval baseline or
the promoted model, a forced promotion needs a written reason and is audited, roll-back
restores the previous version, and the running service translates with the newly promoted
model without a restart."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interp_service.config import Settings
from interp_service.engine.cards import ModelCard
from tests.conftest import Account, bearer
from tests.registry.conftest import audit_actions, install, other_pairs

REASON = "基线评估集过小，经团队讨论先行上线观察两周"


def _versions(client: TestClient, who: Account) -> dict[str, dict[str, Any]]:
    r = client.get("/api/v1/models", headers=bearer(who))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    return {f"{v['name']}@{v['version']}" if v["version"] else v["name"]: v for v in items}


def _promote(client: TestClient, who: Account, name: str, version: str, **body: Any) -> Any:
    return client.post(f"/api/v1/models/{name}/{version}/promote", json=body, headers=bearer(who))


def _translate(client: TestClient, who: Account, text: str) -> dict[str, Any]:
    r = client.post(
        "/api/v1/translate",
        headers=bearer(who),
        json={"texts": [text], "source_language": "cmn", "target_language": "mmr"},
    )
    assert r.status_code == 200, r.text
    sentence = r.json()["results"][0]["sentences"][0]
    return {"output": sentence["output"], **sentence["receipt"]}


def test_sync_lists_versions_and_a_broken_folder_is_refused_never_promoted(
    client: TestClient, settings: Settings, tiny: ModelCard, admin: Account, db: Session
) -> None:
    install(settings, tiny, "tiny-cmn-mmr-1", "1")
    install(settings, tiny, "tiny-cmn-mmr-broken", "7", corrupt=True)
    (settings.trained_models_dir / "mt" / "half-written").mkdir()
    versions = _versions(client, admin)
    good = versions["tiny-cmn-mmr@1"]
    assert good["status"] == "candidate" and good["pair"] == "cmn-mmr"
    assert good["folder"] == "tiny-cmn-mmr-1" and len(good["card_sha256"]) == 64
    assert good["gate"] is None and good["problem"] == ""
    broken = versions["tiny-cmn-mmr@7"]
    assert broken["status"] == "refused" and "SHA-256 不符" in broken["problem"]
    assert versions["half-written"]["status"] == "refused"
    assert "缺少 card.toml" in versions["half-written"]["problem"]
    # Listing again changes nothing; each registration was audited once.
    assert _versions(client, admin) == versions
    actions = [a for a, _ in audit_actions(db)]
    assert actions.count("model.register") == 1 and actions.count("model.refuse") == 2
    for body in ({}, {"force": True, "reason": REASON}):
        r = _promote(client, admin, "tiny-cmn-mmr", "7", **body)
        assert r.status_code == 409 and "已被拒收" in r.json()["detail"]
    shown = client.get("/api/v1/models/tiny-cmn-mmr/7", headers=bearer(admin)).json()
    assert shown["status"] == "refused" and shown["promoted_at"] is None
    assert client.get("/api/v1/models/tiny-cmn-mmr/8", headers=bearer(admin)).status_code == 404


def test_gate_refuses_a_model_that_does_not_beat_the_baseline_unless_forced_with_a_reason(
    client: TestClient, settings: Settings, tiny: ModelCard, admin: Account, db: Session
) -> None:
    install(settings, tiny, "other-cmn-mmr", "1", pairs=other_pairs(), name="other-cmn-mmr")
    r = _promote(client, admin, "other-cmn-mmr", "1")
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["type"].endswith("/promotion-refused")
    assert any("检索基线" in reason for reason in problem["reasons"])
    scores = problem["gate"]
    assert scores["candidate"]["chrf"] + 1.0 <= scores["baseline"]["chrf"]
    assert scores["incumbent"] is None and scores["margin_chrf"] == 1.0
    # The refusal is kept with the version, ten test sentences side by side.
    shown = client.get("/api/v1/models/other-cmn-mmr/1", headers=bearer(admin)).json()
    assert shown["status"] == "candidate" and shown["gate"]["passed"] is False
    samples = shown["gate"]["samples"]
    assert len(samples) == 10 and samples[0]["reference"].startswith("yy-")
    assert samples[0]["candidate"].startswith("zz-")  # what the model actually learnt
    for body, field in (({"force": True}, "reason"), ({"force": True, "reason": "上线"}, "reason")):
        r = _promote(client, admin, "other-cmn-mmr", "1", **body)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    forced = _promote(client, admin, "other-cmn-mmr", "1", force=True, reason=REASON)
    assert forced.status_code == 200, forced.text
    out = forced.json()
    assert out["promoted"] is True and out["forced"] is True
    assert out["version"]["status"] == "promoted" and out["version"]["force_reason"] == REASON
    actions = audit_actions(db)
    assert [a for a, _ in actions][-2:] == ["model.promote.refused", "model.promote"]
    details = actions[-1][1]
    assert details["forced"] is True and details["decision"] == "forced"
    assert len(details["reason_sha256"]) == 64 and REASON not in str(details)


def test_promotion_serves_at_once_and_rollback_restores_the_previous_version(
    client: TestClient,
    settings: Settings,
    tiny: ModelCard,
    admin: Account,
    db: Session,
    app: FastAPI,
) -> None:
    install(settings, tiny, "tiny-cmn-mmr-1", "1")
    before = _translate(client, admin, "请说明证人的情况")
    assert before["path"] == "gloss"
    first = _promote(client, admin, "tiny-cmn-mmr", "1")
    assert first.status_code == 200, first.text
    gate = first.json()["version"]["gate"]
    assert gate["passed"] is True and gate["candidate"]["chrf"] >= gate["baseline"]["chrf"] + 1
    served = _translate(client, admin, "请说明证人的情况")
    assert served["path"] == "model" and served["model"]["version"] == "1"
    assert served["output"] == "zz-0001 zz-0002 zz-0102 zz-0003"

    # The same weights again do not beat the promoted model: refused, then forced.
    install(settings, tiny, "tiny-cmn-mmr-2", "2", training={"parent": "tiny-cmn-mmr@1"})
    again = _promote(client, admin, "tiny-cmn-mmr", "2")
    assert again.status_code == 409
    assert any("现用模型 tiny-cmn-mmr@1" in reason for reason in again.json()["reasons"])
    assert again.json()["gate"]["incumbent"]["label"] == "tiny-cmn-mmr@1"
    forced = _promote(client, admin, "tiny-cmn-mmr", "2", force=True, reason=REASON)
    assert forced.status_code == 200, forced.text
    assert forced.json()["previous"]["version"] == "1"
    assert _translate(client, admin, "请说明证人的情况")["model"]["version"] == "2"
    versions = _versions(client, admin)
    assert versions["tiny-cmn-mmr@2"]["previous_label"] == "tiny-cmn-mmr@1"
    assert versions["tiny-cmn-mmr@2"]["parent"] == "tiny-cmn-mmr@1"
    assert versions["tiny-cmn-mmr@1"]["status"] == "candidate"

    back = client.post("/api/v1/models/rollback", json={"pair": "cmn-mmr"}, headers=bearer(admin))
    assert back.status_code == 200, back.text
    assert back.json()["version"] == "1" and back.json()["status"] == "promoted"
    assert _translate(client, admin, "请说明证人的情况")["model"]["version"] == "1"
    assert _versions(client, admin)["tiny-cmn-mmr@2"]["status"] == "candidate"
    rollback = [d for a, d in audit_actions(db) if a == "model.rollback"]
    assert rollback and rollback[0]["pair"] == "cmn-mmr"
    # Nothing served before version 1: nothing to roll back to.
    nothing = client.post(
        "/api/v1/models/rollback", json={"pair": "cmn-mmr"}, headers=bearer(admin)
    )
    assert nothing.status_code == 409
    ready = client.get("/readyz").json()["components"]["translation_models"]
    assert [(m["name"], m["version"]) for m in ready["models"]] == [("tiny-cmn-mmr", "1")]


def test_a_pointer_changed_outside_the_registry_is_recorded(
    client: TestClient, settings: Settings, tiny: ModelCard, admin: Account, db: Session
) -> None:
    from interp_service.engine.service import promote

    card = install(settings, tiny, "tiny-cmn-mmr-1", "1")
    _versions(client, admin)
    promote(settings.trained_models_dir, card)
    assert _versions(client, admin)["tiny-cmn-mmr@1"]["status"] == "promoted"
    assert "model.promote.detected" in [a for a, _ in audit_actions(db)]
    retire = client.post("/api/v1/models/tiny-cmn-mmr/1/retire", headers=bearer(admin))
    assert retire.status_code == 409  # serving: roll back or promote another first


def test_models_are_for_admins_only(
    client: TestClient, settings: Settings, tiny: ModelCard, make_user: Any
) -> None:
    install(settings, tiny, "tiny-cmn-mmr-1", "1")
    for role in ("prosecutor", "clerk"):
        who = make_user(f"not-admin-{role}", role)
        h = bearer(who)
        assert client.get("/api/v1/models", headers=h).status_code == 403
        assert client.get("/api/v1/models/tiny-cmn-mmr/1", headers=h).status_code == 403
        assert _promote(client, who, "tiny-cmn-mmr", "1").status_code == 403
        r = client.post("/api/v1/models/rollback", json={"pair": "cmn-mmr"}, headers=h)
        assert r.status_code == 403
    assert client.get("/api/v1/models").status_code == 401
