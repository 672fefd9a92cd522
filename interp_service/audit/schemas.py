"""Audit entries as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    case_id: int | None
    details: dict[str, Any]
    prev_hash: str
    entry_hash: str


class VerifyOut(BaseModel):
    ok: bool
    entries_checked: int
    first_bad_seq: int | None
    reason: str
