"""API routes of the case register."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from interp_service.api.access import (
    ADMIN,
    CASE_CREATORS,
    CASE_LEAD,
    CASE_MEMBER_SELF,
    CASE_READ,
    CASE_WRITE,
    SIGNED_IN,
    require,
)
from interp_service.api.deps import AppSettings, DbSession, Principal
from interp_service.api.ids import Id
from interp_service.api.pagination import Page, PageParams, page_params
from interp_service.cases import assignments, deadlines, external_interpreters, service
from interp_service.cases import repository as repo
from interp_service.cases.schemas import (
    AssignmentCreate,
    AssignmentOut,
    CaseCreate,
    CaseDetail,
    CaseOut,
    CaseUpdate,
    DeadlineCreate,
    DeadlineOut,
    DeadlineRuleOut,
    Declaration,
    DueSoonOut,
    ExternalInterpreterCreate,
    ExternalInterpreterOut,
    InterviewCreate,
    InterviewOut,
    InterviewStatusChange,
    OnBehalfDeclaration,
    PartyCreate,
    PartyOut,
)
from interp_service.interviews import service as interviews
from interp_service.users.service import actor_of

router = APIRouter(prefix="/api/v1", tags=["cases"])


@router.get("/cases")
def list_cases(
    db: DbSession,
    q: str = Query("", max_length=100),
    status: str | None = None,
    stage: str | None = None,
    language: str | None = Query(None, pattern=r"^[a-z]{3}$"),
    paging: PageParams = Depends(page_params),
    me: Principal = require(SIGNED_IN),
) -> Page[CaseOut]:
    """Cases you are assigned to (admins: all), newest first."""
    rows, total = repo.search_cases(
        db,
        visible_to=None if me.is_admin else me.user.id,
        q=q,
        status=status,
        stage=stage,
        language=language,
        offset=paging.offset,
        limit=paging.size,
    )
    return Page.of([CaseOut.model_validate(c) for c in rows], paging, total)


@router.post("/cases", status_code=201)
def create_case(
    body: CaseCreate,
    db: DbSession,
    me: Principal = require(CASE_CREATORS),
) -> CaseOut:
    """Open a case; a prosecutor who opens it becomes its lead prosecutor."""
    lead = me.user.id if me.user.has_role("prosecutor") else None
    case = service.create_case(db, actor_of(me.user), body, lead=lead)
    return CaseOut.model_validate(case)


@router.get("/cases/{case_id}")
def get_case(
    case_id: Id,
    db: DbSession,
    _: Principal = require(CASE_READ),
) -> CaseDetail:
    return service.case_detail(db, case_id)


@router.put("/cases/{case_id}")
def update_case(
    case_id: Id,
    body: CaseUpdate,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> CaseOut:
    case = service.update_case(db, actor_of(me.user), case_id, body)
    return CaseOut.model_validate(case)


@router.post("/cases/{case_id}/parties", status_code=201)
def add_party(
    case_id: Id,
    body: PartyCreate,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> PartyOut:
    party = service.add_party(db, actor_of(me.user), case_id, body)
    return PartyOut.model_validate(party)


@router.post("/cases/{case_id}/assignments", status_code=201)
def assign_user(
    case_id: Id,
    body: AssignmentCreate,
    db: DbSession,
    me: Principal = require(CASE_LEAD),
) -> AssignmentOut:
    """Assign a user. An interpreter files their own conflict-of-interest declaration after
    assignment; `declaration` is accepted only when you assign yourself."""
    assignment = assignments.assign(db, actor_of(me.user), case_id, body)
    return AssignmentOut.model_validate(assignment)


@router.post("/cases/{case_id}/assignments/{assignment_id}/declaration")
def declare_conflict(
    case_id: Id,
    assignment_id: Id,
    body: Declaration,
    db: DbSession,
    me: Principal = require(CASE_MEMBER_SELF),
) -> AssignmentOut:
    """Your own conflict-of-interest declaration on your interpreter assignment (nobody
    files one for another user: 403); a declared conflict recuses at once."""
    assignment = assignments.declare(db, actor_of(me.user), case_id, assignment_id, body)
    return AssignmentOut.model_validate(assignment).model_copy(
        update={"declared_by_name": me.user.display_name or me.user.username}
    )


@router.post("/cases/{case_id}/external-interpreters", status_code=201)
def engage_external_interpreter(
    case_id: Id,
    body: ExternalInterpreterCreate,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> ExternalInterpreterOut:
    """Register an interpreter engaged for the case who has no account (聘请)."""
    external = external_interpreters.engage(db, actor_of(me.user), case_id, body)
    return external_interpreters.to_out(db, [external])[0]


@router.post("/cases/{case_id}/external-interpreters/{external_id}/declaration")
def declare_for_external_interpreter(
    case_id: Id,
    external_id: Id,
    body: OnBehalfDeclaration,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> ExternalInterpreterOut:
    """Record an external interpreter's signed declaration on their behalf; the scanned
    signed form (`form_evidence_id`, a file of this case) is required. A conflict recuses."""
    external = external_interpreters.declare_on_behalf(
        db, actor_of(me.user), case_id, external_id, body
    )
    return external_interpreters.to_out(db, [external])[0]


@router.post("/cases/{case_id}/external-interpreters/{external_id}/end")
def end_external_interpreter(
    case_id: Id,
    external_id: Id,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> ExternalInterpreterOut:
    external = external_interpreters.end_engagement(db, actor_of(me.user), case_id, external_id)
    return external_interpreters.to_out(db, [external])[0]


@router.delete("/cases/{case_id}/assignments/{assignment_id}")
def end_assignment(
    case_id: Id,
    assignment_id: Id,
    db: DbSession,
    me: Principal = require(CASE_LEAD),
) -> AssignmentOut:
    assignment = assignments.end_assignment(db, actor_of(me.user), case_id, assignment_id)
    return AssignmentOut.model_validate(assignment)


@router.post("/cases/{case_id}/interviews", status_code=201)
def add_interview(
    case_id: Id,
    body: InterviewCreate,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> InterviewOut:
    interview = interviews.add_interview(db, actor_of(me.user), case_id, body)
    return InterviewOut.model_validate(interview)


@router.post("/cases/{case_id}/interviews/{interview_id}/status")
def change_interview_status(
    case_id: Id,
    interview_id: Id,
    body: InterviewStatusChange,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> InterviewOut:
    interview = interviews.set_interview_status(
        db, actor_of(me.user), case_id, interview_id, body.status
    )
    return InterviewOut.model_validate(interview)


@router.post("/cases/{case_id}/deadlines", status_code=201)
def add_deadline(
    case_id: Id,
    body: DeadlineCreate,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> DeadlineOut:
    """Add a deadline; with a rule, the due date is computed from the start date."""
    deadline = deadlines.add_deadline(db, actor_of(me.user), case_id, body)
    return DeadlineOut.model_validate(deadline)


@router.post("/cases/{case_id}/deadlines/{deadline_id}/complete")
def complete_deadline(
    case_id: Id,
    deadline_id: Id,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> DeadlineOut:
    deadline = deadlines.complete_deadline(db, actor_of(me.user), case_id, deadline_id)
    return DeadlineOut.model_validate(deadline)


@router.get("/deadlines/due-soon")
def due_soon(
    db: DbSession,
    settings: AppSettings,
    days: int | None = Query(None, ge=0, le=365),
    me: Principal = require(SIGNED_IN),
) -> list[DueSoonOut]:
    """Open deadlines on your cases due within `days` days (default from settings)."""
    return deadlines.due_soon(db, me.user.id, settings.due_soon_days if days is None else days)


@router.get("/deadline-rules")
def list_rules(
    db: DbSession,
    _: Principal = require(SIGNED_IN),
) -> list[DeadlineRuleOut]:
    return [DeadlineRuleOut.model_validate(r) for r in repo.rules(db)]


@router.post("/deadline-rules/{rule_id}/confirm")
def confirm_rule(
    rule_id: Id,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> DeadlineRuleOut:
    """An admin confirms a rule after checking it against the statute."""
    rule = deadlines.confirm_rule(db, actor_of(me.user), rule_id)
    return DeadlineRuleOut.model_validate(rule)
