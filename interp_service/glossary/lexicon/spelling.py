"""The orthography check applied to Miao terms when they are stored."""

from __future__ import annotations

MIAO_LANGUAGES = {"mmr", "muq"}


def spelling_issues(language: str, text: str) -> str:
    """Why `text` fails the orthography of its Miao variety ('' when it passes or is not
    Miao). Warnings from uncertain rules do not count as failures."""
    if language not in MIAO_LANGUAGES:
        return ""
    from interp_service.glossary.lexicon import orthography

    result = orthography.validate(text)
    return "; ".join(result.errors) if not result.ok else ""
