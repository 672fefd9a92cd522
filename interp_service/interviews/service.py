"""Rules of the interview record: exchanges are appended in order while the interview is
open, each with the language its text was identified as; a finished interview is closed to
changes. Renderings (what the interpreter said, typed by whoever keeps the record) are in
`rendering.py`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.cases.orm import Party
from interp_service.cases.schemas import InterviewCreate
from interp_service.cases.service import get_case
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, NotFound, ValidationFailed
from interp_service.interviews.orm import Exchange, Interview
from interp_service.interviews.schemas import ExchangeCreate
from interp_service.memory.orm import MemoryEntry
from interp_service.translation.receipts import TranslationResult
from interp_service.users.orm import User
from interp_service.users.service import actor_of

OPEN_STATUSES = ("planned", "in_progress")


def get_interview(session: Session, case_id: int, interview_id: int) -> Interview:
    interview = session.get(Interview, interview_id)
    if interview is None or interview.case_id != case_id:
        raise NotFound("询问记录不存在")
    return interview


def get_exchange(session: Session, interview: Interview, exchange_id: int) -> Exchange:
    exchange = session.get(Exchange, exchange_id)
    if exchange is None or exchange.interview_id != interview.id:
        raise NotFound("该条问答不存在")
    return exchange


def exchanges_of(session: Session, interview_id: int) -> Sequence[Exchange]:
    return session.scalars(
        select(Exchange).where(Exchange.interview_id == interview_id).order_by(Exchange.sequence)
    ).all()


def check_open(interview: Interview) -> None:
    if interview.status not in OPEN_STATUSES:
        raise Conflict("询问已结束或已取消，不能再添加或修改记录")


def lock_row(session: Session, interview: Interview) -> None:
    """Serialise changes to one interview (row lock on PostgreSQL; SQLite locks on write)."""
    session.execute(
        select(Interview.id).where(Interview.id == interview.id).with_for_update()
    ).all()
    session.refresh(interview)


def lock_open(session: Session, interview: Interview) -> None:
    """`lock_row`, then refuse a finished or cancelled interview."""
    lock_row(session, interview)
    check_open(interview)


def check_direction(session: Session, interview: Interview, data: ExchangeCreate) -> None:
    """The exchange must go between Chinese and the party's own language (and variety), in
    the speaker's direction: the prosecutor speaks Chinese, the party their language.
    Otherwise the competence rule for renderings into Miao could be sidestepped."""
    party = session.get(Party, interview.party_id)
    if party is None:
        raise NotFound("当事人不存在")
    pair = {data.source_language, data.target_language}
    if pair != {"cmn", party.language}:
        raise ValidationFailed(
            f"本次询问只在汉语与当事人语言（{party.language}）之间记录", field="target_language"
        )
    spoken = "cmn" if data.speaker_role == "prosecutor" else party.language
    if data.speaker_role != "other" and data.source_language != spoken:
        raise ValidationFailed("说话人与原话语言不一致", field="speaker_role")
    miao_variety = data.target_variety if data.target_language != "cmn" else ""
    if miao_variety and party.variety and miao_variety != party.variety:
        raise ValidationFailed(
            f"当事人的方言是 {party.variety}，不是 {miao_variety}", field="target_variety"
        )


def receipt_digest(receipt: Mapping[str, object]) -> str:
    return hashlib.sha256(json.dumps(receipt, sort_keys=True).encode()).hexdigest()


def add_exchange(
    session: Session,
    user: User,
    interview: Interview,
    data: ExchangeCreate,
    result: TranslationResult,
    audio_sha256: str | None = None,
    *,
    detected_language: str = "",
    phrase: MemoryEntry | None = None,
) -> Exchange:
    """Append what was said with the tool's suggestion; the interview starts if planned.
    `detected_language` is what language identification said of the text (kept with the
    operator's confirmation when it disagreed); `phrase` the phrasebook entry of a standard
    notice."""
    lock_open(session, interview)
    last = session.scalar(
        select(func.max(Exchange.sequence)).where(Exchange.interview_id == interview.id)
    )
    receipt = {
        "text": result.text,
        "glossary_release": result.glossary_release,
        "sentences": [
            {"source": s.source, "output": s.output, **s.receipt.model_dump(mode="json")}
            for s in result.sentences
        ],
    }
    exchange = Exchange(
        interview_id=interview.id,
        sequence=(last or 0) + 1,
        speaker_role=data.speaker_role,
        source_language=data.source_language,
        target_language=data.target_language,
        target_variety=data.target_variety,
        source_text=data.text,
        source_audio_sha256=audio_sha256,
        suggestion_text=result.output,
        receipt=receipt,
        created_by=user.id,
        detected_language=detected_language,
        language_confirmed=data.confirm_language,
        phrase_entry_id=phrase.id if phrase is not None else None,
        legal_basis=phrase.legal_basis if phrase is not None else "",
    )
    session.add(exchange)
    if interview.status == "planned":
        interview.status = "in_progress"
        interview.started_at = utcnow()
    session.flush()
    record(
        session,
        actor_of(user),
        "interview.exchange.add",
        "interview_exchange",
        exchange.id,
        case_id=interview.case_id,
        details={
            "interview_id": interview.id,
            "sequence": exchange.sequence,
            "paths": sorted(result.paths),
            "receipt_sha256": receipt_digest(receipt),
            "detected_language": detected_language,
            "language_confirmed": data.confirm_language,
            "phrase_entry_id": exchange.phrase_entry_id,
        },
    )
    return exchange


def finish(session: Session, user: User, interview: Interview) -> Interview:
    lock_open(session, interview)
    interview.status = "completed"
    interview.finished_at = utcnow()
    session.flush()
    record(
        session,
        actor_of(user),
        "interview.finish",
        "interview",
        interview.id,
        case_id=interview.case_id,
        details={"exchanges": len(exchanges_of(session, interview.id))},
    )
    return interview


def add_interview(session: Session, actor: Actor, case_id: int, data: InterviewCreate) -> Interview:
    get_case(session, case_id)
    party = session.get(Party, data.party_id)
    if party is None or party.case_id != case_id:
        raise ValidationFailed("当事人不属于本案", field="party_id")
    fields = data.model_dump()
    fields["scheduled_at"] = data.scheduled_at.astimezone(UTC)
    interview = Interview(case_id=case_id, **fields)
    session.add(interview)
    session.flush()
    record(
        session,
        actor,
        "interview.create",
        "interview",
        interview.id,
        case_id=case_id,
        details={"party_id": party.id, "status": interview.status},
    )
    return interview


def set_interview_status(
    session: Session, actor: Actor, case_id: int, interview_id: int, status: str
) -> Interview:
    interview = session.get(Interview, interview_id)
    if interview is None or interview.case_id != case_id:
        raise NotFound("询问记录不存在")
    if interview.status != status:
        before = interview.status
        interview.status = status
        if status == "in_progress" and interview.started_at is None:
            interview.started_at = utcnow()
        if status == "completed":
            interview.finished_at = utcnow()
        session.flush()
        record(
            session,
            actor,
            "interview.status",
            "interview",
            interview.id,
            case_id=case_id,
            details={"from": before, "to": status},
        )
    return interview
