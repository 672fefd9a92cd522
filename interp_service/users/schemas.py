"""Request and response shapes for accounts, competences and API tokens."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from interp_service.invisible import refuse_bidi_controls

Role = Literal["prosecutor", "clerk", "admin"]
ISO639_3 = re.compile(r"^[a-z]{3}$")


def _iso639_3(value: str) -> str:
    if not ISO639_3.match(value):
        raise ValueError("语言须为 ISO 639-3 三字母代码，如 mmr、muq、cmn")
    return value


LanguageCode = Annotated[
    str, AfterValidator(_iso639_3), Field(description="ISO 639-3 code, e.g. mmr, muq, cmn")
]


# A name or title shown to others: direction controls (U+202E …), which can make it display
# in another order than the one stored, are refused.
VisibleText = Annotated[str, AfterValidator(refuse_bidi_controls)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CompetenceIn(Strict):
    language: LanguageCode
    variety: str = Field(default="", max_length=64)
    level: Literal["native", "fluent", "working"] = "fluent"


class CompetenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    language: str
    variety: str
    level: str


class UserCreate(Strict):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: VisibleText = Field(min_length=1, max_length=128)
    password: str = Field(min_length=10, max_length=256)
    roles: list[Role] = Field(min_length=1)
    competences: list[CompetenceIn] = Field(default_factory=list)


class UserUpdate(Strict):
    display_name: VisibleText | None = Field(default=None, min_length=1, max_length=128)
    roles: list[Role] | None = Field(default=None, min_length=1)
    competences: list[CompetenceIn] | None = None
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=10, max_length=256)
    unlock: bool = False


class PasswordChange(Strict):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=10, max_length=256)


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    roles: list[str]
    competences: list[CompetenceOut]
    is_active: bool
    locked_until: datetime | None
    created_at: datetime


class LoginIn(Strict):
    username: str
    password: str


class TokenCreate(Strict):
    name: VisibleText = Field(min_length=1, max_length=100)
    expires_in_days: int = Field(default=90, ge=1, le=365)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="Shown once; only its hash is stored")
