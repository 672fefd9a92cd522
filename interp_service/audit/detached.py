"""Audit entries that must outlive the caller's transaction: a refused attempt is audited
even though the request that made it fails and rolls back.

`record_when_done` keeps the entry on the caller's session and appends it in a short
transaction of its own once the caller's transaction has ended, committed or rolled back.
Waiting for that end matters on SQLite: the caller may hold the database's write lock (a
failed INSERT inside a savepoint keeps it), and a second connection writing before then
would wait on that lock for good. The caller's connection is back in the pool by then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, SessionTransaction

from interp_service.audit.chain import Actor, record

log = logging.getLogger("interp_service.audit")
_PENDING = "audit_when_done"


@dataclass(frozen=True)
class _Entry:
    actor: Actor
    action: str
    object_type: str
    object_id: str | int
    case_id: int | None
    details: dict[str, Any] = field(default_factory=dict)


def _append(bind: Engine, entries: list[_Entry]) -> None:
    with Session(bind=bind) as own:
        for e in entries:
            record(
                own,
                e.actor,
                e.action,
                e.object_type,
                e.object_id,
                case_id=e.case_id,
                details=e.details,
            )
        own.commit()


def _flush_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint or subtransaction, not the end
        return
    entries: list[_Entry] = session.info.pop(_PENDING, [])
    if not entries:
        return
    try:
        _append(session.info[_PENDING + "_bind"], entries)
    except Exception:  # the caller's outcome stands; the loss is logged loudly
        log.exception("could not append %d audit entries after the transaction", len(entries))


def record_when_done(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    case_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an audit entry in its own transaction once `session`'s transaction ends
    (at once when none is open). Details hold ids and hashes, not text."""
    entry = _Entry(actor, action, object_type, object_id, case_id, dict(details or {}))
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    if not session.in_transaction():
        _append(bind, [entry])
        return
    if not event.contains(session, "after_transaction_end", _flush_pending):
        event.listen(session, "after_transaction_end", _flush_pending)
    session.info[_PENDING + "_bind"] = bind
    session.info.setdefault(_PENDING, []).append(entry)
