"""Recordings journey: an admin competent in Miao fills in a phrase's Miao side, records it
in the browser (a fake microphone), names the speaker and their consent and uploads it,
approves it after listening, and an interview page then plays the approved recording.

The fake microphone plays a Mandarin sentence from the shared speech data when it is
there (Chromium's built-in beep otherwise): the content need not be Miao speech."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    ADMIN,
    CHROMIUM,
    CHROMIUM_FLAGS,
    create_user,
    login,
    logout,
    shot,
)
from tests.browser.test_journey_interview import _open_interview

pytestmark = pytest.mark.browser
PASSWORD = "journey-password-5"
MIAO = "zz-0001"  # a placeholder: no Miao text is invented here
FAKE_AUDIO = (
    Path(__file__).parents[3] / "shared" / "data" / "speech-zh" / "aishell1_BAC009S0002W0123.wav"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium with a fake microphone that needs no permission prompt (overrides the
    shared fixture for this module only)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/system-packages.sh")
    flags = [
        *CHROMIUM_FLAGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",
    ]
    if FAKE_AUDIO.is_file():
        flags.append(f"--use-file-for-fake-audio-capture={FAKE_AUDIO}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=flags)
        yield b
        b.close()


def _row(page: Any, testid: str) -> Any:
    return page.locator(f"[data-testid=phrasebook] tr[data-testid='{testid}']")


def test_recordings_journey(page: Any) -> None:
    from playwright.sync_api import expect

    login(page, *ADMIN)
    create_user(page, "rmiao", "admin", PASSWORD, name="龙录音", competence="mmr 花垣 native")
    logout(page)
    login(page, "rmiao", PASSWORD)

    # The Miao side first: a recording says approved text.
    page.goto("/memory/phrasebook")
    first = page.locator("[data-testid=phrasebook] tbody tr").first
    testid = first.get_attribute("data-testid")
    assert testid
    first.locator("summary", has_text="填写并核准苗语译文").click()
    first.locator("textarea[name=target_text]").fill(MIAO)
    first.locator("form[data-testid^=phrase-form-] button[type=submit]").click()
    page.wait_for_load_state()
    row = _row(page, testid)
    assert MIAO in row.inner_text()

    # Record in the browser: the recording lands in the form's file input.
    row.locator("summary", has_text="上传或录制苗语录音").click()
    form = row.locator("form[data-recorder]")
    form.locator("[data-testid=record-start]").click()
    status = form.locator("[data-testid=record-status]")
    expect(status).to_contain_text("录音中 0:02", timeout=10_000)
    form.locator("[data-testid=record-stop]").click()
    expect(form.locator("[data-testid=record-preview]")).to_be_visible()
    expect(status).to_contain_text("已录音")
    chosen = form.locator("input[name=file]").evaluate(
        "input => input.files.length === 1 ? [input.files[0].name, input.files[0].size] : null"
    )
    assert chosen is not None and chosen[0] == "recording.webm" and chosen[1] > 1000
    form.locator("input[name=speaker]").fill("发音人甲")
    form.locator("input[name=speaker_consent]").check()
    shot(page, "recording-recorded")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "录音已上传" in page.locator("[data-testid=notice]").inner_text()
    row = _row(page, testid)
    assert "有录音（未核准）" in row.inner_text()
    assert "发音人同意用作语音数据" in row.inner_text()

    # The admin listens (unapproved recordings play for admins) and approves.
    heard = row.locator("[data-testid=phrase-recording-audio]")
    listened = page.request.get(heard.get_attribute("src"))
    assert listened.status == 200
    assert listened.headers["content-type"] == "audio/webm"
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("form[data-testid^=approve-recording-] button").click()
    page.wait_for_load_state()
    assert "录音已核准" in page.locator("[data-testid=notice]").inner_text()
    assert "有核准录音" in _row(page, testid).inner_text()
    shot(page, "recording-approved")

    # The interview page plays it.
    _open_interview(page)
    audio = page.locator("section.phrasebook [data-testid=phrase-audio]")
    expect(audio).to_have_count(1)
    src = audio.get_attribute("src")
    assert re.fullmatch(r"/api/v1/memory/entries/\d+/recording", src or "")
    response = page.request.get(src)
    assert response.status == 200
    assert response.headers["content-type"].startswith("audio/")
    played = audio.evaluate(
        """audio => audio.play().then(() => new Promise(resolve => {
            audio.addEventListener("timeupdate", function done() {
              if (audio.currentTime > 0.2) {
                audio.removeEventListener("timeupdate", done);
                resolve({error: audio.error && audio.error.code, time: audio.currentTime});
              }
            });
          }))"""
    )
    assert played["error"] is None and played["time"] > 0.2
    audio.evaluate("audio => audio.pause()")
    audio.scroll_into_view_if_needed()
    shot(page, "recording-interview")
