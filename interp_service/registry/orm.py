"""Table of the model registry: one row per model folder seen under the data folder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from interp_service.db.base import Base, UTCDateTime, utcnow

# candidate: registered, not serving (never promoted, superseded or rolled back);
# promoted: serves its language pair (at most one per pair); retired: set aside by an
# admin, never promoted again; refused: the folder is broken (card or files), never promoted.
STATUSES = ("candidate", "promoted", "retired", "refused")
NAME_CHARS, VERSION_CHARS = 200, 64


class ModelVersion(Base):
    """A model version: a folder ``<data>/models/mt/<folder>/`` and what its card says.

    A folder whose card cannot be read at all is recorded with the folder name as `name`
    and an empty `version`. Among rows that are not refused, (name, version) is unique.
    """

    __tablename__ = "model_versions"
    __table_args__ = (Index("ix_model_versions_name_version", "name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(16), default="mt")
    name: Mapped[str] = mapped_column(String(NAME_CHARS))
    version: Mapped[str] = mapped_column(String(VERSION_CHARS))
    # "<source>-<target>", e.g. "cmn-mmr"; "" when the card cannot be read.
    pair: Mapped[str] = mapped_column(String(16), index=True)
    folder: Mapped[str] = mapped_column(String(255), unique=True)
    card_sha256: Mapped[str] = mapped_column(String(64), default="")
    data_hash: Mapped[str] = mapped_column(String(128), default="")
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Training lineage as the card states it (`parent`, free text such as "name@3").
    parent: Mapped[str] = mapped_column(String(300), default="")
    # The version that served the pair when this one was last promoted (roll-back target).
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16), default="candidate", index=True)
    # Why the folder is refused (empty otherwise).
    problem: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    promoted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The last gate evaluation (scores, margin, decision, reasons, ten sample rows).
    gate_result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    forced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    force_reason: Mapped[str] = mapped_column(Text, default="")

    @property
    def label(self) -> str:
        """``name@version`` (the folder name when the card could not be read)."""
        return f"{self.name}@{self.version}" if self.version else self.name
