"""Append to and verify the hash-chained audit trail.

Each entry stores the SHA-256 of the previous entry and the SHA-256 of its own canonical
content. Appenders first UPDATE the single chain-head row, which takes a row lock on
PostgreSQL and the write lock on SQLite; a second appender waits until the first commits,
so two processes can never attach to the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interp_service.audit.orm import GENESIS_HASH, AuditChainHead, AuditEntry
from interp_service.db.base import utcnow


@dataclass(frozen=True)
class Actor:
    """Who did something: a user, or the system itself (id None)."""

    id: int | None
    name: str


SYSTEM = Actor(None, "system")


def canonical_content(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    case_id: int | None,
    details: dict[str, Any],
    prev_hash: str,
) -> bytes:
    doc = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "case_id": case_id,
        "details": details,
        "prev_hash": prev_hash,
    }
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _entry_hash(entry: Any) -> str:
    """SHA-256 hex of an entry (ORM object or row) in canonical form."""
    content = canonical_content(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        case_id=entry.case_id,
        details=entry.details,
        prev_hash=entry.prev_hash,
    )
    return hashlib.sha256(content).hexdigest()


def ensure_head(session: Session) -> None:
    """Create the chain head row if the trail is new."""
    if session.get(AuditChainHead, 1) is None:
        session.add(AuditChainHead(id=1, last_seq=0, last_hash=GENESIS_HASH))
        session.flush()


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    case_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction. Details hold ids and hashes, not text."""
    session.flush()  # the caller's own writes go first, so their ids exist
    locked = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(last_seq=AuditChainHead.last_seq + 1)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise RuntimeError("audit chain head missing; run `interp-service db upgrade`")
    head = session.execute(
        select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
    ).one()
    at = utcnow()
    entry = AuditEntry(
        seq=head.last_seq,
        at=at,
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        case_id=case_id,
        details=dict(details or {}),
        prev_hash=head.last_hash,
    )
    entry.entry_hash = _entry_hash(entry)
    session.add(entry)
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(last_hash=entry.entry_hash)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return entry


@dataclass
class VerifyResult:
    ok: bool
    entries_checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify(session: Session, batch_size: int = 1000) -> VerifyResult:
    """Walk the chain in order and report the first broken link."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        table = AuditEntry.__table__
        rows = session.execute(
            select(table).where(table.c.seq > last_seq).order_by(table.c.seq).limit(batch_size)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return VerifyResult(
                    False, checked, expected_seq, f"entry {expected_seq} is missing"
                )
            if entry.prev_hash != expected_prev:
                return VerifyResult(False, checked, entry.seq, "link to previous entry is broken")
            if _entry_hash(entry) != entry.entry_hash:
                return VerifyResult(False, checked, entry.seq, "content does not match its hash")
            expected_prev = entry.entry_hash
            expected_seq += 1
            checked += 1
            last_seq = entry.seq
    head = session.get(AuditChainHead, 1)
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return VerifyResult(False, checked, checked + 1, "chain head does not match the last entry")
    return VerifyResult(True, checked)
