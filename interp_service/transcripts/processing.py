"""The job that turns a stored transcript file into segments: read and clean (text,
DOCX, subtitles) or recognise and find speakers (recordings), then suggest a translation
of every segment. Everything is written in one transaction at the end, after removing what
an earlier run of the same job wrote, so a job re-delivered after its worker died leaves
each segment once.

The job's result holds `stage_times`: seconds spent reading (decoding, clean-up, turns and
sentences; recognition and speakers for a recording), suggesting translations and writing
(the one transaction), so a slow job says where its time went."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from interp_service.db.base import utcnow
from interp_service.errors import AppError
from interp_service.jobs.base import JobCancelled, JobContext
from interp_service.jobs.tasks import TaskEnv, task
from interp_service.services import AppServices
from interp_service.transcripts import recordings
from interp_service.transcripts import repository as repo
from interp_service.transcripts.drafting import SegmentDraft, from_turns, guess_role
from interp_service.transcripts.orm import (
    CleanupChange,
    Transcript,
    TranscriptSegment,
    TranscriptSpeaker,
)
from interp_service.transcripts.pretranslate import provenance, suggest_all
from interp_service.transcripts.reading import read_file
from interp_service.transcripts.shapes import Change
from interp_service.translation.pipeline import Request
from interp_service.translation.receipts import TranslationResult

log = logging.getLogger(__name__)
KIND = "transcript.process"
# Shares of the progress bar: reading (or recognition) and then translation.
READ_SHARE = {"audio": 0.7}
DEFAULT_READ_SHARE = 0.1
BATCH_TIMEOUT_S = 600.0
"""Longest wait for one batch of suggestions, seconds (the engine has its own deadline)."""


@task(KIND)
def process(env: TaskEnv, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    services = env.services
    transcript_id = int(payload["transcript_id"])
    factory = services.session_factory
    with factory() as session:
        item = session.get(Transcript, transcript_id)
        if item is None:
            return {"transcript_id": transcript_id, "missing": True}
        item.state, item.error = "processing", ""
        session.commit()
        kind = item.kind
    share = READ_SHARE.get(kind, DEFAULT_READ_SHARE)
    clock = _StageClock()
    try:
        ctx.progress(0, 100, "读取文件")
        with clock("read"), factory() as session:
            item = _get(session, transcript_id)
            if kind == "audio":
                drafts, changes, how = recordings.drafts_of(services, session, item, ctx, share)
            else:
                drafts, changes, how = _text_drafts(services, item)
        ctx.progress(100 * share, 100, "生成译文建议")
        requests = [
            Request(d.text, d.source_language, d.target_language, _variety(d, item)) for d in drafts
        ]
        with clock("suggest"), factory() as session:

            def step(done: int, total: int) -> None:
                ctx.progress(
                    100 * (share + (1 - share) * done / max(total, 1)), 100, "生成译文建议"
                )

            results = suggest_all(
                services, session, requests, lambda c: env.bridge.run(c, BATCH_TIMEOUT_S), step
            )
        with clock("write"), factory() as session:
            item = _get(session, transcript_id)
            _write(session, item, drafts, results, changes, how)
            session.commit()
    except BaseException as exc:
        _fail(services, transcript_id, exc)
        raise
    ctx.progress(100, 100, "完成")
    return {
        "transcript_id": transcript_id,
        "segments": len(drafts),
        "changes": len(changes),
        "stage_times": clock.seconds,
    }


class _StageClock:
    """Wall seconds per named stage: `with clock("read"): ...` adds to `seconds["read"]`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - start
            self.seconds[stage] = round(self.seconds.get(stage, 0.0) + spent, 4)


def _get(session: Session, transcript_id: int) -> Transcript:
    item = session.get(Transcript, transcript_id)
    if item is None:
        raise AppError("笔录已被删除")
    return item


def _variety(draft: SegmentDraft, item: Transcript) -> str:
    return item.target_variety if draft.target_language == item.target_language else ""


def _text_drafts(
    services: AppServices, item: Transcript
) -> tuple[list[SegmentDraft], list[Change], str]:
    data = b"".join(services.evidence_store.read_verified(item.sha256))
    read = read_file(
        item.kind,
        data,
        services.settings.max_docx_uncompressed_bytes,
        to_simplified=item.to_simplified,
        keep_lines=frozenset(item.kept_lines or []),
    )
    drafts = from_turns(
        read.turns,
        item.source_language,
        item.target_language,
        per_sentence=item.kind not in ("srt", "vtt"),
    )
    return drafts, read.changes, read.encoding


def _write(
    session: Session,
    item: Transcript,
    drafts: list[SegmentDraft],
    results: list[TranslationResult | None],
    changes: list[Change],
    how: str,
) -> None:
    repo.clear_results(session, item.id)
    session.flush()
    confirmed = {s.label for s in repo.speakers(session, item.id)}
    for label in dict.fromkeys(d.speaker_label for d in drafts if d.speaker_label):
        if label not in confirmed:
            session.add(
                TranscriptSpeaker(transcript_id=item.id, label=label, role=guess_role(label))
            )
    for change in changes:
        session.add(
            CleanupChange(
                transcript_id=item.id,
                kind=change.kind,
                line=change.line,
                before=change.before,
                after=change.after,
                reason=change.reason[:200],
            )
        )
    for number, (draft, result) in enumerate(zip(drafts, results, strict=True), start=1):
        session.add(
            TranscriptSegment(
                transcript_id=item.id,
                sequence=number,
                turn=draft.turn,
                speaker_label=draft.speaker_label,
                start_s=draft.start_s,
                end_s=draft.end_s,
                source_language=draft.source_language,
                source_variety=item.source_variety
                if draft.source_language == item.source_language
                else item.target_variety,
                detected_language=draft.detected_language,
                source_text=draft.text,
                source_provenance=draft.source_provenance,
                target_language=draft.target_language,
                target_variety=_variety(draft, item),
                suggestion_text=result.output if result else "",
                suggestion_provenance=provenance(result),
                receipt=result.model_dump(mode="json") if result else {},
            )
        )
    item.state, item.processed_at, item.error = "ready", utcnow(), ""
    # `how`: the encoding a text was read in, or how a recording's speakers were found.
    if item.kind == "audio":
        item.diarisation = how[:200]
    else:
        item.encoding = how[:32]


def _fail(services: AppServices, transcript_id: int, exc: BaseException) -> None:
    state, reason = "failed", "处理失败，请重试或联系管理员"
    if isinstance(exc, JobCancelled):
        state, reason = "cancelled", "处理已取消"
    elif isinstance(exc, AppError):
        reason = exc.detail
    else:
        log.exception("transcript %s failed", transcript_id)
    with services.session_factory() as session:
        item = session.get(Transcript, transcript_id)
        if item is not None:
            item.state, item.error = state, reason
            session.commit()
