"""Whisper's initial prompt: a fixed general instruction and Chinese terms from the
glossary, nothing else (never a reference transcript, never case text)."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from interp_service.glossary.orm import Term
from interp_service.glossary.search.match_records import CHINESE_LANGUAGES

INSTRUCTION = "以下是普通话的句子，使用简体中文。"
MAX_TERMS = 40
MAX_TERM_CHARS = 8


def initial_prompt(session: Session) -> str:
    """The instruction followed by up to MAX_TERMS preferred Chinese glossary terms
    (approved ones first), each at most MAX_TERM_CHARS characters long."""
    rows = session.scalars(
        select(Term.text)
        .where(
            Term.language.in_(CHINESE_LANGUAGES),
            Term.status == "preferred",
        )
        .order_by(case((Term.verification == "approved", 0), else_=1), Term.id)
    ).all()
    terms: list[str] = []
    for text in rows:
        text = text.strip()
        if text and len(text) <= MAX_TERM_CHARS and text not in terms:
            terms.append(text)
        if len(terms) >= MAX_TERMS:
            break
    if not terms:
        return INSTRUCTION
    return INSTRUCTION + "术语：" + "、".join(terms) + "。"
