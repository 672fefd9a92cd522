"""The review queue: anyone signed in submits a sentence pair, an admin with competence in
both sides approves it into the memory (optionally with a corrected target) or rejects it.

A submission is *flagged* when, at submission, an approved entry of the same language pair,
match key and target variety already has a different target. Approving a flagged
submission, or one that names an entry it corrects, retires that entry (`entries.settle`).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.cases.access import may_see_case
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from interp_service.interviews.orm import Exchange, Interview
from interp_service.memory import repository as repo
from interp_service.memory.entries import get_entry, require_approver, settle, source_key, text_hash
from interp_service.memory.orm import MemoryEntry, MemorySubmission
from interp_service.memory.schemas import SubmissionCreate
from interp_service.users.orm import User


def _case_of(session: Session, user: User, data: SubmissionCreate) -> int | None:
    """The case the submission belongs to, checked like other case data: a caller not
    assigned to it gets 404, as if it did not exist."""
    case_id = data.case_id
    if data.exchange_id is not None:
        of_exchange = session.scalar(
            select(Exchange.interview_id).where(Exchange.id == data.exchange_id)
        )
        if data.interview_id is None or of_exchange != data.interview_id:
            raise NotFound("该条问答不存在", field="exchange_id")
    if data.interview_id is not None:
        of_interview = session.scalar(
            select(Interview.case_id).where(Interview.id == data.interview_id)
        )
        if (
            of_interview is None
            or (case_id is not None and of_interview != case_id)
            or not may_see_case(session, user, of_interview)
        ):
            raise NotFound("讯问/询问记录不存在")
        return of_interview
    if case_id is not None and not may_see_case(session, user, case_id):
        raise NotFound("案件不存在")
    return case_id


def conflicting_entry(
    session: Session, data: SubmissionCreate, key: str, except_id: int | None
) -> MemoryEntry | None:
    """An approved entry of the same source whose target differs from the submission's."""
    for entry in repo.same_source(
        session,
        data.source_language,
        data.target_language,
        key,
        data.target_variety,
        status="approved",
    ):
        if entry.id != except_id and entry.target_text != data.target_text:
            return entry
    return None


def submit(session: Session, user: User, data: SubmissionCreate) -> MemorySubmission:
    """Queue a pair for review; nothing in the memory changes yet."""
    case_id = _case_of(session, user, data)
    key = source_key(data.source_text, data.source_language)
    if data.replaces_entry_id is not None:
        replaced = get_entry(session, data.replaces_entry_id)
        if (replaced.source_language, replaced.target_language) != (
            data.source_language,
            data.target_language,
        ):
            raise ValidationFailed("更正的条目语言对不一致", field="replaces_entry_id")
        if replaced.status == "retired":
            raise Conflict("要更正的条目已停用", field="replaces_entry_id")
    conflict = conflicting_entry(session, data, key, data.replaces_entry_id)
    submission = MemorySubmission(
        **data.model_dump(exclude={"case_id"}),
        case_id=case_id,
        submitted_by=user.id,
        conflicts_with_entry_id=conflict.id if conflict else None,
    )
    session.add(submission)
    session.flush()
    record(
        session,
        Actor(user.id, user.username),
        "memory.submit",
        "memory_submission",
        submission.id,
        case_id=case_id,
        details={
            "source_sha256": text_hash(data.source_text),
            "target_sha256": text_hash(data.target_text),
            "conflicts_with_entry_id": submission.conflicts_with_entry_id,
            "replaces_entry_id": data.replaces_entry_id,
            "exchange_id": data.exchange_id,
        },
    )
    return submission


def get_submission(session: Session, submission_id: int) -> MemorySubmission:
    submission = session.get(MemorySubmission, submission_id)
    if submission is None:
        raise NotFound("待审译文不存在")
    return submission


def _claim(session: Session, submission_id: int, decision: str) -> MemorySubmission:
    """Move a pending submission to `decision` in one conditional UPDATE: of two admins
    deciding at once, the second finds it no longer pending (409)."""
    submission = get_submission(session, submission_id)
    claimed = session.execute(
        update(MemorySubmission)
        .where(MemorySubmission.id == submission_id, MemorySubmission.status == "pending")
        .values(status=decision)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(submission)
        raise Conflict(f"该译文已处理（{submission.status}）")
    session.refresh(submission)
    return submission


def approve(
    session: Session,
    approver: User,
    submission_id: int,
    note: str = "",
    edited_target: str | None = None,
) -> MemorySubmission:
    """Approve into the memory. The approver must be an admin competent in both sides'
    language and variety (403 otherwise); `edited_target` replaces the submitted target."""
    if not approver.has_role("admin"):
        raise Forbidden("只有管理员可以批准翻译记忆")
    submission = _claim(session, submission_id, "approved")
    require_approver(
        approver,
        (submission.source_language, submission.source_variety),
        (submission.target_language, submission.target_variety),
    )
    target = (edited_target or "").strip() or submission.target_text
    replaces = None
    if submission.replaces_entry_id is not None:
        replaces = get_entry(session, submission.replaces_entry_id)
        if replaces.status == "retired":
            raise Conflict("要更正的条目已停用，请驳回或重新提交")
    fields = {
        "source_language": submission.source_language,
        "source_variety": submission.source_variety,
        "source_text": submission.source_text,
        "target_language": submission.target_language,
        "target_variety": submission.target_variety,
        "target_text": target,
        "origin": submission.origin,
    }
    entry, retired = settle(session, approver, fields, replaces=replaces)
    submission.entry_id = entry.id
    submission.reviewer_id, submission.reviewed_at = approver.id, utcnow()
    submission.review_note = note
    session.flush()
    record(
        session,
        Actor(approver.id, approver.username),
        "memory.approve",
        "memory_submission",
        submission.id,
        case_id=submission.case_id,
        details={
            "entry_id": entry.id,
            "retired_entry_ids": retired,
            "edited": target != submission.target_text,
            "target_sha256": text_hash(target),
        },
    )
    return submission


def reject(session: Session, reviewer: User, submission_id: int, note: str) -> MemorySubmission:
    """Reject with a reason (required)."""
    if not reviewer.has_role("admin"):
        raise Forbidden("只有管理员可以审核翻译记忆")
    if not note.strip():
        raise ValidationFailed("请填写驳回理由", field="note")
    submission = _claim(session, submission_id, "rejected")
    submission.reviewer_id, submission.reviewed_at = reviewer.id, utcnow()
    submission.review_note = note.strip()
    session.flush()
    record(
        session,
        Actor(reviewer.id, reviewer.username),
        "memory.reject",
        "memory_submission",
        submission.id,
        case_id=submission.case_id,
    )
    return submission
