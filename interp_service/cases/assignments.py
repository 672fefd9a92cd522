"""Assigning users to a case, and the interpreter's own conflict-of-interest declaration.

An interpreter must declare whether a conflict exists (Criminal Procedure Law art. 32
applies the recusal rules to interpreters). The declaration is the interpreter's own
statement: a user interpreter files it under their own login once assigned (until then the
assignment waits, 待本人申报, and they may open the case only to file it); nobody files one
in another user's name. External interpreters without a login are declared on paper and
recorded on their behalf, see `external_interpreters`. A declared conflict records the
assignment as `recused`: it is kept for the file, but gives no access to the case.
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
    if data.declaration is not None:
        if data.role_on_case != "interpreter":
            raise ValidationFailed("只有译员需要利益冲突申报", field="declaration")
        if user.id != actor.id:
            raise ValidationFailed(
                "利益冲突申报须由译员本人登录后填写，不能由他人代为申报", field="declaration"
            )
    if data.role_on_case == "interpreter":
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
    else:
        # A new engagement needs a new declaration: the old one covered the earlier one.
        _clear_declaration(assignment)
    if data.declaration is not None:
        _apply_declaration(assignment, data.declaration, actor)
    session.flush()
    if assignment.state == "recused":
        _end_other_roles(session, actor, assignment)
    details: dict[str, object] = {
        "user_id": user.id,
        "role_on_case": assignment.role_on_case,
        "state": assignment.state,
        "conflict_declared": assignment.conflict_declared,
    }
    if data.declaration is not None:
        details.update(entered_by=actor.id, on_behalf=False)
    record(
        session,
        actor,
        "assignment.create",
        "assignment",
        assignment.id,
        case_id=case_id,
        details=details,
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


def _apply_declaration(assignment: Assignment, declaration: Declaration, actor: Actor) -> None:
    """The interpreter's own declaration (`actor` is always the assigned user)."""
    assignment.conflict_declared = declaration.has_conflict
    assignment.declaration_text = declaration.statement
    assignment.declared_at = utcnow()
    assignment.declared_by = actor.id
    if declaration.has_conflict:
        assignment.state = "recused"


def _clear_declaration(assignment: Assignment) -> None:
    assignment.conflict_declared = None
    assignment.declaration_text = ""
    assignment.declared_at = None
    assignment.declared_by = None


def declare(
    session: Session,
    actor: Actor,
    case_id: int,
    assignment_id: int,
    declaration: Declaration,
) -> Assignment:
    """The interpreter's own (new) declaration on their assignment; a conflict recuses.

    Only the assigned user may file it: nobody, admins and lead prosecutors included,
    files a declaration in another user's name.
    """
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.case_id != case_id:
        raise NotFound("分配记录不存在")
    if assignment.user_id != actor.id:
        raise Forbidden("利益冲突申报只能由译员本人登录填写，不能为他人申报")
    if assignment.state == "ended":
        raise Conflict("该分配已结束", field="declaration")
    if assignment.role_on_case != "interpreter":
        raise ValidationFailed("只有译员需要利益冲突申报", field="declaration")
    _apply_declaration(assignment, declaration, actor)
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
        details={
            "user_id": assignment.user_id,
            "conflict_declared": declaration.has_conflict,
            "state": assignment.state,
            "entered_by": actor.id,
            "on_behalf": False,
        },
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
