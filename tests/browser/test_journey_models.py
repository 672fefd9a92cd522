"""Models journey: an admin sees two trained versions on the 模型 page, promotes the one
that beats the retrieval baseline (ten test sentences side by side), is refused for the one
that does not, forces it with a written reason, rolls back, and the worklist and coverage
pages answer."""

from __future__ import annotations

from typing import Any

import pytest

from interp_service.config import Settings
from interp_service.engine.cards import ModelCard
from tests.browser.conftest import ADMIN, Server, login, shot
from tests.registry.conftest import install, other_pairs

pytestmark = pytest.mark.browser


def _version_page(page: Any, version: str) -> None:
    page.goto("/admin/models")
    page.locator("[data-testid=versions-cmn-mmr] a", has_text=f"tiny-cmn-mmr · {version}").click()
    page.wait_for_load_state()


def test_models_journey(page: Any, server: Server, tiny_model: ModelCard) -> None:
    tiny = tiny_model
    settings = Settings(data_dir=server.data_dir)
    install(settings, tiny, "tiny-good", "1")
    install(settings, tiny, "tiny-other", "2", pairs=other_pairs())

    login(page, *ADMIN)
    page.goto("/admin/models")
    versions = page.locator("[data-testid=versions-cmn-mmr]")
    assert "tiny-good" in versions.inner_text() and "tiny-other" in versions.inner_text()

    _version_page(page, "1")
    page.locator("[data-testid=promote-form] button").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=promoted]").is_visible()
    assert page.locator("[data-testid=samples] tbody tr").count() == 10
    assert "通过" in page.locator("[data-testid=gate-decision]").inner_text()
    shot(page, "models-promoted")

    _version_page(page, "2")
    page.locator("[data-testid=promote-form] button").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=refused]").is_visible()
    form = page.locator("[data-testid=promote-form]")
    form.locator("input[name=force]").check()
    form.locator("textarea[name=reason]").fill("测试强制晋升：检验回滚流程是否可用")
    form.locator("button").click()
    page.wait_for_load_state()
    assert "检验回滚流程" in page.locator("[data-testid=force-reason]").inner_text()

    page.goto("/admin/models")
    assert page.locator("[data-testid=serving-cmn-mmr]").inner_text() == "tiny-cmn-mmr@2"
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-testid=rollback-cmn-mmr] button").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=rolled-back]").is_visible()
    assert page.locator("[data-testid=serving-cmn-mmr]").inner_text() == "tiny-cmn-mmr@1"
    shot(page, "models-rolled-back")

    # Training from the page: this server holds no approved pairs, so it says so at once.
    page.locator("[data-testid=train-form] button").click()
    page.wait_for_load_state()
    assert "cmn" in page.locator("[data-testid=train-error]").inner_text()

    page.goto("/worklist")
    assert page.locator("[data-testid=worklist-phrases]").is_visible()
    assert "证人如实作证的义务" in page.locator("[data-testid=worklist-phrases]").inner_text()
    page.goto("/coverage")
    assert page.locator("[data-testid=coverage]").count() == 1
