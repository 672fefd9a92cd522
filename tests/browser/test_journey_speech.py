"""Speech journey: a clerk uploads an interview recording on the page (Mandarin, then
English read by espeak-ng as a stand-in for speech that is not Mandarin); the progress
bar runs, the Mandarin segment comes back with times and machine text, the other has no
text and waits in the queue; the Miao-competent prosecutor plays it, is refused a
misspelt transcript, then approves one; the recording page shows the approved text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.browser.conftest import ADMIN, Server, create_user, login, logout, shot
from tests.browser.test_journey_interview import _open_interview
from tests.glossary.test_glossary_api import lexicon_spelling
from tests.speech.conftest import clip, english_standin, silence, wav_bytes

pytestmark = pytest.mark.browser
PASSWORD = "journey-password-6"


def test_speech_journey(page: Any, server: Server, tmp_path: Path) -> None:
    spelling, _ = lexicon_spelling()
    recording = tmp_path / "询问录音.wav"
    recording.write_bytes(
        wav_bytes(np.concatenate([silence(0.5), clip(), silence(1.5), english_standin()]))
    )
    login(page, *ADMIN)
    create_user(page, "spro", "prosecutor", PASSWORD, name="吴检察官", competence="mmr 花垣 fluent")
    logout(page)

    login(page, "spro", PASSWORD)
    _open_interview(page)
    page.locator("[data-testid=recordings-link]").click()
    page.wait_for_url(re.compile(r"/recordings$"))
    recordings_url = page.url

    # A file that is not audio: a readable message, nothing listed.
    bogus = tmp_path / "notes.wav"
    bogus.write_text("这不是录音")
    form = page.locator("[data-testid=recording-upload]")
    form.locator("input[type=file]").set_input_files(str(bogus))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "音频" in page.locator("[data-testid=upload-error]").inner_text()
    assert page.locator("section.recording").count() == 0

    form = page.locator("[data-testid=recording-upload]")
    form.locator("input[type=file]").set_input_files(str(recording))
    form.locator("input[name=speech_data_consent]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=uploaded]").is_visible()
    # speech.js polls the job and reloads the page when the segments are ready.
    page.locator("[data-testid=segments]").wait_for(timeout=180_000)
    mandarin = page.locator("[data-testid=segments] tr[data-kind=mandarin]")
    other = page.locator("[data-testid=segments] tr[data-kind=unconfirmed]")
    assert mandarin.count() == 1 and other.count() >= 1
    assert re.search(
        r"[\u4e00-\u9fff]{4}", mandarin.locator("[data-testid=machine-text]").inner_text()
    )
    assert mandarin.locator("[data-testid=segment-time]").inner_text().startswith("0:0")
    assert other.first.locator("[data-testid=no-machine-text]").is_visible()
    shot(page, "speech-recording-segments")

    page.goto("/speech/queue")
    segment = page.locator("section.segment").first
    audio_src = segment.locator("[data-testid=segment-audio-around]").get_attribute("src")
    played = page.request.get(audio_src)
    assert played.status == 200 and played.headers["content-type"] == "audio/wav"
    segment.locator("textarea[name=transcript]").fill("zz-0001 qqqq")
    segment.locator("button[value=approve]").click()
    page.wait_for_load_state()
    assert "湘西苗文" in page.locator("[data-testid=segment-error]").inner_text()
    segment = page.locator("section.segment").first
    segment.locator("textarea[name=transcript]").fill(spelling)
    segment.locator("button[value=approve]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=approved-notice]").is_visible()
    shot(page, "speech-queue-approved")

    page.goto(recordings_url)
    assert spelling in page.locator("[data-testid=approved-transcript]").first.inner_text()
