"""Shapes for evidence files."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    case_id: int
    sha256: str
    size_bytes: int
    media_type: str
    original_name: str
    description: str
    uploaded_by: int
    created_at: datetime
