"""What the interpreter said, as the record keeps it.

Recording a rendering captures evidence; it is not approving Miao text. So any member of the
case may type it (the 记录人), always attributed to the interpreter who spoke (译员): a user
interpreter of the case or an external one, with no conflict declared. Competence still
governs what enters translation memory (corrections go to review).

A word-by-word gloss is never the interpreter's words: a suggestion produced by the gloss, or
still holding unknown-word markers, cannot be accepted or saved unchanged.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from interp_service.audit.chain import record
from interp_service.cases import interpreters
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, GlossNotRendering, ValidationFailed
from interp_service.glossary.search.match_records import CHINESE_LANGUAGES
from interp_service.interviews.language_check import refuse_unless_confirmed
from interp_service.interviews.orm import Exchange, Interview
from interp_service.interviews.schemas import ExplainedIn, ReadBackIn, RenderingIn
from interp_service.interviews.service import lock_open, lock_row
from interp_service.users.orm import User
from interp_service.users.service import actor_of

# The gloss writes a word it does not know as [word].
_UNKNOWN_MARKER = re.compile(r"\[[^\[\]]+\]")


def gloss_reason(exchange: Exchange) -> str | None:
    """Why the suggestion cannot be the interpreter's words as it stands, or None."""
    sentences = exchange.receipt.get("sentences", [])
    if any(s.get("path") == "gloss" for s in sentences):
        return "工具建议是逐词对照，不是译文"
    if any("unknown-words" in s.get("flags", []) for s in sentences):
        return "工具建议含未知词"
    if _UNKNOWN_MARKER.search(exchange.suggestion_text or ""):
        return "工具建议含未知词标记"
    return None


def _refuse_gloss(exchange: Exchange, text: str) -> None:
    reason = gloss_reason(exchange)
    if reason is None:
        return
    if text.strip() == (exchange.suggestion_text or "").strip() or _UNKNOWN_MARKER.search(text):
        raise GlossNotRendering(
            f"{reason}，不能直接作为译员译文。请录入译员实际说的话。",
            field="text",
            suggestion_path="gloss",
        )


def lock_current(session: Session, interview: Interview, exchange: Exchange, version: int) -> None:
    """Lock the open interview and refuse a change made from a stale copy (409)."""
    lock_open(session, interview)
    if exchange.version != version:
        raise Conflict("这条记录已被他人修改，请刷新后重试", current_version=exchange.version)


def give_rendering(
    session: Session,
    user: User,
    interview: Interview,
    exchange: Exchange,
    data: RenderingIn,
) -> Exchange:
    """Record what the interpreter named in `data` said; `user` is who typed it."""
    lock_current(session, interview, exchange, data.version)
    interpreter = interpreters.resolve(
        session, interview.case_id, data.interpreter, field="interpreter"
    )
    if data.kind == "accepted":
        if not exchange.suggestion_text:
            raise ValidationFailed("没有可采纳的建议", field="kind")
        text = exchange.suggestion_text
    else:
        text = (data.text or "").strip()
        if not text:
            raise ValidationFailed("请填写译员实际给出的译文", field="text")
    _refuse_gloss(exchange, text)
    if data.kind != "accepted":
        refuse_unless_confirmed(text, exchange.target_language, confirmed=data.confirm_language)
    before = exchange.rendering_kind
    exchange.rendering_text = text
    exchange.rendering_kind = data.kind
    exchange.interpreter_id = interpreter.user_id
    exchange.external_interpreter_id = interpreter.external_id
    exchange.recorded_by = user.id
    exchange.rendered_at = utcnow()
    session.flush()
    record(
        session,
        actor_of(user),
        "interview.exchange.render",
        "interview_exchange",
        exchange.id,
        case_id=interview.case_id,
        details={
            "interview_id": interview.id,
            "kind": data.kind,
            "previous_kind": before,
            "interpreter": interpreter.ref,
            "recorded_by": user.id,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        },
    )
    return exchange


def unexplained_terms(exchange: Exchange) -> list[dict[str, Any]]:
    """Legal terms of a Chinese utterance with no approved term in the party's language,
    not yet marked as explained: [{"concept_id", "text"}], in order of appearance."""
    if exchange.source_language not in CHINESE_LANGUAGES:
        return []
    explained = {int(e["concept_id"]) for e in exchange.explained_terms or []}
    found: dict[int, str] = {}
    for sentence in exchange.receipt.get("sentences", []):
        for term in sentence.get("terms", []):
            if term.get("kind", "legal") != "legal":
                continue
            approved = term.get("target_term_id") is not None and (
                term.get("verification") == "approved"
            )
            concept = int(term["concept_id"])
            if not approved and concept not in explained:
                found.setdefault(concept, str(term.get("source_text", "")))
    return [{"concept_id": c, "text": t} for c, t in found.items()]


def mark_explained(
    session: Session, user: User, interview: Interview, exchange: Exchange, data: ExplainedIn
) -> Exchange:
    """Note that the interpreter explained these legal terms orally (who entered it, when)."""
    lock_current(session, interview, exchange, data.version)
    open_terms = {t["concept_id"]: t["text"] for t in unexplained_terms(exchange)}
    unknown = [c for c in data.concept_ids if c not in open_terms]
    if unknown:
        raise ValidationFailed("所选术语不在本条待解释的术语中", field="concept_ids")
    now = utcnow().isoformat()
    added = [
        {"concept_id": c, "text": open_terms[c], "by": user.id, "at": now}
        for c in dict.fromkeys(data.concept_ids)
    ]
    exchange.explained_terms = [*(exchange.explained_terms or []), *added]
    session.flush()
    record(
        session,
        actor_of(user),
        "interview.exchange.explained",
        "interview_exchange",
        exchange.id,
        case_id=interview.case_id,
        details={"interview_id": interview.id, "concept_ids": [a["concept_id"] for a in added]},
    )
    return exchange


def record_read_back(
    session: Session, user: User, interview: Interview, data: ReadBackIn
) -> Interview:
    """The interpreter's statement that the record was read back to the party in their
    language (CPL art. 122), entered by `user`. Allowed while the interview runs and after it
    is finished (the record is read back before signing), not when cancelled."""
    lock_row(session, interview)
    if interview.status not in ("in_progress", "completed"):
        raise Conflict("询问尚未开始或已取消，不能记录宣读", field="interpreter")
    interpreter = interpreters.resolve(
        session, interview.case_id, data.interpreter, field="interpreter"
    )
    at: datetime = utcnow()
    interview.read_back_at = at
    interview.read_back_interpreter_id = interpreter.user_id
    interview.read_back_external_interpreter_id = interpreter.external_id
    interview.read_back_recorded_by = user.id
    session.flush()
    record(
        session,
        actor_of(user),
        "interview.read_back",
        "interview",
        interview.id,
        case_id=interview.case_id,
        details={"interpreter": interpreter.ref, "recorded_by": user.id},
    )
    return interview
