"""Registry rules: list and show versions, promote through the gate (or by an admin's
written, audited force), roll back to the previously promoted version, retire.

Every change is audited in the caller's transaction; nothing here commits. Promotion and
roll-back end by rewriting the pointer file (``engine.service.promote``); the running app
then calls ``refresh()`` on its engine, other processes pick it up through
``Engine.refresh_if_changed()``. A refused promotion is not an exception here: its gate
result is stored with the version (commit it), then `gate.refusal()` makes the 409.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.config import Settings
from interp_service.db.base import utcnow
from interp_service.engine import service as engine_service
from interp_service.engine.cards import ModelCard, read_card
from interp_service.engine.errors import ModelLoadError
from interp_service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from interp_service.registry import gate
from interp_service.registry import repository as repo
from interp_service.registry.folders import card_facts, read_split
from interp_service.registry.orm import ModelVersion
from interp_service.registry.sync import SyncReport, models_root, sync
from interp_service.users.orm import User

MIN_REASON_CHARS = 10


@dataclass
class PromotionOutcome:
    """`promoted` False: the gate refused and nothing changed but the stored gate result."""

    version: ModelVersion
    promoted: bool
    forced: bool
    result: dict[str, Any]
    previous: ModelVersion | None


def _actor(user: User) -> Actor:
    return Actor(user.id, user.username)


def _require_admin(user: User) -> None:
    if not user.has_role("admin"):
        raise Forbidden("只有管理员可以管理模型")


def refresh_registry(session: Session, settings: Settings, user: User | None) -> SyncReport:
    """Sync with the models folder, audited as `user` (the system when None). Called first
    in every request that reads or changes the registry; when another request registered
    the same new folder at the same moment (unique folder), this one starts over once and
    then finds it registered."""
    actor = _actor(user) if user else Actor(None, "system")
    try:
        return sync(session, settings, actor)
    except IntegrityError:
        session.rollback()
        return sync(session, settings, actor)


def list_versions(
    session: Session,
    settings: Settings,
    user: User,
    *,
    pair: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[ModelVersion], int]:
    """Versions (synced first), by pair and newest first."""
    _require_admin(user)
    refresh_registry(session, settings, user)
    return repo.list_versions(session, pair=pair, status=status, offset=offset, limit=limit)


def show(session: Session, settings: Settings, user: User, name: str, version: str) -> ModelVersion:
    _require_admin(user)
    refresh_registry(session, settings, user)
    return get_version(session, name, version)


def get_version(session: Session, name: str, version: str) -> ModelVersion:
    row = repo.find(session, name, version)
    if row is None:
        raise NotFound(f"模型 {name}@{version} 不存在")
    return row


def _card_of(settings: Settings, row: ModelVersion) -> ModelCard:
    """The version's card, files verified and card unchanged since registration."""
    try:
        card = read_card(models_root(settings) / "mt" / row.folder)
    except ModelLoadError as exc:
        raise Conflict(f"模型文件夹 {row.folder} 有误，不能使用：{exc}") from None
    if card_facts(card.folder).card_sha256 != row.card_sha256:
        raise Conflict(f"模型 {row.label} 的 card.toml 在登记后被改动，不能使用")
    return card


def _check_reason(force_reason: str | None) -> str | None:
    if force_reason is None:
        return None
    reason = force_reason.strip()
    if len(reason) < MIN_REASON_CHARS:
        raise ValidationFailed(
            f"强制晋升须写明理由（至少 {MIN_REASON_CHARS} 个字）", field="reason"
        )
    return reason


def _promotable(row: ModelVersion) -> None:
    if row.status == "refused":
        raise Conflict(f"模型 {row.label} 已被拒收，不能晋升：{row.problem}")
    if row.status == "retired":
        raise Conflict(f"模型 {row.label} 已停用，不能晋升")
    if row.status == "promoted":
        raise Conflict(f"模型 {row.label} 已是 {row.pair} 的现用模型")


def _gate_result(
    settings: Settings,
    evaluator: gate.Evaluator,
    row: ModelVersion,
    card: ModelCard,
    incumbent: ModelVersion | None,
) -> dict[str, Any]:
    margin = settings.promotion_margin_chrf
    split = read_split(card)
    current = None
    if incumbent is not None:
        current = (
            incumbent.id,
            incumbent.label,
            _card_of(settings, incumbent),
            incumbent.card_sha256,
        )
    key = gate.cache_key(row.card_sha256, current[3] if current else "", split, margin)
    if gate.reusable(row.gate_result, key):
        return dict(row.gate_result or {})
    return gate.run_gate(evaluator, card, row.card_sha256, split, margin, current)


def _claim(session: Session, row: ModelVersion, previous: ModelVersion | None) -> None:
    """Make `row` the promoted version of its pair and `previous` a candidate, by
    conditional updates (of two admins acting at once, the second gets 409)."""
    if previous is not None and not repo.move(session, previous.id, "promoted", "candidate"):
        raise Conflict(f"{row.pair} 的现用模型刚刚被他人更改，请刷新后重试")
    if not repo.move(session, row.id, "candidate", "promoted"):
        raise Conflict(f"模型 {row.label} 的状态刚刚被他人更改，请刷新后重试")
    session.refresh(row)
    if previous is not None:
        session.refresh(previous)


