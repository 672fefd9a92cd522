"""Rules for cases and parties (interviews: interviews/service.py). Never commits; every
change is audited."""

from __future__ import annotations

from typing import NoReturn

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.audit.detached import record_when_done
from interp_service.cases import repository as repo
from interp_service.cases.external_interpreters import case_externals, user_names
from interp_service.cases.orm import Assignment, Case, Party
from interp_service.cases.schemas import (
    AssignmentOut,
    CaseCreate,
    CaseDetail,
    CaseOut,
    CaseUpdate,
    DeadlineOut,
    InterviewOut,
    PartyCreate,
    PartyOut,
)
from interp_service.errors import Conflict, NotFound


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在")
    return case


# Same words whether or not the caller may see the case that holds the number: no title,
# no id, nothing about who holds it.
CASE_NUMBER_TAKEN = "该案件编号已存在，请核对后换用其他编号"


def _refuse_taken_number(session: Session, actor: Actor, number: str, holder: int) -> NoReturn:
    """409, audited in a transaction of its own (the request itself rolls back)."""
    record_when_done(
        session,
        actor,
        "case.create_refused",
        "case",
        holder,
        case_id=holder,
        details={"reason": "case_number_taken", "case_number": number},
    )
    raise Conflict(CASE_NUMBER_TAKEN, field="case_number")


def create_case(session: Session, actor: Actor, data: CaseCreate, *, lead: int | None) -> Case:
    """Open a case; `lead` (a prosecutor's user id) becomes its lead prosecutor.

    A number already taken answers 409; so does the loser of two requests inserting the
    same number at once: the unique index refuses it inside a savepoint, so the caller's
    transaction stays usable and nothing is left for its commit to trip over."""
    holder = repo.case_id_by_number(session, data.case_number)
    if holder is not None:
        _refuse_taken_number(session, actor, data.case_number, holder)
    case = Case(**data.model_dump())
    try:
        with session.begin_nested():
            session.add(case)
            session.flush()
    except IntegrityError:
        holder = repo.case_id_by_number(session, data.case_number)
        if holder is None:
            raise
        _refuse_taken_number(session, actor, data.case_number, holder)
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
