"""The models pages: versions per pair with scores, lineage and status; a version page
with the gate result and ten test sentences side by side; the promote form (CSRF, force
with a reason) and the roll-back form; readable messages on refusal."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.config import Settings
from interp_service.engine.cards import ModelCard
from tests.conftest import Account, sign_in
from tests.registry.conftest import install, other_pairs

REASON = "测试集过小，先上线观察，两周后复评"


def test_models_pages_and_forms(
    app: FastAPI, client: TestClient, settings: Settings, tiny: ModelCard, admin: Account
) -> None:
    install(settings, tiny, "other-cmn-mmr", "1", pairs=other_pairs(), name="other-cmn-mmr")
    install(settings, tiny, "tiny-cmn-mmr-broken", "3", corrupt=True)
    csrf = sign_in(client, app, admin)
    listing = client.get("/admin/models")
    assert listing.status_code == 200
    assert 'href="/admin/models">模型</a>' in listing.text  # the admin nav link
    assert 'href="/admin/models/other-cmn-mmr/1"' in listing.text
    assert "已拒收" in listing.text and "SHA-256 不符" in listing.text
    assert "没有现用模型" in listing.text

    page = client.get("/admin/models/other-cmn-mmr/1")
    assert page.status_code == 200 and 'data-testid="promote-form"' in page.text
    assert "尚未评估" in page.text

    url = "/admin/models/other-cmn-mmr/1/promote"
    assert client.post(url, data={}).status_code == 403  # no CSRF token
    refused = client.post(url, data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert 'data-testid="refused"' in refused.text and "未通过晋升门槛" in refused.text
    assert "检索基线" in refused.text
    assert refused.text.count("<tr><td>") >= 10  # the ten test sentences, side by side
    assert "yy-" in refused.text and "zz-0001" in refused.text

    short = client.post(url, data={"csrf_token": csrf, "force": "1", "reason": "就这样"})
    assert short.status_code == 422 and 'data-field="reason"' in short.text
    assert "至少 10 个字" in short.text and "就这样" in short.text  # typed input kept

    done = client.post(
        url, data={"csrf_token": csrf, "force": "1", "reason": REASON}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/models/other-cmn-mmr/1?promoted=1"
    shown = client.get(done.headers["location"]).text
    assert 'data-testid="promoted"' in shown and "强制晋升" in shown and REASON in shown
    assert 'data-testid="promote-form"' not in shown
    after = client.get("/admin/models").text
    assert 'data-testid="serving-cmn-mmr">other-cmn-mmr@1' in after
    assert 'data-testid="rollback-cmn-mmr"' in after

    nothing = client.post("/admin/models/rollback", data={"csrf_token": csrf, "pair": "cmn-mmr"})
    assert nothing.status_code == 409
    assert 'data-testid="rollback-error"' in nothing.text and "没有可恢复" in nothing.text


def test_models_pages_are_for_admins(app: FastAPI, client: TestClient, make_user: Any) -> None:
    csrf = sign_in(client, app, make_user("wu", "prosecutor"))
    assert client.get("/admin/models").status_code == 403
    assert client.get("/admin/models/x/1").status_code == 403
    r = client.post("/admin/models/rollback", data={"csrf_token": csrf, "pair": "cmn-mmr"})
    assert r.status_code == 403
    assert 'href="/admin/models"' not in client.get("/").text
