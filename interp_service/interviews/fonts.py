"""Find, at run time, a font the PDF export can embed: Chinese plus Latin with diacritics.

Preference: Noto Sans CJK SC, then Noto Serif CJK SC, at the paths Debian's
``fonts-noto-cjk`` package (and a few other distributions) install them, then whatever
fontconfig (``fc-match``/``fc-list``) offers for Simplified Chinese. Every candidate is
checked against the characters the record needs, so a fallback font without CJK glyphs is
never chosen.

The Debian files are TrueType Collections with CFF outlines (``.ttc``); fpdf2 2.8 opens a
collection face directly (``collection_font_number``) and subsets the CFF outlines
into an embedded ``FontFile3``, so no extraction to a standalone OTF is needed: we only
pick the face index of the Simplified Chinese face.
"""

from __future__ import annotations

import functools
import shutil
import subprocess  # noqa: S404 - fixed argv, no shell
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError  # type: ignore[import-untyped]

DEBIAN_PACKAGE = "fonts-noto-cjk"
# Characters every usable font must map: title words, digits, Latin (the Miao
# orthography) and common Latin diacritics (pinyin, names).
REQUIRED_CHARS = "询问笔录双语第页共译员检察官当事人签名0123456789abcdefghijklmnopqrstuvwxyzāáǎàéüÀ"
_DIRS = (
    "/usr/share/fonts/opentype/noto",  # Debian, Ubuntu
    "/usr/share/fonts/noto-cjk",  # Arch
    "/usr/share/fonts/google-noto-cjk",  # Fedora
    "/usr/share/fonts/opentype/noto-cjk",
    "/usr/local/share/fonts",
)
_FILES = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "NotoSerifCJK-Regular.ttc",
    "NotoSerifCJKsc-Regular.otf",
)
_FC_PATTERNS = ("Noto Sans CJK SC", "Noto Serif CJK SC", ":lang=zh-cn")
_COLLECTIONS = (".ttc", ".otc")


class FontNotFoundError(RuntimeError):
    """No font covering Chinese and Latin could be found."""


@dataclass(frozen=True)
class FontFace:
    """One face of a font file: ``index`` is the face number inside a collection."""

    path: Path
    index: int
    name: str
    bold: FontFace | None = None


def _face_name(font: TTFont) -> str:
    return str(font["name"].getDebugName(4) or font["name"].getDebugName(1) or "?")


def _covers(font: TTFont) -> bool:
    cmap = font.getBestCmap() or {}
    return all(ord(char) in cmap for char in REQUIRED_CHARS)


def _rank(name: str) -> int:
    """Lower is better: the Simplified Chinese, proportional face of a collection."""
    score = 0 if " SC" in name or "sc-" in name.lower() else 2
    return score + (1 if "Mono" in name else 0)


@functools.lru_cache(maxsize=32)
def _inspect(path: str, mtime_ns: int) -> tuple[int, str] | None:
    """(face index, face name) of the best covering face in ``path``, or None.

    Cached by path and modification time: reading a CJK cmap takes a noticeable moment.
    """
    del mtime_ns  # part of the cache key only
    try:
        if path.lower().endswith(_COLLECTIONS):
            with TTCollection(path, lazy=True) as collection:
                return _best_face(list(enumerate(collection.fonts)))
        with TTFont(path, lazy=True) as font:
            return _best_face([(0, font)])
    except (OSError, TTLibError):
        return None


def _best_face(faces: list[tuple[int, TTFont]]) -> tuple[int, str] | None:
    ranked = sorted(faces, key=lambda item: (_rank(_face_name(item[1])), item[0]))
    for index, font in ranked:
        if _covers(font):
            return index, _face_name(font)
    return None


def _face(path: Path) -> FontFace | None:
    if not path.is_file():
        return None
    found = _inspect(str(path.resolve()), path.stat().st_mtime_ns)
    return None if found is None else FontFace(path=path, index=found[0], name=found[1])


def inspect_font(path: Path) -> FontFace | None:
    """The best covering face of ``path`` with its bold sibling file if there is one
    (``…-Regular.ttc`` → ``…-Bold.ttc``), or None if the file lacks the glyphs."""
    face = _face(path)
    if face is None or "Regular" not in path.name:
        return face
    bold = _face(path.with_name(path.name.replace("Regular", "Bold")))
    return FontFace(path=face.path, index=face.index, name=face.name, bold=bold)


def _fontconfig_candidates() -> list[Path]:
    """Files fontconfig proposes for Simplified Chinese (it always answers something,
    hence the coverage check by the caller)."""
    if shutil.which("fc-match") is None:
        return []
    found: list[Path] = []
    commands = [["fc-match", "-f", "%{file}\n", pattern] for pattern in _FC_PATTERNS]
    commands.append(["fc-list", "-f", "%{file}\n", ":lang=zh-cn"])
    for argv in commands:
        try:
            result = subprocess.run(  # noqa: S603 - fixed argv
                argv, capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        found.extend(Path(line) for line in result.stdout.splitlines() if line.strip())
    return list(dict.fromkeys(found))


def candidate_paths() -> list[Path]:
    """Font files to try, best first."""
    known = [Path(d) / f for f in _FILES for d in _DIRS]
    return list(dict.fromkeys([*known, *_fontconfig_candidates()]))


def find_cjk_font(path: str | Path | None = None) -> FontFace:
    """The font to embed in the PDF.

    ``path`` (a .ttc/.otc/.otf/.ttf file) overrides the search; it must cover Chinese and
    Latin. Raises `FontNotFoundError` naming the Debian package when nothing fits.
    """
    hint = f"install the Debian package {DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE})"
    if path is not None:
        face = inspect_font(Path(path))
        if face is None:
            raise FontNotFoundError(
                f"font file {path} is missing or lacks Chinese/Latin glyphs; "
                f"pass a Noto Sans CJK SC file or {hint}"
            )
        return face
    for candidate in candidate_paths():
        face = inspect_font(candidate)
        if face is not None:
            return face
    raise FontNotFoundError(
        f"no font covering Chinese and Latin found for the PDF export; {hint}, "
        "or pass the path of a CJK font file"
    )
