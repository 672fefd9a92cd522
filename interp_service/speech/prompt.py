"""Whisper's initial prompt: the names of the case's parties (when the audio belongs to a
case) and, only when `INTERP_ASR_PROMPT_TERMS` asks for them, approved Chinese terms from
the glossary; nothing else (never a reference transcript, never case notes). Audio outside
a case gets no prompt at all.

The general instruction the prompt used to start with (INSTRUCTION) is gone: with
timestamped decoding and the previous text as context it made recognition worse
(bench/speech.py, "earlier prompt": 9.7 % → 14.9 % CER on the joined recording).

Glossary terms are off by default: a list of terms in the prompt makes Whisper base write
lists and loop (bench/speech.py, "prompt with glossary terms": 40 preferred terms of the
shipped glossary took the joined recording's CER from 16 % to over 100 %)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.cases.orm import Party
from interp_service.glossary.orm import Term
from interp_service.glossary.search.match_records import CHINESE_LANGUAGES

INSTRUCTION = "以下是普通话的句子。"
"""The instruction the prompt started with before; bench/speech.py still measures it."""
MAX_TERMS = 40
"""The most terms `INTERP_ASR_PROMPT_TERMS` may ask for."""
MAX_TERM_CHARS = 8
_HAN = re.compile(r"[\u3400-\u9fff]")


def case_names(session: Session, case_id: int) -> list[str]:
    """Names of the case's parties written in Chinese characters (at most MAX_TERM_CHARS
    long), in the order they were entered: words Whisper cannot guess."""
    names = session.scalars(
        select(Party.name).where(Party.case_id == case_id).order_by(Party.id)
    ).all()
    found: list[str] = []
    for name in names:
        name = name.strip()
        if name and len(name) <= MAX_TERM_CHARS and _HAN.search(name) and name not in found:
            found.append(name)
    return found


def initial_prompt(session: Session, case_id: int | None = None, max_terms: int = 0) -> str:
    """The names of the parties of `case_id` (when given), then up to `max_terms` (at most
    MAX_TERMS) preferred, approved Chinese glossary terms, each at most MAX_TERM_CHARS
    characters long."""
    names = case_names(session, case_id) if case_id is not None else []
    terms = approved_terms(session, min(max_terms, MAX_TERMS)) if max_terms > 0 else []
    return compose(names, terms)


def compose(names: list[str], terms: list[str]) -> str:
    """人名：… and 术语：… when there are any ("" when there are none)."""
    prompt = ""
    if names:
        prompt += "人名：" + "、".join(names) + "。"
    if terms:
        prompt += "术语：" + "、".join(terms) + "。"
    return prompt


def approved_terms(session: Session, limit: int) -> list[str]:
    """Up to `limit` distinct preferred Chinese terms an admin approved, oldest first."""
    rows = session.scalars(
        select(Term.text)
        .where(
            Term.language.in_(CHINESE_LANGUAGES),
            Term.status == "preferred",
            Term.verification == "approved",
        )
        .order_by(Term.id)
    ).all()
    terms: list[str] = []
    for text in rows:
        text = text.strip()
        if text and len(text) <= MAX_TERM_CHARS and text not in terms:
            terms.append(text)
        if len(terms) >= limit:
            break
    return terms
