"""Read-side shapes shared by the API and the pages: the review queue with its conflicts,
the phrasebook with draft and recording flags, lookup hits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from interp_service.memory import repository as repo
from interp_service.memory.lookup import MemoryHit, MemoryIndex, memory_index_for
from interp_service.memory.orm import MemoryEntry, MemorySubmission
from interp_service.memory.schemas import (
    Difference,
    HitOut,
    LookupIn,
    LookupOut,
    PhraseOut,
    QueueItemOut,
)
from interp_service.services import VersionedCache
from interp_service.translation.normalise import match_key


def current_conflict(session: Session, s: MemorySubmission) -> MemoryEntry | None:
    """The approved entry a pending submission would replace now: same pair, match key and
    target variety, different target (it may differ from the one flagged at submission)."""
    if s.status != "pending":
        return None
    key = match_key(s.source_text, s.source_language)
    for entry in repo.same_source(
        session, s.source_language, s.target_language, key, s.target_variety, status="approved"
    ):
        if entry.id != s.replaces_entry_id and entry.target_text != s.target_text:
            return entry
    return None


def queue_items(session: Session, rows: Sequence[MemorySubmission]) -> list[QueueItemOut]:
    """Submissions with the entry each one conflicts with: flagged at submission, or an
    approved entry that contradicts it now."""
    flagged_then = repo.entries_by_id(
        session, [s.conflicts_with_entry_id for s in rows if s.conflicts_with_entry_id]
    )
    out = []
    for s in rows:
        entry = current_conflict(session, s) or flagged_then.get(s.conflicts_with_entry_id or 0)
        out.append(
            QueueItemOut.model_validate(s).model_copy(
                update={
                    "flagged": entry is not None or s.conflicts_with_entry_id is not None,
                    "conflicting_entry_id": entry.id if entry else None,
                    "conflicting_target": entry.target_text if entry else None,
                }
            )
        )
    return out


def is_draft(entry: MemoryEntry) -> bool:
    """Not (yet) a lookup hit: not approved, or no target text."""
    return entry.status != "approved" or not entry.target_text


def phrase_out(entry: MemoryEntry) -> PhraseOut:
    return PhraseOut.model_validate(entry).model_copy(
        update={"draft": is_draft(entry), "has_recording": bool(entry.recording_sha256)}
    )


def hit_out(hit: MemoryHit) -> HitOut:
    return HitOut(
        entry_id=hit.entry_id,
        kind=hit.kind,
        score=hit.score,
        source_text=hit.source_text,
        target_text=hit.target_text,
        target_variety=hit.target_variety,
        origin=hit.origin,
        approved_by=hit.approved_by,
        approved_by_name=hit.approved_by_name,
        approved_at=hit.approved_at,
        is_phrase=hit.is_phrase,
        differences=[
            Difference(op=op, query_start=a, query_end=b, entry_start=c, entry_end=d)
            for op, a, b, c, d in hit.differences
        ],
    )


def lookup(
    cache: VersionedCache[MemoryIndex], session: Session, data: LookupIn, default_threshold: float
) -> LookupOut:
    """Exact hit and fuzzy hits (best first) for one sentence."""
    index = memory_index_for(cache, session)
    threshold = default_threshold if data.threshold is None else data.threshold
    args = (data.text, data.source_language, data.target_language, data.target_variety)
    exact = index.exact(*args)
    fuzzy = index.fuzzy(*args, threshold=threshold, limit=data.limit)
    return LookupOut(
        exact=hit_out(exact) if exact else None,
        fuzzy=[hit_out(h) for h in fuzzy],
        threshold=threshold,
    )
