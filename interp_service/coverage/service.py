"""The worklist for Miao-speaking staff: what to translate, verify or record next, ranked
by how often interviews needed it.

Confidentiality: sentences come from case records, so a sentence's text is shown only from
cases the viewer is assigned to (admins see all); a sentence seen only in other cases is
counted in `hidden_sentences`, never shown. Counts are over all cases. Single words are
shown with their global counts when they occurred in at least `MIN_CASES_FOR_WORDS`
distinct cases or in a case the viewer may read: a word seen in one other case only (a
name, a place) is withheld and counted in `hidden_words`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar
from urllib.parse import quote

from sqlalchemy.orm import Session

from interp_service.api.pagination import Page, PageParams
from interp_service.cases.access import visible_case_ids
from interp_service.coverage import repository as repo
from interp_service.coverage.receipts import SeenSentence, is_word, sentences_of
from interp_service.coverage.schemas import (
    ConceptTask,
    PhraseTask,
    SentenceTask,
    WordTask,
    Worklist,
)
from interp_service.db.base import utcnow
from interp_service.memory.orm import MemoryEntry
from interp_service.translation.normalise import match_key
from interp_service.users.orm import User

MIN_CASES_FOR_WORDS = 2
T = TypeVar("T")


@dataclass
class _Tally:
    """Occurrences of one word or sentence across interviews."""

    count: int = 0
    cases: set[int] = field(default_factory=set)
    last_seen: datetime | None = None
    text: str = ""
    gloss: str | None = None
    concept_id: int | None = None
    # The newest occurrence in a case the viewer may read: (case id, interview id, text).
    visible: tuple[int, int, str] | None = None

    def add(self, seen: SeenSentence, text: str, visible: bool) -> None:
        self.count += 1
        self.cases.add(seen.case_id)
        if self.last_seen is None or seen.at >= self.last_seen:
            self.last_seen = seen.at
            self.text = self.text or text
        if visible:
            self.visible = (seen.case_id, seen.interview_id, text)


@dataclass
class _Use:
    """What the interview sentences say about the language, gathered in one pass."""

    fired: Counter[int] = field(default_factory=Counter)
    fired_last: dict[int, datetime] = field(default_factory=dict)
    phrase_use: Counter[int] = field(default_factory=Counter)
    words: dict[str, _Tally] = field(default_factory=dict)
    sentences: dict[str, _Tally] = field(default_factory=dict)
    unknown: dict[str, _Tally] = field(default_factory=dict)


def _gather(
    seen_all: list[SeenSentence],
    phrases: Sequence[MemoryEntry],
    visible: set[int] | None,
) -> _Use:
    use = _Use()
    by_key: dict[str, list[int]] = {}
    for p in phrases:
        by_key.setdefault(p.source_key, []).append(p.id)
    phrase_ids = {p.id for p in phrases}
    counted: set[tuple[int, int]] = set()  # (exchange, phrase): a phrase counts once per exchange
    whole: dict[int, str] = {}  # exchange id → match key of its whole text
    for seen in seen_all:
        readable = visible is None or seen.case_id in visible
        if seen.direction == "into" and seen.from_chinese:
            for concept_id, _ in seen.concepts_fired():
                use.fired[concept_id] += 1
                use.fired_last[concept_id] = seen.at
            key = match_key(seen.source, seen.source_language)
            # A phrase of several sentences matches the whole exchange, a short one a sentence.
            matched = set(by_key.get(key, []))
            if seen.exchange_id not in whole:
                whole[seen.exchange_id] = match_key(seen.exchange_text, seen.source_language)
            matched.update(by_key.get(whole[seen.exchange_id], []))
            entry_id = seen.memory_entry_id()
            if entry_id in phrase_ids:
                matched.add(entry_id)
            for phrase_id in matched:
                if (seen.exchange_id, phrase_id) not in counted:
                    counted.add((seen.exchange_id, phrase_id))
                    use.phrase_use[phrase_id] += 1
            if seen.path == "gloss":
                if key:
                    use.sentences.setdefault(key, _Tally()).add(seen, seen.source, readable)
                for token in seen.gloss_tokens():
                    _word(use.words, seen, token, readable, unknown_only=False)
        elif seen.direction == "from":
            for token in seen.gloss_tokens():
                _word(use.unknown, seen, token, readable, unknown_only=True)
    return use


def _word(
    into: dict[str, _Tally],
    seen: SeenSentence,
    token: dict[str, object],
    readable: bool,
    *,
    unknown_only: bool,
) -> None:
    text = str(token.get("source_text") or "").strip()
    gloss = token.get("gloss")
    if not text or not is_word(text):
        return
    if unknown_only and gloss is not None:
        return
    if gloss is not None and token.get("verification") == "approved":
        return
    key = text if seen.from_chinese else text.casefold()
    tally = into.setdefault(key, _Tally())
    tally.add(seen, text, readable)
    if isinstance(gloss, str):
        tally.gloss = gloss
    concept = token.get("concept_id")
    if isinstance(concept, int):
        tally.concept_id = concept


def _page(items: list[T], paging: PageParams) -> Page[T]:
    return Page.of(items[paging.offset : paging.offset + paging.size], paging, len(items))


def _concepts(
    session: Session, language: str, variety: str, use: _Use, paging: PageParams
) -> Page[ConceptTask]:
    rows = repo.concepts_lacking(session, language, variety)
    ranked = sorted(
        rows,
        key=lambda r: (
            -use.fired[r.id],
            r.subject_field in ("", "lexicon"),
            r.subject_field,
            r.id,
        ),
    )
    page = ranked[paging.offset : paging.offset + paging.size]
    terms = repo.terms_of(session, [r.id for r in page], ["cmn", language])
    chinese: dict[int, list[tuple[int, str]]] = {}
    unverified: dict[int, list[str]] = {}
    for t in terms:
        if t.language == "cmn":
            rank = 0 if t.status == "preferred" else 1
            chinese.setdefault(t.concept_id, []).append((rank, t.text))
        elif t.status not in repo.UNUSABLE_STATUSES:
            unverified.setdefault(t.concept_id, []).append(
                f"{t.text}（{t.variety}）" if t.variety else t.text
            )
    items = [
        ConceptTask(
            concept_id=r.id,
            external_id=r.external_id,
            subject_field=r.subject_field,
            chinese=[text for _, text in sorted(chinese.get(r.id, []))],
            unverified=unverified.get(r.id, []),
            fired=use.fired[r.id],
            last_seen=use.fired_last.get(r.id),
            link=f"/glossary/concepts/{r.id}#propose",
        )
        for r in page
    ]
    return Page.of(items, paging, len(ranked))


def _phrases(
    phrases: Sequence[MemoryEntry], variety: str, use: _Use, paging: PageParams
) -> Page[PhraseTask]:
    tasks: list[tuple[int, PhraseTask]] = []
    for order, p in enumerate(phrases):
        has_text = (
            p.status == "approved"
            and bool(p.target_text)
            and (not variety or p.target_variety in ("", variety))
        )
        has_recording = bool(p.recording_sha256) and p.recording_approved
        if has_text and has_recording:
            continue
        tasks.append(
            (
                order,
                PhraseTask(
                    entry_id=p.id,
                    phrase_code=p.phrase_code,
                    title=p.phrase_title,
                    source_text=p.source_text,
                    missing_text=not has_text,
                    missing_recording=not has_recording,
                    used=use.phrase_use[p.id],
                    link="/memory/phrasebook",
                ),
            )
        )
    tasks.sort(key=lambda pair: (-pair[1].used, not pair[1].missing_text, pair[0]))
    return _page([task for _, task in tasks], paging)


def _words(
    tallies: dict[str, _Tally], visible: set[int] | None, language: str
) -> tuple[list[WordTask], int]:
    shown: list[WordTask] = []
    hidden = 0
    for tally in tallies.values():
        assert tally.last_seen is not None
        readable = (
            visible is None or tally.visible is not None or len(tally.cases) >= MIN_CASES_FOR_WORDS
        )
        if not readable:
            hidden += 1
            continue
        text = tally.visible[2] if tally.visible else tally.text
        if tally.concept_id is not None:
            link = f"/glossary/concepts/{tally.concept_id}#propose"
        else:
            link = f"/glossary?q={quote(text)}&language={language}"
        shown.append(
            WordTask(
                text=text,
                count=tally.count,
                cases=len(tally.cases),
                last_seen=tally.last_seen,
                gloss=tally.gloss,
                concept_id=tally.concept_id,
                link=link,
            )
        )
    shown.sort(key=lambda w: (-w.count, -w.cases, w.text))
    return shown, hidden


def _sentences(tallies: dict[str, _Tally]) -> tuple[list[SentenceTask], int]:
    shown: list[SentenceTask] = []
    hidden = 0
    for tally in tallies.values():
        if tally.visible is None:
            hidden += 1
            continue
        assert tally.last_seen is not None
        case_id, interview_id, text = tally.visible
        shown.append(
            SentenceTask(
                text=text,
                count=tally.count,
                last_seen=tally.last_seen,
                case_id=case_id,
                interview_id=interview_id,
                link=f"/cases/{case_id}/interviews/{interview_id}",
            )
        )
    shown.sort(key=lambda s: (-s.count, -s.last_seen.timestamp(), s.text))
    return shown, hidden


def worklist(
    session: Session,
    viewer: User,
    language: str,
    variety: str,
    paging: PageParams,
    days: int = 365,
) -> Worklist:
    """What to do next for `language` (and `variety`, "" for any), from interviews of the
    last `days` days (the concept and phrase lists include items never used, after the
    used ones). Each section is paged with the same `paging`."""
    since = utcnow() - timedelta(days=days)
    visible = visible_case_ids(session, viewer)
    phrases = repo.phrase_entries(session, language)
    seen = list(sentences_of(repo.exchange_rows(session, language, since), language, variety))
    use = _gather(seen, phrases, visible)
    words, hidden_words = _words(use.words, visible, "cmn")
    unknown, hidden_unknown = _words(use.unknown, visible, language)
    sentences, hidden_sentences = _sentences(use.sentences)
    return Worklist(
        language=language,
        variety=variety,
        since=since,
        concepts=_concepts(session, language, variety, use, paging),
        phrases=_phrases(phrases, variety, use, paging),
        words=_page(words, paging),
        sentences=_page(sentences, paging),
        hidden_sentences=hidden_sentences,
        unknown_words=_page(unknown, paging),
        hidden_words=hidden_words + hidden_unknown,
    )
