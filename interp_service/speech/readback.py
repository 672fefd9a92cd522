"""Chinese read-back with Debian's `espeak-ng` (voice `cmn`), where it is installed: the
prosecutor can have a Chinese sentence spoken. Optional: without espeak-ng the route
answers 503 and says so."""

from __future__ import annotations

import shutil
import subprocess

from interp_service.errors import AppError, ValidationFailed

MAX_CHARS = 500
TIMEOUT_S = 20.0


class ReadbackUnavailable(AppError):
    status = 503
    kind = "readback-unavailable"
    title = "朗读不可用"


def available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak_chinese(text: str) -> bytes:
    """WAV bytes of `text` read by espeak-ng's Mandarin voice."""
    text = text.strip()
    if not text:
        raise ValidationFailed("请提供要朗读的文字", field="text")
    if len(text) > MAX_CHARS:
        raise ValidationFailed(f"朗读文字不能超过 {MAX_CHARS} 字", field="text")
    program = shutil.which("espeak-ng")
    if program is None:
        raise ReadbackUnavailable("本机未安装 espeak-ng，无法朗读")
    # The text goes in on stdin, never on the command line, so it cannot become an option.
    done = subprocess.run(  # noqa: S603 (fixed program and arguments)
        [program, "-v", "cmn", "--stdout"],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
        raise ReadbackUnavailable("espeak-ng 未能生成语音")
    return done.stdout
