"""The job that turns a stored recording into segments. Progress is written as it goes;
the segments are written in one transaction at the end, so a failed or cancelled run
leaves none behind (the recording says `failed` with the reason)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from interp_service.db.base import utcnow
from interp_service.evidence.store import EvidenceStore
from interp_service.jobs.base import JobContext, JobRunner
from interp_service.media import audio
from interp_service.speech import pipeline
from interp_service.speech.models import SpeechModels
from interp_service.speech.orm import Recording, SpeechSegment
from interp_service.speech.prompt import initial_prompt

TRANSCRIPT_STATE_OF_KIND = {"mandarin": "machine", "unconfirmed": "waiting", "no_speech": "none"}


def start(
    runner: JobRunner,
    factory: sessionmaker[Session],
    store: EvidenceStore,
    models: SpeechModels,
    recording: Recording,
    owner_id: int,
) -> str:
    """Submit the job and remember its id on the recording (the caller commits)."""
    recording_id = recording.id

    def run(ctx: JobContext) -> dict[str, Any]:
        return process(factory, store, models, recording_id, ctx)

    job = runner.submit("speech.recognise", run, owner_id=owner_id, case_id=recording.case_id)
    recording.job_id = job.id
    return job.id


def process(
    factory: sessionmaker[Session],
    store: EvidenceStore,
    models: SpeechModels,
    recording_id: int,
    ctx: JobContext,
) -> dict[str, Any]:
    with factory() as session:
        item = session.get(Recording, recording_id)
        if item is None:
            return {"recording_id": recording_id, "missing": True}
        item.state, item.progress, item.error = "processing", 0.0, ""
        sha256, language, variety = item.sha256, item.language, item.variety
        prompt = initial_prompt(session, item.case_id, models.settings.asr_prompt_terms)
        session.commit()
    try:
        data = b"".join(store.read_verified(sha256))
        decoded = audio.decode(data, max_duration_s=models.settings.max_audio_seconds)
        last = [0.0]

        def progress(done: float, total: float) -> None:
            ctx.progress(done, total, "识别中")
            if total and done / total - last[0] >= 0.05:
                last[0] = done / total
                _set_progress(factory, recording_id, done / total)

        results = pipeline.transcribe(models, decoded.samples, prompt, progress)
        drafts = ctc_drafts(models, decoded.samples, results, language, variety)
    except BaseException as exc:
        _fail(factory, recording_id, exc)
        raise
    with factory() as session:
        item = session.get(Recording, recording_id)
        if item is None:
            return {"recording_id": recording_id, "missing": True}
        for number, result in enumerate(results, start=1):
            row = segment_row(item, number, result, language, variety)
            if number in drafts:
                row.draft_text, row.recogniser = drafts[number]
            session.add(row)
        item.state, item.progress, item.processed_at = "done", 1.0, utcnow()
        item.recogniser = models.whisper().name if results else ""
        session.commit()
    counts = {kind: sum(r.kind == kind for r in results) for kind in ("mandarin", "unconfirmed")}
    return {"recording_id": recording_id, "segments": len(results), **counts}


def ctc_drafts(
    models: SpeechModels,
    samples: Any,
    results: list[pipeline.SegmentResult],
    language: str,
    variety: str,
) -> dict[int, tuple[str, str]]:
    """Unverified drafts (text, model) from a CTC model for the party's language, by
    segment number, for segments the gate sent to people; empty when none is installed."""
    if not any(r.kind == "unconfirmed" for r in results):
        return {}
    model = models.ctc_for(language, variety)
    if model is None:
        return {}
    drafts = {}
    for number, result in enumerate(results, start=1):
        if result.kind != "unconfirmed":
            continue
        start, end = (int(t * audio.SAMPLE_RATE) for t in (result.span.start_s, result.span.end_s))
        text = model.transcribe(samples[start:end]).text.strip()
        if text:
            drafts[number] = (text, model.name)
    return drafts


def segment_row(
    item: Recording, number: int, result: pipeline.SegmentResult, language: str, variety: str
) -> SpeechSegment:
    r = result.recognition
    mandarin = result.kind == "mandarin"
    return SpeechSegment(
        recording_id=item.id,
        sequence=number,
        start_s=round(result.span.start_s, 3),
        end_s=round(result.span.end_s, 3),
        kind=result.kind,
        language="cmn" if mandarin else language,
        variety="" if mandarin else variety,
        detected_language=r.language,
        detected_probability=round(r.language_probability, 4),
        mandarin_probability=round(r.mandarin_probability, 4),
        no_speech_probability=r.no_speech_probability,
        machine_text=r.text if mandarin else None,
        words=[
            {
                "text": w.text,
                "start_s": round(w.start_s, 3),
                "end_s": round(w.end_s, 3),
                "probability": round(w.probability, 3),
            }
            for w in r.words
        ]
        if mandarin
        else [],
        recogniser=r.model,
        transcript_state=TRANSCRIPT_STATE_OF_KIND[result.kind],
    )


def _set_progress(factory: sessionmaker[Session], recording_id: int, fraction: float) -> None:
    with factory() as session:
        item = session.get(Recording, recording_id)
        if item is not None:
            item.progress = round(min(fraction, 1.0), 3)
            session.commit()


def _fail(factory: sessionmaker[Session], recording_id: int, exc: BaseException) -> None:
    from interp_service.jobs.base import JobCancelled

    with factory() as session:
        item = session.get(Recording, recording_id)
        if item is not None:
            item.state = "failed"
            item.error = (
                "已取消" if isinstance(exc, JobCancelled) else f"{type(exc).__name__}: {exc}"
            )
            session.commit()


INTERRUPTED = "服务重启时处理中断，请重新处理"


def recover_interrupted(factory: sessionmaker[Session]) -> int:
    """At start-up: recordings left queued or processing by a stopped process (in-process
    jobs do not survive a restart) are marked failed so they can be processed again."""
    with factory() as session:
        rows = session.scalars(
            select(Recording).where(Recording.state.in_(("queued", "processing")))
        ).all()
        for item in rows:
            item.state, item.error, item.job_id = "failed", INTERRUPTED, None
        session.commit()
        return len(rows)


def restart(
    runner: JobRunner,
    factory: sessionmaker[Session],
    store: EvidenceStore,
    models: SpeechModels,
    recording: Recording,
    owner_id: int,
) -> str:
    """Process a failed recording again (the caller commits)."""
    from interp_service.errors import Conflict

    if recording.state != "failed":
        raise Conflict("只有处理失败的录音可以重新处理")
    recording.state, recording.progress, recording.error = "queued", 0.0, ""
    return start(runner, factory, store, models, recording, owner_id)
