"""The shipped phrasebook: the Chinese side of standard notices and questions, loaded as
draft memory entries (Chinese → Xiangxi Miao `mmr`) with their Miao side empty.

A draft is never a lookup hit. An admin competent in the Miao variety fills in the Miao
side (a direct edit or an approved submission naming the entry), and from then on it is an
approved entry like any other, offered by exact and fuzzy lookup.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from sqlalchemy.orm import Session

from interp_service.audit.chain import SYSTEM, record
from interp_service.memory import repository as repo
from interp_service.memory.entries import source_key, text_hash
from interp_service.memory.orm import MemoryEntry

SOURCE_LANGUAGE = "cmn"
TARGET_LANGUAGE = "mmr"
CATEGORY_LABELS = {
    "rights_notice": "权利告知",
    "duties_notice": "义务告知",
    "standard_question": "常用问题",
}


@dataclass(frozen=True)
class ShippedPhrase:
    code: str
    category: str
    title: str
    text: str
    legal_basis: str
    articles: tuple[str, ...]


def shipped_phrases() -> list[ShippedPhrase]:
    """The phrases in data/phrasebook.toml, in file order."""
    text = (
        resources.files("interp_service.memory")
        .joinpath("data/phrasebook.toml")
        .read_text(encoding="utf-8")
    )
    return [
        ShippedPhrase(
            code=item["code"],
            category=item["category"],
            title=item["title"],
            text=item["text"],
            legal_basis=item.get("legal_basis", ""),
            articles=tuple(item.get("articles", ())),
        )
        for item in tomllib.loads(text)["phrase"]
    ]


def _is_untouched_draft(entry: MemoryEntry) -> bool:
    return entry.status == "draft" and not entry.target_text and entry.approved_by is None


def seed_phrasebook(session: Session) -> int:
    """Add the shipped phrases that are missing (by `phrase_code`) and refresh the Chinese
    side of those still untouched drafts; an entry someone approved, retired or gave a Miao
    side is left alone. Returns how many entries were added or changed. Does not commit."""
    changed = 0
    for phrase in shipped_phrases():
        entry = repo.entry_by_code(session, phrase.code)
        wanted = {
            "source_text": phrase.text,
            "phrase_category": phrase.category,
            "phrase_title": phrase.title,
            "legal_basis": phrase.legal_basis,
        }
        if entry is None:
            entry = MemoryEntry(
                source_language=SOURCE_LANGUAGE,
                target_language=TARGET_LANGUAGE,
                target_text="",
                origin="phrasebook",
                status="draft",
                is_phrase=True,
                phrase_code=phrase.code,
            )
            session.add(entry)
            action = "memory.phrasebook.add"
        elif _is_untouched_draft(entry) and any(
            getattr(entry, name) != value for name, value in wanted.items()
        ):
            action = "memory.phrasebook.refresh"
        else:
            continue
        for name, value in wanted.items():
            setattr(entry, name, value)
        entry.source_key = source_key(phrase.text, SOURCE_LANGUAGE)
        session.flush()
        record(
            session,
            SYSTEM,
            action,
            "memory_entry",
            entry.id,
            details={"phrase_code": phrase.code, "source_sha256": text_hash(phrase.text)},
        )
        changed += 1
    if changed:
        repo.bump_state(session)
    return changed
