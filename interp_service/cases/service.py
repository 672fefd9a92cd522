"""Rules for cases, parties and interviews. Never commits; every change is audited."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.cases import repository as repo
from interp_service.cases.external_interpreters import case_externals, user_names
from interp_service.cases.orm import Assignment, Case, Interview, Party
from interp_service.cases.schemas import (
    AssignmentOut,
    CaseCreate,
    CaseDetail,
    CaseOut,
    CaseUpdate,
    DeadlineOut,
    InterviewCreate,
    InterviewOut,
    PartyCreate,
    PartyOut,
)
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, NotFound, ValidationFailed


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在")
    return case


def create_case(session: Session, actor: Actor, data: CaseCreate, *, lead: int | None) -> Case:
    """Open a case; `lead` (a prosecutor's user id) becomes its lead prosecutor."""
    if repo.get_case_by_number(session, data.case_number):
        raise Conflict(f"案件编号 {data.case_number} 已存在", field="case_number")
    case = Case(**data.model_dump())
    session.add(case)
    session.flush()
    record(
        session,
        actor,
        "case.create",
        "case",
        case.id,
        case_id=case.id,
        details={"case_number": case.case_number, "status": case.status},
    )
    if lead is not None:
        assignment = Assignment(
            case_id=case.id, user_id=lead, role_on_case="lead_prosecutor", assigned_by=actor.id
        )
        session.add(assignment)
        session.flush()
        record(
            session,
            actor,
            "assignment.create",
            "assignment",
            assignment.id,
            case_id=case.id,
            details={"user_id": lead, "role_on_case": "lead_prosecutor", "state": "active"},
        )
    return case


def update_case(session: Session, actor: Actor, case_id: int, data: CaseUpdate) -> Case:
    case = get_case(session, case_id)
    if case.version != data.version:
        raise Conflict(
            "案件已被他人修改，请刷新后再改", field="version", current_version=case.version
        )
    fields = data.model_dump(exclude={"version"})
    changed = sorted(k for k, v in fields.items() if getattr(case, k) != v)
    for key in changed:
        setattr(case, key, fields[key])
    session.flush()
    if changed:
        record(
            session,
            actor,
            "case.update",
            "case",
            case.id,
            case_id=case.id,
            details={"fields": changed, "version": case.version},
        )
    return case


def add_party(session: Session, actor: Actor, case_id: int, data: PartyCreate) -> Party:
    get_case(session, case_id)
    party = Party(case_id=case_id, **data.model_dump())
    session.add(party)
    session.flush()
    record(
        session,
        actor,
        "party.create",
        "party",
        party.id,
        case_id=case_id,
        details={
            "role": party.role,
            "language": party.language,
            "needs_interpreter": party.needs_interpreter,
        },
    )
    return party


def add_interview(session: Session, actor: Actor, case_id: int, data: InterviewCreate) -> Interview:
    get_case(session, case_id)
    party = session.get(Party, data.party_id)
    if party is None or party.case_id != case_id:
        raise ValidationFailed("当事人不属于本案", field="party_id")
    fields = data.model_dump()
    fields["scheduled_at"] = data.scheduled_at.astimezone(UTC)
    interview = Interview(case_id=case_id, **fields)
    session.add(interview)
    session.flush()
    record(
        session,
        actor,
        "interview.create",
        "interview",
        interview.id,
        case_id=case_id,
        details={"party_id": party.id, "status": interview.status},
    )
    return interview


def set_interview_status(
    session: Session, actor: Actor, case_id: int, interview_id: int, status: str
) -> Interview:
    interview = session.get(Interview, interview_id)
    if interview is None or interview.case_id != case_id:
        raise NotFound("询问记录不存在")
    if interview.status != status:
        before = interview.status
        interview.status = status
        if status == "in_progress" and interview.started_at is None:
            interview.started_at = utcnow()
        if status == "completed":
            interview.finished_at = utcnow()
        session.flush()
        record(
            session,
            actor,
            "interview.status",
            "interview",
            interview.id,
            case_id=case_id,
            details={"from": before, "to": status},
        )
    return interview


def case_detail(session: Session, case_id: int) -> CaseDetail:
    case = get_case(session, case_id)
    rows = repo.assignments_of(session, case_id)
    declared_by = user_names(session, [a.declared_by for a, _ in rows])
    assignments = [
        AssignmentOut.model_validate(a).model_copy(
            update={
                "username": u.username,
                "display_name": u.display_name,
                "declared_by_name": declared_by.get(a.declared_by or 0, ""),
            }
        )
        for a, u in rows
    ]
    rules = {r.id: r.confirmed for r in repo.rules(session)}
    deadlines = [
        DeadlineOut.model_validate(d).model_copy(
            update={"rule_confirmed": rules.get(d.rule_id) if d.rule_id else None}
        )
        for d in repo.deadlines_of(session, case_id)
    ]
    return CaseDetail(
        **CaseOut.model_validate(case).model_dump(),
        parties=[PartyOut.model_validate(p) for p in repo.parties_of(session, case_id)],
        assignments=assignments,
        external_interpreters=case_externals(session, case_id),
        interviews=[InterviewOut.model_validate(i) for i in repo.interviews_of(session, case_id)],
        deadlines=deadlines,
    )