def _point_to(settings: Settings, card: ModelCard) -> None:
    """Rewrite the pointer file, last: the engine serves what it names. Should the commit
    fail after this, the next sync finds the pointer and records it (audited)."""
    try:
        engine_service.promote(models_root(settings), card)
    except (OSError, ValueError) as exc:
        raise Conflict(f"无法写入模型指针文件：{exc}") from None


def promote(
    session: Session,
    settings: Settings,
    admin: User,
    name: str,
    version: str,
    force_reason: str | None = None,
    *,
    evaluator: gate.Evaluator | None = None,
) -> PromotionOutcome:
    """Run the gate and promote when the version beats the retrieval baseline and the
    promoted model by ``settings.promotion_margin_chrf`` chrF points. With `force_reason`
    (at least 10 characters, else 422) an admin promotes it anyway; the reason is stored and
    audited. Refused folders, retired and already promoted versions → 409."""
    _require_admin(admin)
    reason = _check_reason(force_reason)
    refresh_registry(session, settings, admin)
    row = get_version(session, name, version)
    _promotable(row)
    card = _card_of(settings, row)
    incumbent = repo.promoted_for(session, row.pair)
    result = _gate_result(
        settings, evaluator or gate.training_evaluator(session), row, card, incumbent
    )
    row.gate_result = result
    forced = not result["passed"] and reason is not None
    details: dict[str, Any] = {
        "decision": "forced" if forced else result["decision"],
        "margin_chrf": result.get("margin_chrf"),
        "candidate": result.get("candidate"),
        "baseline": result.get("baseline"),
        "incumbent": result.get("incumbent"),
        "test_sha256": result.get("test_sha256"),
    }
    if not result["passed"] and not forced:
        session.flush()
        record(
            session,
            _actor(admin),
            "model.promote.refused",
            "model_version",
            row.id,
            details=details,
        )
        return PromotionOutcome(row, False, False, result, incumbent)
    _claim(session, row, incumbent)
    row.previous_id = incumbent.id if incumbent else None
    row.promoted_by, row.promoted_at = admin.id, utcnow()
    row.forced = forced
    row.force_reason = reason if forced and reason is not None else ""
    session.flush()
    if forced and reason is not None:
        details["reason_sha256"] = hashlib.sha256(reason.encode()).hexdigest()
    record(
        session,
        _actor(admin),
        "model.promote",
        "model_version",
        row.id,
        details={
            **details,
            "name": row.name,
            "version": row.version,
            "pair": row.pair,
            "card_sha256": row.card_sha256,
            "previous_id": row.previous_id,
            "forced": forced,
        },
    )
    _point_to(settings, card)
    return PromotionOutcome(row, True, forced, result, incumbent)


def rollback_target(session: Session, current: ModelVersion) -> ModelVersion | None:
    """The version promoted before `current` that may serve again: follow the chain of
    previously promoted versions past retired and refused ones."""
    seen = {current.id}
    step = current.previous_id
    while step is not None and step not in seen:
        seen.add(step)
        row = repo.get(session, step)
        if row is None:
            return None
        if row.status == "candidate":
            return row
        step = row.previous_id
    return None


def rollback(session: Session, settings: Settings, admin: User, pair: str) -> ModelVersion:
    """Promote again the version that served `pair` before the current one (no gate: it was
    promoted before). The current one becomes a candidate. Audited; returns the restored one."""
    _require_admin(admin)
    refresh_registry(session, settings, admin)
    current = repo.promoted_for(session, pair)
    if current is None:
        raise Conflict(f"{pair} 没有现用模型，无法回滚", field="pair")
    target = rollback_target(session, current)
    if target is None:
        raise Conflict(f"{current.label} 之前没有可恢复的模型版本", field="pair")
    card = _card_of(settings, target)
    _claim(session, target, current)
    target.promoted_by, target.promoted_at = admin.id, utcnow()
    session.flush()
    record(
        session,
        _actor(admin),
        "model.rollback",
        "model_version",
        target.id,
        details={
            "pair": pair,
            "from_id": current.id,
            "from_card_sha256": current.card_sha256,
            "to_id": target.id,
            "to_card_sha256": target.card_sha256,
        },
    )
    _point_to(settings, card)
    return target


def retire(
    session: Session, settings: Settings, admin: User, name: str, version: str
) -> ModelVersion:
    """Set a candidate aside for good (never promoted or rolled back to). The promoted
    version must first be replaced or rolled back (409)."""
    _require_admin(admin)
    refresh_registry(session, settings, admin)
    row = get_version(session, name, version)
    if row.status == "promoted":
        raise Conflict(f"模型 {row.label} 正在使用，请先回滚或晋升其他版本")
    if row.status != "candidate" or not repo.move(session, row.id, "candidate", "retired"):
        raise Conflict(f"模型 {row.label} 的状态为 {row.status}，不能停用")
    session.refresh(row)
    record(
        session,
        _actor(admin),
        "model.retire",
        "model_version",
        row.id,
        details={"name": row.name, "version": row.version, "card_sha256": row.card_sha256},
    )
    return row
