"""A recording as a transcript: recognised through the speech pipeline and its language
gate (Mandarin text kept only when the gate is sure; other speech waits for a person),
then speakers found offline — by the diarisation model when it is installed, by channel
for a stereo recording with one speaker per channel, or not at all, and said which."""

from __future__ import annotations

from sqlalchemy.orm import Session

from interp_service.engine.speech.diarisation import speakers_of
from interp_service.jobs.base import JobContext
from interp_service.media import speakers as speaker_turns
from interp_service.media.audio import SAMPLE_RATE
from interp_service.media.channels import decode_channels
from interp_service.services import AppServices
from interp_service.speech import processing as speech_processing
from interp_service.speech import repository as speech_repo
from interp_service.speech.orm import Recording
from interp_service.transcripts.drafting import SegmentDraft
from interp_service.transcripts.orm import Transcript
from interp_service.transcripts.shapes import Change


class _Scaled:
    """A job context whose progress fills only the first `share` of the bar."""

    def __init__(self, ctx: JobContext, share: float) -> None:
        self._ctx, self._share = ctx, share

    def progress(self, done: float, total: float, message: str = "") -> None:
        fraction = done / total if total else 0.0
        self._ctx.progress(100 * self._share * fraction, 100, message)

    def check_cancelled(self) -> None:
        self._ctx.check_cancelled()


def drafts_of(
    services: AppServices, session: Session, item: Transcript, ctx: JobContext, share: float
) -> tuple[list[SegmentDraft], list[Change], str]:
    recording = session.get(Recording, item.recording_id)
    if recording is None:
        raise LookupError(f"transcript {item.id} has no recording")
    if recording.state != "done":
        # Recognition writes the recording's segments in one transaction with `done`, so a
        # re-delivered job finds them there and does not recognise twice.
        session.rollback()
        speech_processing.process(
            services.session_factory,
            services.evidence_store,
            services.speech_models,
            recording.id,
            _Scaled(ctx, share * 0.8),
        )
        session.expire_all()
        recording = session.get(Recording, item.recording_id)
        assert recording is not None
    decoded = decode_channels(
        b"".join(services.evidence_store.read_verified(recording.sha256)),
        max_duration_s=services.settings.max_audio_seconds,
    )
    found = speakers_of(decoded.samples, SAMPLE_RATE)
    spans, how = found.spans, found.note
    ctx.progress(100 * share, 100, "区分说话人")
    segments = [s for s in speech_repo.segments_of(session, recording.id) if s.kind != "no_speech"]
    labels = speaker_turns.assign_speakers([(s.start_s, s.end_s) for s in segments], spans)
    drafts: list[SegmentDraft] = []
    for segment, label in zip(segments, labels, strict=True):
        mandarin = segment.kind == "mandarin"
        typed = (
            segment.transcript if segment.transcript_state in ("transcribed", "approved") else ""
        )
        text = typed or (segment.machine_text or "" if mandarin else "")
        language = "cmn" if mandarin else segment.language
        other = item.target_language if language == item.source_language else item.source_language
        drafts.append(
            SegmentDraft(
                turn=segment.sequence,
                speaker_label=label,
                text=text,
                source_language=language,
                target_language=other,
                detected_language=segment.detected_language[:3],
                start_s=segment.start_s,
                end_s=segment.end_s,
                source_provenance="human" if typed else ("speech" if text else "none"),
            )
        )
    return drafts, [], how
