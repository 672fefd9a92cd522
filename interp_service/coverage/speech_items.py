"""What may go into the speech-data export: recordings with an approved transcript and
recorded consent (glossary terms, phrasebook entries, approved interview segments), and
the rest with the first reason they may not."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from interp_service.coverage import repository as repo


@dataclass(frozen=True)
class SpeechItem:
    """One recording with its approved transcript."""

    source_type: str  # "glossary_term" or "memory_entry"
    source_id: int
    recording_id: int | None
    sha256: str
    media_type: str | None
    text: str
    language: str
    variety: str
    speaker: str
    # A stretch of a longer recording (an interview segment), in seconds; None: the whole file.
    start_s: float | None = None
    end_s: float | None = None

    @property
    def source(self) -> str:
        if self.source_type == "interview_segment":
            return f"interview-segment:{self.source_id}/recording:{self.recording_id}"
        if self.source_type == "glossary_term":
            return f"glossary-term:{self.source_id}/recording:{self.recording_id}"
        return f"memory-entry:{self.source_id}"


@dataclass
class Selection:
    items: list[SpeechItem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason code)

    def skipped_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(reason for _, reason in self.skipped).items()))


def select_items(session: Session, language: str | None, variety: str | None) -> Selection:
    """Recordings that may be exported, and the others with the first reason they may not
    (consent first: without it nothing else matters)."""
    chosen = Selection()
    for rec, term in repo.term_recordings(session, language, variety):
        item = SpeechItem(
            "glossary_term",
            term.id,
            rec.id,
            rec.sha256,
            rec.media_type,
            term.text,
            term.language,
            term.variety,
            rec.speaker,
        )
        if not rec.speaker_consent:
            chosen.skipped.append((item.source, "no-consent"))
        elif rec.approved_at is None:
            chosen.skipped.append((item.source, "recording-not-approved"))
        elif term.verification != "approved" or term.status in repo.UNUSABLE_STATUSES:
            chosen.skipped.append((item.source, "transcript-not-approved"))
        else:
            chosen.items.append(item)
    for entry in repo.entry_recordings(session, language, variety):
        assert entry.recording_sha256 is not None
        item = SpeechItem(
            "memory_entry",
            entry.id,
            None,
            entry.recording_sha256,
            None,
            entry.target_text,
            entry.target_language,
            entry.target_variety,
            entry.recording_speaker,
        )
        if not entry.recording_consent:
            chosen.skipped.append((item.source, "no-consent"))
        elif not entry.recording_approved:
            chosen.skipped.append((item.source, "recording-not-approved"))
        elif entry.status != "approved" or not entry.target_text.strip():
            chosen.skipped.append((item.source, "transcript-not-approved"))
        else:
            chosen.items.append(item)
    for segment, recording in repo.segment_recordings(session, language, variety):
        item = SpeechItem(
            "interview_segment",
            segment.id,
            recording.id,
            recording.sha256,
            "audio/wav",
            segment.transcript,
            segment.language,
            segment.variety,
            "",
            segment.start_s,
            segment.end_s,
        )
        if not recording.speech_data_consent:
            chosen.skipped.append((item.source, "no-consent"))
        elif segment.transcript_state != "approved" or not segment.transcript.strip():
            chosen.skipped.append((item.source, "transcript-not-approved"))
        else:
            chosen.items.append(item)
    return chosen
