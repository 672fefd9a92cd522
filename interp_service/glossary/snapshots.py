"""Snapshots of concepts and terms as plain dicts: what revisions store as before/after."""

from __future__ import annotations

from typing import Any

from interp_service.glossary.orm import Concept, Term

CONCEPT_FIELDS = ("external_id", "subject_field", "definition", "citations", "note", "verification")
TERM_FIELDS = (
    "concept_id",
    "language",
    "variety",
    "text",
    "part_of_speech",
    "status",
    "usage_note",
    "source",
    "verification",
    "ipa",
    "orthography_issues",
)


def concept_snapshot(concept: Concept) -> dict[str, Any]:
    snap = {name: getattr(concept, name) for name in CONCEPT_FIELDS}
    snap["citations"] = list(concept.citations or [])
    return snap


def term_snapshot(term: Term) -> dict[str, Any]:
    return {name: getattr(term, name) for name in TERM_FIELDS}


def apply_snapshot(obj: Concept | Term, snap: dict[str, Any]) -> list[str]:
    """Set the snapshot's fields on the object; returns the names that changed."""
    fields = CONCEPT_FIELDS if isinstance(obj, Concept) else TERM_FIELDS
    changed = []
    for name in fields:
        if name in snap and getattr(obj, name) != snap[name]:
            setattr(obj, name, snap[name])
            changed.append(name)
    return changed
