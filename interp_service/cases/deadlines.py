"""Deadlines per case, computed from admin-confirmed rules, and the "due soon" list."""

from __future__ import annotations

import calendar
import tomllib
from datetime import date, timedelta
from importlib import resources

from sqlalchemy.orm import Session

from interp_service.audit.chain import SYSTEM, Actor, record
from interp_service.cases import repository as repo
from interp_service.cases.orm import Deadline, DeadlineRule
from interp_service.cases.schemas import DeadlineCreate, DeadlineOut, DueSoonOut
from interp_service.cases.service import get_case
from interp_service.db.base import utcnow
from interp_service.errors import NotFound, ValidationFailed


def add_period(start: date, value: int, unit: str) -> date:
    """The last day of a period of `value` days or calendar months after `start`.

    The start day is not counted; a month ends on the same day number of the later
    month, or that month's last day when it is shorter.
    """
    if unit == "day":
        return start + timedelta(days=value)
    if unit == "month":
        month_index = start.month - 1 + value
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day)
    raise ValueError(f"unknown period unit {unit!r}")


def due_date(rule: DeadlineRule, starts_on: date, *, extended: bool) -> date:
    due = add_period(starts_on, rule.duration_value, rule.duration_unit)
    if extended:
        if rule.extension_value is None or rule.extension_unit is None:
            raise ValidationFailed("该期限规则不允许延长", field="extended")
        due = add_period(due, rule.extension_value, rule.extension_unit)
    return due


def add_deadline(session: Session, actor: Actor, case_id: int, data: DeadlineCreate) -> Deadline:
    get_case(session, case_id)
    rule = None
    if data.rule_code is not None:
        rule = repo.rule_by_code(session, data.rule_code)
        if rule is None:
            raise ValidationFailed("期限规则不存在", field="rule_code")
    due = data.due_on
    if due is None:
        assert rule is not None
        due = due_date(rule, data.starts_on, extended=data.extended)
    deadline = Deadline(
        case_id=case_id,
        rule_id=rule.id if rule else None,
        title=data.title or (rule.name if rule else ""),
        starts_on=data.starts_on,
        due_on=due,
        extended=data.extended,
        notes=data.notes,
    )
    session.add(deadline)
    session.flush()
    record(
        session,
        actor,
        "deadline.create",
        "deadline",
        deadline.id,
        case_id=case_id,
        details={"rule_id": deadline.rule_id, "due_on": due.isoformat()},
    )
    return deadline


def complete_deadline(session: Session, actor: Actor, case_id: int, deadline_id: int) -> Deadline:
    deadline = session.get(Deadline, deadline_id)
    if deadline is None or deadline.case_id != case_id:
        raise NotFound("期限不存在")
    if not deadline.done:
        deadline.done = True
        session.flush()
        record(session, actor, "deadline.complete", "deadline", deadline.id, case_id=case_id)
    return deadline


def due_soon(
    session: Session, user_id: int, days: int, today: date | None = None
) -> list[DueSoonOut]:
    """Open deadlines on the user's cases due within `days` days (overdue ones included)."""
    today = today or date.today()
    confirmed = {r.id: r.confirmed for r in repo.rules(session)}
    return [
        DueSoonOut(
            **DeadlineOut.model_validate(d).model_dump(exclude={"rule_confirmed"}),
            rule_confirmed=confirmed.get(d.rule_id) if d.rule_id else None,
            case_number=c.case_number,
            days_left=(d.due_on - today).days,
        )
        for d, c in repo.due_soon(session, user_id, today + timedelta(days=days))
    ]


def confirm_rule(session: Session, actor: Actor, rule_id: int) -> DeadlineRule:
    rule = session.get(DeadlineRule, rule_id)
    if rule is None:
        raise NotFound("期限规则不存在")
    if not rule.confirmed:
        rule.confirmed = True
        rule.confirmed_by = actor.id
        rule.confirmed_at = utcnow()
        session.flush()
        record(
            session,
            actor,
            "deadline_rule.confirm",
            "deadline_rule",
            rule.id,
            details={"code": rule.code},
        )
    return rule


def seed_shipped_rules(session: Session) -> int:
    """Load the shipped draft rules that are not in the database yet; returns how many."""
    text = (
        resources.files("interp_service.cases")
        .joinpath("data/deadline_rules.toml")
        .read_text(encoding="utf-8")
    )
    added = 0
    for item in tomllib.loads(text)["rule"]:
        if repo.rule_by_code(session, item["code"]) is None:
            rule = DeadlineRule(**item, confirmed=False, origin="shipped")
            session.add(rule)
            session.flush()
            record(
                session,
                SYSTEM,
                "deadline_rule.seed",
                "deadline_rule",
                rule.id,
                details={"code": rule.code},
            )
            added += 1
    return added
