"""The build folder of a training run: versions, resume, disk-full detection."""

from __future__ import annotations

import errno
import json
import re
import shutil
from pathlib import Path

from interp_service.engine.cards import read_card
from interp_service.engine.errors import ModelLoadError
from interp_service.training.errors import ResumeMismatch


def next_version(mt: Path, name: str) -> int:
    """One more than the highest version of ``name`` under ``mt`` (1 for a new name)."""
    found = [0]
    pattern = re.compile(rf"^{re.escape(name)}-(\d+)$")
    for folder in sorted(mt.iterdir()) if mt.is_dir() else []:
        if match := pattern.match(folder.name):
            found.append(int(match.group(1)))
        try:
            card = read_card(folder, verify=False)
        except ModelLoadError:
            continue
        if card.name == name and card.version.isdigit():
            found.append(int(card.version))
    return max(found) + 1


def disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` or an exception it was raised from is ``ENOSPC`` (disk full)."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def open_build(
    build: Path, mt: Path, name: str, fingerprint: str, resume: bool, notes: list[str]
) -> tuple[int, bool]:
    """(version, resuming); starts a fresh build folder unless resuming one."""
    run_file = build / "run.json"
    if build.exists() and resume:
        try:
            saved = json.loads(run_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
        if saved.get("fingerprint") != fingerprint:
            raise ResumeMismatch(
                f"{build} 中中断的训练用的是另一份数据或另一组选项（此后已核准的数据有变，"
                "或选项不同），无法继续：请用相同的选项运行，或去掉 --resume 从头训练。"
            )
        notes.append(f"resumed the interrupted training in {build}")
        version = int(saved["version"])
        return (
            version if not (mt / f"{name}-{version}").exists() else next_version(mt, name)
        ), True
    if build.exists():
        shutil.rmtree(build)
        notes.append(f"discarded an interrupted training of {name} (--resume continues one)")
    elif resume:
        notes.append("nothing to resume: trained from the start")
    version = next_version(mt, name)
    build.mkdir(parents=True)
    run = {"name": name, "version": version, "fingerprint": fingerprint}
    run_file.write_text(json.dumps(run), encoding="utf-8")
    return version, False
