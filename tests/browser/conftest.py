"""Browser harness: a real service process and Debian's chromium driven by Playwright.

Later capabilities add their journeys next to `test_journey_foundation.py`, using the
`server` and `page` fixtures.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parents[2] / ".test-artifacts"
ADMIN = ("admin", "browser-admin-password")

pytestmark = pytest.mark.browser


@dataclass
class Server:
    url: str
    data_dir: Path
    env: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`interp-service serve` on a free loopback port with its own data folder."""
    data = tmp_path_factory.mktemp("browser-data")
    port = _free_port()
    env = {
        **os.environ,
        "INTERP_DATA_DIR": str(data),
        "INTERP_PORT": str(port),
        "INTERP_ADMIN_USERNAME": ADMIN[0],
        "INTERP_ADMIN_PASSWORD": ADMIN[1],
        # Whisper is joined from its packages once and shared with the other tests.
        "INTERP_ASR_MODEL_DIR": str(Path(tempfile.gettempdir()) / "interp-test-whisper-base"),
    }
    env.pop("INTERP_DATABASE_URL", None)
    log = (data / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "interp_service.cli", "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError((data / "server.log").read_text())
        time.sleep(0.2)  # polling for the server to accept connections, not a race
    yield Server(url, data, env)
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/system-packages.sh")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(base_url=server.url, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    # Pages may answer 404 or 422 on purpose; scripts, styles and images must not fail,
    # and no script may throw or break the Content-Security-Policy.
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    pg.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    yield pg
    context.close()
    assert errors == [], f"browser errors: {errors}"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(page: Any, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def logout(page: Any) -> None:
    page.click("form.logout button")
    page.wait_for_url("**/login")


def create_user(
    page: Any, username: str, role: str, password: str, *, name: str = "", competence: str = ""
) -> None:
    """Create a user on the admin page as the signed-in admin, and see it confirmed."""
    page.goto("/admin/users")
    form = page.locator("[data-testid=new-user-form]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=display_name]").fill(name or username)
    form.locator("input[name=password]").fill(password)
    form.locator(f"input[name=roles][value={role}]").check()
    if competence:
        form.locator("textarea[name=competences]").fill(competence)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert f"已创建用户 {username}" in page.content()
