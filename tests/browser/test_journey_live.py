"""Live microphone journey: Chromium's fake microphone plays a real Mandarin recording (in a
loop); the prosecutor starts the live panel on the interview page, sees the partial text
while the clip plays and then a final line labelled as machine recognition, copies it into
the question box and stops."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ADMIN, CHROMIUM, CHROMIUM_FLAGS, create_user, login, logout, shot
from tests.browser.test_journey_interview import _open_interview

pytestmark = pytest.mark.browser
PASSWORD = "journey-password-7"
SPEECH_ZH = Path(__file__).resolve().parents[3] / "shared" / "data" / "speech-zh"
CLIP = SPEECH_ZH / "aishell1_BAC009S0764W0143.wav"  # 在市场整体从高速增长进入中高速增长区间的同时
HAN = re.compile(r"[\u4e00-\u9fff]{4,}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium with a fake microphone that plays CLIP, granted without asking."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/system-packages.sh")
    flags = [
        *CHROMIUM_FLAGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={CLIP}",
    ]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=flags)
        yield b
        b.close()


def test_live_microphone_journey(page: Any) -> None:
    login(page, *ADMIN)
    create_user(page, "lpro", "prosecutor", PASSWORD, name="吴检察官")
    logout(page)
    login(page, "lpro", PASSWORD)
    _open_interview(page)

    panel = page.locator("[data-testid=live-panel]")
    assert "实时语音（普通话）" in panel.inner_text()
    panel.locator("[data-testid=live-start]").click()
    # While the clip plays: greyed partial text (Mandarin only), then a final line.
    page.wait_for_function(
        "() => /[\\u4e00-\\u9fff]/.test("
        "document.querySelector('[data-testid=live-partial]').textContent)",
        timeout=90_000,
    )
    final = panel.locator("[data-testid=live-final]").first
    final.wait_for(timeout=60_000)
    assert "机器识别·仅供参考" in final.inner_text()
    text = final.locator("[data-testid=live-text]").inner_text()
    assert HAN.search(text), text
    # The fake microphone loops the clip from wherever capture starts, so the first final
    # may be a fragment; a whole loop of it follows. One final must hold most of the
    # reference's characters (the recogniser's wording varies).
    page.wait_for_function(
        """(ref) => Array.from(document.querySelectorAll('[data-testid=live-text]')).some(
             (el) => Array.from(new Set(ref)).filter((c) => el.textContent.includes(c)).length
                     >= new Set(ref).size / 2)""",
        arg="在市场整体从高速增长进入中高速增长区间的同时",
        timeout=90_000,
    )
    shot(page, "interview-live")

    final.locator("[data-testid=live-use]").click()
    assert page.locator("[data-testid=say-text]").input_value() == text
    assert page.locator("[data-testid=direction-to-party]").is_checked()

    panel.locator("[data-testid=live-stop]").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=live-status]').textContent === '已停止'",
        timeout=60_000,
    )
    assert panel.locator("[data-testid=live-start]").is_enabled()
