"""Language competence: whether a user may approve text in a language and variety, and
the legal-review competence (`cmn:法律审核`) that approving a concept's definition and
citations needs."""

from __future__ import annotations

from interp_service.errors import Forbidden
from interp_service.users.orm import User

NO_COMPETENCE_NEEDED = {"cmn"}


def has_competence(user: User, language: str, variety: str) -> bool:
    if language in NO_COMPETENCE_NEEDED:
        return True
    for c in user.competences:
        if c.language == language and (not variety or not c.variety or c.variety == variety):
            return True
    return False


def require_competence(user: User, language: str, variety: str) -> None:
    if not has_competence(user, language, variety):
        label = f"{language} {variety}".strip()
        raise Forbidden(f"批准该语言的文本需要具备相应语言能力（{label}）")


# The competence (language, variety) that lets its holder approve a concept's definition and
# citations; granted like any other, e.g. `user create --competence cmn:法律审核`.
LEGAL_REVIEW = ("cmn", "法律审核")
LEGAL_REVIEW_REFUSED = "批准法律释义和条文引用需要法律审核资格（cmn:法律审核）"


def is_legal_review(language: str, variety: str) -> bool:
    """Whether a competence (language, variety) is the legal-review competence."""
    return (language, variety.strip()) == LEGAL_REVIEW


def has_legal_review(user: User) -> bool:
    return any(is_legal_review(c.language, c.variety) for c in user.competences)
