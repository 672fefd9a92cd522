"""Numbered glossary releases and the revision log; every approved change set is one
release, so a translation can cite the release it used."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.glossary.orm import Concept, Release, Revision, Term
from interp_service.glossary.snapshots import concept_snapshot, term_snapshot


def current_release(session: Session) -> int:
    """The newest release number (0 before anything was approved)."""
    return int(session.scalar(select(func.max(Release.number))) or 0)


class ChangeSet:
    """Collects the revisions of one approved change; `close()` makes them a release.

    The release number is taken after the audit entry, whose chain-head lock serialises
    writers, so two concurrent change sets cannot claim the same number.
    """

    def __init__(
        self, session: Session, actor: Actor, summary: str, proposal_id: int | None = None
    ) -> None:
        self.session = session
        self.actor = actor
        self.summary = summary
        self.proposal_id = proposal_id
        self.revisions: list[Revision] = []

    def add(
        self,
        *,
        object_type: str,
        action: str,
        concept_id: int | None,
        term_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        reverts: int | None = None,
    ) -> None:
        if before == after:
            return
        self.revisions.append(
            Revision(
                object_type=object_type,
                action=action,
                concept_id=concept_id,
                term_id=term_id,
                before=before,
                after=after,
                actor_id=self.actor.id,
                proposal_id=self.proposal_id,
                reverts=reverts,
            )
        )

    def concept_changed(
        self,
        concept: Concept,
        action: str,
        before: dict[str, Any] | None,
        reverts: int | None = None,
    ) -> None:
        """Record a concept's change from `before` to its current state."""
        self.add(
            object_type="concept",
            action=action,
            concept_id=concept.id,
            term_id=None,
            before=before,
            after=concept_snapshot(concept),
            reverts=reverts,
        )

    def term_changed(
        self, term: Term, action: str, before: dict[str, Any] | None, reverts: int | None = None
    ) -> None:
        """Record a term's change from `before` to its current state."""
        self.add(
            object_type="term",
            action=action,
            concept_id=term.concept_id,
            term_id=term.id,
            before=before,
            after=term_snapshot(term),
            reverts=reverts,
        )

    def close(self) -> Release | None:
        """Write the release and its revisions; None when nothing changed."""
        if not self.revisions:
            return None
        self.session.flush()
        record(
            self.session,
            self.actor,
            "glossary.release",
            "glossary",
            "release",
            details={"revisions": len(self.revisions), "proposal_id": self.proposal_id},
        )
        number = current_release(self.session) + 1
        release = Release(number=number, created_by=self.actor.id, summary=self.summary[:300])
        self.session.add(release)
        self.session.flush()
        for revision in self.revisions:
            revision.release_number = number
            self.session.add(revision)
        self.session.flush()
        return release
