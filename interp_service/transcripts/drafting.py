"""From turns (text files) or recognised speech (recordings) to segment drafts: one per
sentence of a turn (one per cue of a subtitle file), with the language identified and
the speaker's role guessed from the label as written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from interp_service.transcripts.shapes import Turn
from interp_service.transcripts.turns import split_sentences
from interp_service.translation.langid import identify

ROLE_OF_LABEL = {
    "问": "interviewer",
    "q": "interviewer",
    "讯问人": "interviewer",
    "询问人": "interviewer",
    "检察官": "interviewer",
    "答": "party",
    "a": "party",
    "被讯问人": "party",
    "被询问人": "party",
    "当事人": "party",
    "犯罪嫌疑人": "party",
    "证人": "party",
    "翻译": "interpreter",
    "译员": "interpreter",
    "记录人": "other",
    "书记员": "other",
}
LANGUAGES = ("cmn", "mmr")
_MIN_CONFIDENCE = 0.6


@dataclass
class SegmentDraft:
    turn: int
    speaker_label: str
    text: str
    source_language: str
    target_language: str
    detected_language: str = ""
    start_s: float | None = None
    end_s: float | None = None
    source_provenance: str = "human"


def guess_role(label: str) -> str:
    return ROLE_OF_LABEL.get(label.strip().lower(), "unknown")


def direction(text: str, default_source: str, default_target: str) -> tuple[str, str, str]:
    """(source, target, detected): a sentence confidently in the default target language is
    translated the other way; anything unsure keeps the transcript's direction."""
    guess = identify(text)
    detected = guess.language if guess.language in LANGUAGES else ""
    if (
        detected == default_target
        and guess.confidence >= _MIN_CONFIDENCE
        and default_source in LANGUAGES
    ):
        return default_target, default_source, detected
    return default_source, default_target, detected


def from_turns(
    turns: list[Turn], source_language: str, target_language: str, *, per_sentence: bool
) -> list[SegmentDraft]:
    drafts: list[SegmentDraft] = []
    for number, turn in enumerate(turns, start=1):
        pieces = split_sentences(turn.text) if per_sentence else [turn.text]
        for piece in pieces:
            text = re.sub(r"\s+", " ", piece).strip()
            if not text:
                continue
            source, target, detected = direction(text, source_language, target_language)
            drafts.append(
                SegmentDraft(
                    turn=number,
                    speaker_label=turn.speaker[:64],
                    text=text,
                    source_language=source,
                    target_language=target,
                    detected_language=detected,
                    start_s=turn.start_s,
                    end_s=turn.end_s,
                )
            )
    return drafts
