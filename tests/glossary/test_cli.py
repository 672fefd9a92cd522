"""The glossary from the command line, as an operator would use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from interp_service.config import Settings

SHIPPED = Path(__file__).parents[2] / "glossaries" / "criminal-procedure.tsv"


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "INTERP_DATA_DIR": str(settings.data_dir),
        "INTERP_DATABASE_URL": settings.resolved_database_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "interp_service.cli", "glossary", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_import_lookup_propose_approve(settings: Settings, tmp_path: Path) -> None:
    first = _cli(settings, "import", str(SHIPPED))
    assert first.returncode == 0 and "release 1" in first.stdout
    again = _cli(settings, "import", str(SHIPPED))
    assert "release unchanged" in again.stdout
    found = _cli(settings, "lookup", "jianshijuzhu")
    assert found.returncode == 0 and "监视居住" in found.stdout
    seen = _cli(settings, "recognise", "决定对犯罪嫌疑人监视居住")
    assert "监视居住" in seen.stdout and "release 1" in seen.stdout
    out = tmp_path / "g.tbx"
    assert _cli(settings, "export", "--format", "tbx", "--out", str(out)).returncode == 0
    checked = _cli(settings, "import", str(out), "--dry-run")
    assert "0 new, 0 changed; terms 0 new, 0 changed" in checked.stdout
    proposed = _cli(
        settings,
        "propose",
        "--concept",
        "1",
        "--language",
        "cmn",
        "--as-user",
        "admin",
        "测试同义词",
    )
    assert proposed.returncode == 0
    pid = proposed.stdout.split()[1]
    approved = _cli(settings, "approve", pid)
    assert approved.returncode == 0 and "release 2" in approved.stdout


def test_bad_file_exits_non_zero_with_lines(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.tbx"
    bad.write_text('<?xml version="1.0"?><martif type="TBX-Basic"><text><body>', "utf-8")
    result = _cli(settings, "import", str(bad))
    assert result.returncode == 1 and "line 1" in result.stdout
