"""Request and response shapes for the case register."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from interp_service.api.ids import Id
from interp_service.users.schemas import LanguageCode, Strict, VisibleText

CaseStatus = Literal["open", "suspended", "closed"]
PartyRole = Literal["suspect", "defendant", "victim", "witness", "other"]
CaseRole = Literal["lead_prosecutor", "assistant", "clerk", "interpreter"]
InterviewStatus = Literal["planned", "in_progress", "completed", "cancelled"]
STAGES = ("", "立案监督", "审查逮捕", "审查起诉", "提起公诉", "审判监督", "执行监督", "其他")


class CaseFields(Strict):
    title: VisibleText = Field(min_length=1, max_length=200)
    case_type: str = Field(default="", max_length=64)
    stage: str = Field(default="", max_length=32)
    status: CaseStatus = "open"
    opened_on: date
    closed_on: date | None = None
    notes: str = Field(default="", max_length=20_000)

    @field_validator("stage")
    @classmethod
    def _stage(cls, v: str) -> str:
        if v not in STAGES:
            raise ValueError("诉讼阶段须为：" + "、".join(s for s in STAGES if s))
        return v

    @field_validator("closed_on")
    @classmethod
    def _dates(cls, v: date | None, info: ValidationInfo) -> date | None:
        opened = info.data.get("opened_on")
        if v is not None and opened is not None and v < opened:
            raise ValueError("结案日期不能早于立案日期")
        return v


class CaseCreate(CaseFields):
    case_number: VisibleText = Field(min_length=1, max_length=64)


class CaseUpdate(CaseFields):
    version: int = Field(description="The version you read; a stale one is refused (409)")


class PartyCreate(Strict):
    name: VisibleText = Field(min_length=1, max_length=100)
    role: PartyRole
    language: LanguageCode
    variety: str = Field(default="", max_length=64)
    needs_interpreter: bool = False
    dialect_notes: str = Field(default="", max_length=2000)


class Declaration(Strict):
    has_conflict: bool
    statement: str = Field(default="", max_length=4000)


class AssignmentCreate(Strict):
    user_id: Id
    role_on_case: CaseRole
    declaration: Declaration | None = Field(
        default=None,
        description=(
            "Only when you assign yourself as interpreter: your own conflict-of-interest "
            "declaration. Anyone else files theirs after assignment, under their own login."
        ),
    )


class ExternalInterpreterCreate(Strict):
    """An interpreter engaged for the case (聘请) who has no account."""

    name: VisibleText = Field(min_length=1, max_length=100)
    organisation: str = Field(default="", max_length=200)
    language: LanguageCode
    variety: str = Field(default="", max_length=64)
    notes: str = Field(default="", max_length=2000)


class OnBehalfDeclaration(Declaration):
    """An external interpreter's signed paper declaration, entered by case staff."""

    form_evidence_id: Id | None = Field(
        default=None,
        description="The scanned signed declaration form: an evidence file of the same case",
    )


class InterviewCreate(Strict):
    party_id: Id
    scheduled_at: AwareDatetime
    place: str = Field(default="", max_length=200)
    participants: list[str] = Field(default_factory=list, max_length=30)
    status: InterviewStatus = "planned"
    notes: str = Field(default="", max_length=20_000)


class InterviewStatusChange(Strict):
    status: InterviewStatus


class DeadlineCreate(Strict):
    title: VisibleText = Field(default="", max_length=200)
    rule_code: str | None = None
    starts_on: date
    due_on: date | None = None
    extended: bool = False
    notes: str = Field(default="", max_length=2000)

    @field_validator("due_on")
    @classmethod
    def _due_after_start(cls, v: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("starts_on")
        if v is not None and info.data.get("rule_code"):
            raise ValueError("按期限规则计算到期日，不能另行填写")
        if v is not None and start is not None and v < start:
            raise ValueError("到期日不能早于起算日")
        return v

    @field_validator("extended")
    @classmethod
    def _extension_needs_rule(cls, v: bool, info: ValidationInfo) -> bool:
        if v and not info.data.get("rule_code"):
            raise ValueError("只有按规则计算的期限可以延长")
        return v

    @model_validator(mode="after")
    def _need_due(self) -> DeadlineCreate:
        if self.rule_code is None and self.due_on is None:
            raise PydanticCustomError("due_needed", "请选择期限规则或填写到期日")
        if self.rule_code is None and not self.title:
            raise PydanticCustomError("title_needed", "请填写期限名称")
        return self


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CaseOut(Out):
    id: int
    case_number: str
    title: str
    case_type: str
    stage: str
    status: str
    opened_on: date
    closed_on: date | None
    notes: str
    version: int
    created_at: datetime
    updated_at: datetime


class PartyOut(Out):
    id: int
    case_id: int
    name: str
    role: str
    language: str
    variety: str
    needs_interpreter: bool
    dialect_notes: str


class AssignmentOut(Out):
    id: int
    case_id: int
    user_id: int
    username: str = ""
    display_name: str = ""
    role_on_case: str
    state: str
    conflict_declared: bool | None
    declaration_text: str
    declared_at: datetime | None
    declared_by: int | None = None
    declared_by_name: str = ""
    created_at: datetime


class ExternalInterpreterOut(Out):
    id: int
    case_id: int
    name: str
    organisation: str
    language: str
    variety: str
    notes: str
    state: str
    conflict_declared: bool | None
    declaration_text: str
    declared_at: datetime | None
    declaration_entered_by: int | None
    declaration_entered_by_name: str = ""
    declaration_form_id: int | None
    declaration_form_filename: str = ""
    engaged_by: int
    engaged_by_name: str = ""
    created_at: datetime


class InterviewOut(Out):
    id: int
    case_id: int
    party_id: int
    scheduled_at: datetime
    place: str
    participants: list[str]
    status: str
    notes: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    read_back_at: datetime | None = None
    read_back_interpreter_id: int | None = None
    read_back_external_interpreter_id: int | None = None
    read_back_recorded_by: int | None = None


class DeadlineOut(Out):
    id: int
    case_id: int
    rule_id: int | None
    title: str
    starts_on: date
    due_on: date
    extended: bool
    done: bool
    notes: str
    rule_confirmed: bool | None = None


class DueSoonOut(DeadlineOut):
    case_number: str
    days_left: int


class DeadlineRuleOut(Out):
    id: int
    code: str
    stage: str
    name: str
    duration_value: int
    duration_unit: str
    extension_value: int | None
    extension_unit: str | None
    extension_condition: str
    legal_basis: str
    confirmed: bool
    confirmed_at: datetime | None
    origin: str


class CaseDetail(CaseOut):
    parties: list[PartyOut]
    assignments: list[AssignmentOut]
    external_interpreters: list[ExternalInterpreterOut] = Field(default_factory=list)
    interviews: list[InterviewOut]
    deadlines: list[DeadlineOut]
