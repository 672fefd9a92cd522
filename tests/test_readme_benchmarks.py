"""Every benchmark command the README shows exists and takes the options it is shown with:
each `python -m bench.NAME ...` line is run verbatim with `--help` added, so the module
imports and its argument parser knows every option the README passes."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
COMMAND = re.compile(r"\.venv/bin/python -m (bench\.[a-z_]+)([^`|]*)")


def readme_bench_commands() -> list[tuple[str, list[str]]]:
    """(module, options) for every benchmark command in the README, in order of appearance."""
    text = README.read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for match in COMMAND.finditer(text):
        found.setdefault(match.group(1), shlex.split(match.group(2).strip()))
    return list(found.items())


def test_the_readme_names_the_benchmarks_in_bench() -> None:
    modules = {name for name, _ in readme_bench_commands()}
    scripts = (p for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_"))
    shipped = {f"bench.{p.stem}" for p in scripts}  # _name: a helper module, not a benchmark
    assert modules, "the README shows no benchmark command"
    assert modules <= shipped, f"the README names missing benchmarks: {modules - shipped}"
    assert shipped <= modules, f"benchmarks the README does not show: {shipped - modules}"


@pytest.mark.skipif(
    "postgresql" in os.environ.get("INTERP_TEST_DATABASE_URL", ""),
    reason="no database involved: run once, on the SQLite pass",
)
@pytest.mark.parametrize(("module", "options"), readme_bench_commands())
def test_a_readme_benchmark_command_parses(module: str, options: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, *options, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout
    for option in (o.split("=")[0] for o in options if o.startswith("--")):
        assert option in done.stdout, f"{module} does not know {option}"
