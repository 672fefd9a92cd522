"""Assigning users to a case, with the interpreter's conflict-of-interest declaration.

An interpreter must declare whether a conflict exists (Criminal Procedure Law art. 32
applies the recusal rules to interpreters). A declared conflict records the assignment as
`recused`: it is kept for the file, but gives no access to the case.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.cases import repository as repo
from interp_service.cases.orm import Assignment
from interp_service.cases.schemas import AssignmentCreate, Declaration
from interp_service.cases.service import get_case
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from interp_service.users.orm import User

# Which account role a role on a case needs.
ACCOUNT_ROLE_FOR = {
    "lead_prosecutor": "prosecutor",
    "assistant": "prosecutor",
    "clerk": "clerk",
}


def assign(session: Session, actor: Actor, case_id: int, data: AssignmentCreate) -> Assignment:
    get_case(session, case_id)
    user = session.get(User, data.user_id)
    if user is None:
        raise ValidationFailed("用户不存在", field="user_id")
    if not user.is_active:
        raise ValidationFailed("该用户已停用，不能分配", field="user_id")
    needed = ACCOUNT_ROLE_FOR.get(data.role_on_case)
    if needed and not user.has_role(needed):
        raise ValidationFailed(
            f"该用户没有“{needed}”角色，不能担任此案件角色", field="role_on_case"
        )
    if data.role_on_case == "interpreter":
        if data.declaration is None:
            raise ValidationFailed("译员须先填写利益冲突申报", field="declaration")
        _check_interpreter_languages(session, case_id, user)
    if repo.is_recused(session, case_id, user.id):
        raise Conflict("该用户已因利益冲突回避本案，不能再以任何角色分配", field="user_id")
    existing = repo.find_assignment(session, case_id, user.id, data.role_on_case)
    if existing is not None and existing.state == "active":
        raise Conflict("该用户已以此角色分配到本案", field="user_id")
    assignment = existing or Assignment(
        case_id=case_id, user_id=user.id, role_on_case=data.role_on_case
    )
    assignment.state = "active"
    assignment.assigned_by = actor.id
    if existing is None:
        session.add(assignment)
    if data.declaration is not None:
        _apply_declaration(assignment, data.declaration)
    session.flush()
    if assignment.state == "recused":
        _end_other_roles(session, actor, assignment)
    record(
        session,
        actor,
        "assignment.create",
        "assignment",
        assignment.id,
        case_id=case_id,
        details={
            "user_id": user.id,
            "role_on_case": assignment.role_on_case,
            "state": assignment.state,
            "conflict_declared": assignment.conflict_declared,
        },
    )
    return assignment


def _check_interpreter_languages(session: Session, case_id: int, user: User) -> None:
    needed = {p.language for p in repo.parties_of(session, case_id) if p.needs_interpreter}
    held = {c.language for c in user.competences}
    missing = needed - held
    if missing:
        raise ValidationFailed(
            "该译员没有本案当事人所需语言的能力：" + "、".join(sorted(missing)),
            field="user_id",
        )


def _apply_declaration(assignment: Assignment, declaration: Declaration) -> None:
    assignment.conflict_declared = declaration.has_conflict
    assignment.declaration_text = declaration.statement
    assignment.declared_at = utcnow()
    if declaration.has_conflict:
        assignment.state = "recused"


def declare(
    session: Session,
    actor: Actor,
    case_id: int,
    assignment_id: int,
    declaration: Declaration,
    *,
    may_declare_for_others: bool,
) -> Assignment:
    """A (new) declaration on an existing interpreter assignment; a conflict recuses.

    Interpreters file their own; the lead prosecutor or an admin
    (`may_declare_for_others`) may record one on an interpreter's behalf.
    """
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.case_id != case_id:
        raise NotFound("分配记录不存在")
    if assignment.user_id != actor.id and not may_declare_for_others:
        raise Forbidden("只能为自己的译员分配填写申报")
    if assignment.state == "ended":
        raise Conflict("该分配已结束", field="declaration")
    if assignment.role_on_case != "interpreter":
        raise ValidationFailed("只有译员需要利益冲突申报", field="declaration")
    _apply_declaration(assignment, declaration)
    session.flush()
    if assignment.state == "recused":
        _end_other_roles(session, actor, assignment)
    record(
        session,
        actor,
        "assignment.declare",
        "assignment",
        assignment.id,
        case_id=case_id,
        details={"conflict_declared": declaration.has_conflict, "state": assignment.state},
    )
    return assignment


def _end_other_roles(session: Session, actor: Actor, recused: Assignment) -> None:
    """Recusal is personal: a recused user keeps no other role on the case."""
    for other in repo.active_assignments_of_user(session, recused.case_id, recused.user_id):
        if other.id != recused.id:
            other.state = "ended"
            session.flush()
            record(
                session,
                actor,
                "assignment.end",
                "assignment",
                other.id,
                case_id=recused.case_id,
                details={"user_id": other.user_id, "reason": "recusal"},
            )


def end_assignment(session: Session, actor: Actor, case_id: int, assignment_id: int) -> Assignment:
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.case_id != case_id:
        raise NotFound("分配记录不存在")
    if assignment.state == "active":
        assignment.state = "ended"
        session.flush()
        record(
            session,
            actor,
            "assignment.end",
            "assignment",
            assignment.id,
            case_id=case_id,
            details={"user_id": assignment.user_id},
        )
    return assignment
