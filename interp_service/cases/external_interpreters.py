"""External interpreters: engaged for one case (聘请, CPL art. 9), without a login.

Their conflict-of-interest declaration is their own statement, signed on paper. Case staff
record it *on their behalf*: the scanned signed form must already be in the case's evidence
store and is linked to the record, and the member of staff who entered it is kept and
shown. A declared conflict recuses at once (CPL art. 32). Never commits; every change is
audited with ids and hashes only, never the interpreter's name or statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.cases.orm import Case, ExternalInterpreter
from interp_service.cases.schemas import (
    ExternalInterpreterCreate,
    ExternalInterpreterOut,
    OnBehalfDeclaration,
)
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, NotFound, ValidationFailed
from interp_service.evidence.orm import EvidenceFile
from interp_service.users.orm import User

FORM_FIELD = "form_evidence_id"


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在")
    return case


def get_external(session: Session, case_id: int, external_id: int) -> ExternalInterpreter:
    external = session.get(ExternalInterpreter, external_id)
    if external is None or external.case_id != case_id:
        raise NotFound("外聘译员不存在")
    return external


def engage(
    session: Session, actor: Actor, case_id: int, data: ExternalInterpreterCreate
) -> ExternalInterpreter:
    """Register an external interpreter for the case; they wait for their declaration."""
    _case(session, case_id)
    if actor.id is None:
        raise ValidationFailed("外聘译员须由办案人员登记")
    external = ExternalInterpreter(case_id=case_id, engaged_by=actor.id, **data.model_dump())
    session.add(external)
    session.flush()
    record(
        session,
        actor,
        "external_interpreter.engage",
        "external_interpreter",
        external.id,
        case_id=case_id,
        details={
            "external_interpreter_id": external.id,
            "language": external.language,
            "state": external.state,
            "engaged_by": actor.id,
        },
    )
    return external


def declare_on_behalf(
    session: Session,
    actor: Actor,
    case_id: int,
    external_id: int,
    declaration: OnBehalfDeclaration,
) -> ExternalInterpreter:
    """Record an external interpreter's signed declaration; the signed form is required."""
    external = get_external(session, case_id, external_id)
    if external.state == "ended":
        raise Conflict("该外聘译员的聘请已结束，不能再录入申报", field="has_conflict")
    if external.state == "recused":
        raise Conflict("该外聘译员已因利益冲突回避本案，申报不能更改", field="has_conflict")
    if declaration.form_evidence_id is None:
        raise ValidationFailed(
            "请选择译员本人签名的申报表（先在本案“文件”中上传签名申报表的扫描件）",
            field=FORM_FIELD,
        )
    form = session.get(EvidenceFile, declaration.form_evidence_id)
    if form is None or form.case_id != case_id:
        raise ValidationFailed(
            "所选签名申报表不是本案的文件，请选择本案已上传的文件", field=FORM_FIELD
        )
    external.conflict_declared = declaration.has_conflict
    external.declaration_text = declaration.statement
    external.declared_at = utcnow()
    external.declaration_entered_by = actor.id
    external.declaration_form_id = form.id
    if declaration.has_conflict:
        external.state = "recused"
    session.flush()
    record(
        session,
        actor,
        "external_interpreter.declare",
        "external_interpreter",
        external.id,
        case_id=case_id,
        details={
            "external_interpreter_id": external.id,
            "conflict_declared": declaration.has_conflict,
            "state": external.state,
            "on_behalf": True,
            "entered_by": actor.id,
            "form_evidence_id": form.id,
            "form_sha256": form.sha256,
        },
    )
    return external


def end_engagement(
    session: Session, actor: Actor, case_id: int, external_id: int
) -> ExternalInterpreter:
    """End an active engagement; a recused or ended one stays as it is."""
    external = get_external(session, case_id, external_id)
    if external.state == "active":
        external.state = "ended"
        session.flush()
        record(
            session,
            actor,
            "external_interpreter.end",
            "external_interpreter",
            external.id,
            case_id=case_id,
            details={"external_interpreter_id": external.id, "state": external.state},
        )
    return external


def externals_of(session: Session, case_id: int) -> Sequence[ExternalInterpreter]:
    return session.scalars(
        select(ExternalInterpreter)
        .where(ExternalInterpreter.case_id == case_id)
        .order_by(ExternalInterpreter.id)
    ).all()


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names (else usernames) of the given users, by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    users = session.scalars(select(User).where(User.id.in_(wanted))).all()
    return {u.id: u.display_name or u.username for u in users}


def to_out(
    session: Session, externals: Sequence[ExternalInterpreter]
) -> list[ExternalInterpreterOut]:
    """Response shapes with who engaged and who entered the declaration, and the form's name."""
    names = user_names(
        session, [e.declaration_entered_by for e in externals] + [e.engaged_by for e in externals]
    )
    form_ids = {e.declaration_form_id for e in externals if e.declaration_form_id is not None}
    forms = (
        {
            f.id: f.original_name
            for f in session.scalars(select(EvidenceFile).where(EvidenceFile.id.in_(form_ids)))
        }
        if form_ids
        else {}
    )
    return [
        ExternalInterpreterOut.model_validate(e).model_copy(
            update={
                "declaration_entered_by_name": names.get(e.declaration_entered_by or 0, ""),
                "declaration_form_filename": forms.get(e.declaration_form_id or 0, ""),
                "engaged_by_name": names.get(e.engaged_by, ""),
            }
        )
        for e in externals
    ]


def case_externals(session: Session, case_id: int) -> list[ExternalInterpreterOut]:
    return to_out(session, externals_of(session, case_id))
