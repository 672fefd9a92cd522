"""Recording an exchange: check the typed text's language against the direction, translate
what was said, then store it with the suggestion and its receipt. Shared by the API and the
interview page; standard notices from the phrasebook go the same way."""

from __future__ import annotations

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from interp_service.cases.orm import Party
from interp_service.db.session import release_connection
from interp_service.errors import NotFound
from interp_service.interviews import service
from interp_service.interviews.language_check import refuse_unless_confirmed
from interp_service.interviews.orm import Exchange
from interp_service.interviews.schemas import ExchangeCreate
from interp_service.memory.orm import MemoryEntry
from interp_service.services import AppServices
from interp_service.translation.pipeline import Request as PipelineRequest
from interp_service.translation.pipeline import TranslationContext
from interp_service.translation.receipts import (
    PATH_LABELS,
    MemorySource,
    SentenceReceipt,
    SentenceResult,
    TranslationResult,
)
from interp_service.translation.service import check_request, context_for, run
from interp_service.users.orm import User


async def record_exchange(
    services: AppServices,
    db: Session,
    user: User,
    case_id: int,
    interview_id: int,
    body: ExchangeCreate,
    *,
    phrase_entry_id: int | None = None,
) -> Exchange:
    """Translate `body.text` (database work off the event loop) and append the exchange.
    A text whose language contradicts the direction is refused (422) unless confirmed."""
    ask = PipelineRequest(
        body.text, body.source_language, body.target_language, body.target_variety
    )
    check_request(ask, services.settings)

    def prepare() -> tuple[TranslationContext, str, MemoryEntry | None, TranslationResult | None]:
        """Checks, the translation context, and the notice's own approved rendering."""
        interview = service.get_interview(db, case_id, interview_id)
        service.check_open(interview)
        service.check_direction(db, interview, body)
        phrase = notice_entry(db, phrase_entry_id) if phrase_entry_id is not None else None
        checked = refuse_unless_confirmed(
            body.text, body.source_language, confirmed=body.confirm_language
        )
        ctx = context_for(services, db)
        release_connection(db)
        approved = (
            phrase_result(db, phrase, body, ctx.glossary.release)
            if phrase is not None and is_approved_for(phrase, body)
            else None
        )
        return ctx, checked.detected, phrase, approved

    ctx, detected, phrase, approved = await run_in_threadpool(prepare)
    result = approved if approved is not None else await run(ctx, ask)

    def store() -> Exchange:
        interview = service.get_interview(db, case_id, interview_id)
        return service.add_exchange(
            db, user, interview, body, result, detected_language=detected, phrase=phrase
        )

    return await run_in_threadpool(store)


class UnknownNotice(NotFound):
    """The phrasebook entry named does not exist (or is retired): a 404 in the API, a form
    error on the page, where the entry is a form value."""


def notice_entry(db: Session, entry_id: int) -> MemoryEntry:
    """A phrasebook entry (standard notice or question) that is not retired."""
    entry = db.get(MemoryEntry, entry_id)
    if entry is None or not entry.is_phrase or entry.status == "retired":
        raise UnknownNotice("常用语不存在")
    return entry


def is_approved_for(entry: MemoryEntry, body: ExchangeCreate) -> bool:
    """Whether the notice's Miao side is approved for the party's language and variety:
    then the whole notice has an approved rendering."""
    fits = entry.target_language == body.target_language and (
        not entry.target_variety or entry.target_variety == body.target_variety
    )
    return entry.status == "approved" and bool(entry.target_text) and fits


def phrase_result(
    db: Session, entry: MemoryEntry, body: ExchangeCreate, glossary_release: int | None
) -> TranslationResult:
    """An approved notice as one memory-exact sentence, with the entry as its receipt."""
    approver = db.get(User, entry.approved_by) if entry.approved_by is not None else None
    source = MemorySource(
        entry_id=entry.id,
        score=100.0,
        approved_by=entry.approved_by,
        approved_by_name=(approver.display_name or approver.username) if approver else "",
        approved_at=entry.approved_at.isoformat() if entry.approved_at else None,
        origin=entry.origin,
        entry_source=entry.source_text,
    )
    sentence = SentenceResult(
        source=body.text,
        output=entry.target_text,
        receipt=SentenceReceipt(
            path="memory-exact",
            label=PATH_LABELS["memory-exact"],
            source_start=0,
            source_end=len(body.text),
            glossary_release=glossary_release,
            memory=source,
        ),
    )
    return TranslationResult(
        source_language=body.source_language,
        target_language=body.target_language,
        target_variety=body.target_variety,
        text=body.text,
        output=entry.target_text,
        sentences=[sentence],
        glossary_release=glossary_release,
    )


def notice_request(db: Session, case_id: int, interview_id: int, entry_id: int) -> ExchangeCreate:
    """The prosecutor saying the notice's Chinese text to the party, in the party's
    language and variety."""
    interview = service.get_interview(db, case_id, interview_id)
    party = db.get(Party, interview.party_id)
    if party is None:
        raise NotFound("当事人不存在")
    entry = notice_entry(db, entry_id)
    return ExchangeCreate(
        speaker_role="prosecutor",
        source_language="cmn",
        target_language=party.language,
        target_variety=party.variety,
        text=entry.source_text,
    )
