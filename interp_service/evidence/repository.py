"""All SQL for evidence links."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.evidence.orm import EvidenceFile


def files_of_case(session: Session, case_id: int) -> Sequence[EvidenceFile]:
    return session.scalars(
        select(EvidenceFile).where(EvidenceFile.case_id == case_id).order_by(EvidenceFile.id)
    ).all()


def find(session: Session, case_id: int, sha256: str) -> EvidenceFile | None:
    return session.scalar(
        select(EvidenceFile).where(EvidenceFile.case_id == case_id, EvidenceFile.sha256 == sha256)
    )


def all_linked_hashes(session: Session) -> set[str]:
    return set(session.scalars(select(EvidenceFile.sha256).distinct()).all())
