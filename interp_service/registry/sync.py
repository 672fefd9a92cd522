"""Keep the registry in step with the models folder: register new folders, refuse broken
ones, and follow the pointer file (the engine serves what it names, so the registry's
`promoted` status is corrected to match it, and the correction is audited)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.config import Settings
from interp_service.db.base import utcnow
from interp_service.engine.cards import ModelCard, scan_cards
from interp_service.engine.errors import ModelLoadError
from interp_service.engine.service import read_promoted
from interp_service.registry import repository as repo
from interp_service.registry.folders import card_facts, unverified_card
from interp_service.registry.orm import NAME_CHARS, VERSION_CHARS, ModelVersion


@dataclass
class SyncReport:
    """Labels (``name@version``) of what this sync changed, and pointer-file trouble."""

    registered: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    promoted: list[str] = field(default_factory=list)
    demoted: list[str] = field(default_factory=list)
    pointer_problem: str = ""


def models_root(settings: Settings) -> Path:
    """Where the service's own models live: ``<data>/models`` (folders under ``mt/``)."""
    return settings.trained_models_dir


def _audit(
    session: Session, actor: Actor, action: str, row: ModelVersion, **details: object
) -> None:
    record(
        session,
        actor,
        action,
        "model_version",
        row.id,
        details={
            "name": row.name,
            "version": row.version,
            "pair": row.pair,
            "folder": row.folder,
            "card_sha256": row.card_sha256,
            **details,
        },
    )


def _take_card(row: ModelVersion, card: ModelCard) -> None:
    facts = card_facts(card.folder)
    row.task, row.name, row.version, row.pair = card.task, card.name, card.version, card.pair
    row.card_sha256, row.parent, row.data_hash = facts.card_sha256, facts.parent, facts.data_hash
    row.metrics = finite(card.metrics)


def finite(metrics: Mapping[str, float]) -> dict[str, float]:
    """The card's metrics that JSON (and PostgreSQL) can hold: NaN and infinities left out."""
    return {k: float(v) for k, v in metrics.items() if math.isfinite(v)}


def _refuse(
    session: Session, actor: Actor, row: ModelVersion, reason: str, report: SyncReport
) -> None:
    was = row.status
    row.status, row.problem = "refused", reason
    session.flush()
    _audit(session, actor, "model.refuse", row, previous_status=was)
    report.refused.append(row.label)


def _valid(
    session: Session, actor: Actor, card: ModelCard, row: ModelVersion | None, report: SyncReport
) -> None:
    folder = card.folder.name
    sha = card_facts(card.folder).card_sha256
    holder = repo.holder_of(session, card.name, card.version, folder)
    duplicate = (
        f"{card.name}@{card.version} 已由文件夹 {holder.folder} 登记；同名同版本的模型不能再登记"
        if holder is not None
        else ""
    )
    if row is None:
        row = ModelVersion(folder=folder, status="refused" if duplicate else "candidate")
        _take_card(row, card)
        row.problem = duplicate
        if duplicate:
            row.card_sha256 = ""  # never registered as valid: may register once freed
        session.add(row)
        session.flush()
        _audit(session, actor, "model.refuse" if duplicate else "model.register", row)
        (report.refused if duplicate else report.registered).append(row.label)
        return
    if row.status != "refused":
        if row.card_sha256 != sha:
            _refuse(
                session,
                actor,
                row,
                f"card.toml 在登记后被改动（登记时 SHA-256 {row.card_sha256[:12]}…）；"
                "请以新的文件夹和版本号重新训练或复制",
                report,
            )
        return
    # A refused folder that reads whole again: registered (again) unless its card changed
    # after it had been registered as valid, or its name and version are taken.
    if row.card_sha256 not in ("", sha):
        return
    if duplicate:
        row.problem = duplicate
        return
    _take_card(row, card)
    row.status, row.problem = "candidate", ""
    session.flush()
    _audit(session, actor, "model.register", row, previously_refused=True)
    report.registered.append(row.label)


def _broken(
    session: Session,
    actor: Actor,
    folder: Path,
    reason: str,
    row: ModelVersion | None,
    report: SyncReport,
) -> None:
    if row is None:
        card = unverified_card(folder)
        row = ModelVersion(
            folder=folder.name,
            task=card.task if card else "mt",
            name=card.name[:NAME_CHARS] if card else folder.name[:NAME_CHARS],
            version=card.version[:VERSION_CHARS] if card else "",
            pair=card.pair if card else "",
            status="refused",
            problem=reason,
            metrics=finite(card.metrics) if card else {},
        )
        session.add(row)
        session.flush()
        _audit(session, actor, "model.refuse", row, previous_status=None)
        report.refused.append(row.label)
    elif row.status != "refused":
        _refuse(session, actor, row, reason, report)
    elif row.problem != reason:
        row.problem = reason


def _follow_pointer(session: Session, actor: Actor, root: Path, report: SyncReport) -> None:
    try:
        pointers = read_promoted(root)
    except ModelLoadError as exc:
        report.pointer_problem = str(exc)
        return
    rows = repo.by_folder(session)
    for row in repo.promoted_rows(session):
        if pointers.get(row.pair) != row.folder:
            row.status = "candidate"
            session.flush()
            _audit(session, actor, "model.demote.detected", row, pointer=pointers.get(row.pair))
            report.demoted.append(row.label)
    for pair, folder in sorted(pointers.items()):
        named = rows.get(folder)
        if named is None or named.pair != pair or named.status not in ("candidate", "retired"):
            continue
        current = repo.promoted_for(session, pair)
        named.status = "promoted"
        named.previous_id = current.id if current is not None else named.previous_id
        named.promoted_by, named.promoted_at = None, utcnow()
        if current is not None:
            current.status = "candidate"
        session.flush()
        _audit(session, actor, "model.promote.detected", named, previous_id=named.previous_id)
        report.promoted.append(named.label)


def sync(session: Session, settings: Settings, actor: Actor) -> SyncReport:
    """Bring the registry in line with ``<data>/models/mt/`` in the caller's transaction:
    new folders are registered (candidates, or refused with the engine's reason when their
    card or files are broken); registered folders that broke or vanished are refused; a
    refused folder that reads whole again with its registered card becomes a candidate; the
    pointer file decides which version is `promoted`. Every change is audited as `actor`."""
    root = models_root(settings)
    cards, broken = scan_cards(root)
    rows = repo.by_folder(session)
    report = SyncReport()
    seen: set[str] = set()
    for card in cards:
        seen.add(card.folder.name)
        row = rows.get(card.folder.name)
        if len(card.name) > NAME_CHARS or len(card.version) > VERSION_CHARS:
            reason = f"名称或版本号过长（上限 {NAME_CHARS} / {VERSION_CHARS} 个字符）"
            _broken(session, actor, card.folder, reason, row, report)
        else:
            _valid(session, actor, card, row, report)
    for folder, reason in broken:
        seen.add(folder.name)
        _broken(session, actor, folder, reason, rows.get(folder.name), report)
    for name, row in rows.items():
        if name not in seen and row.status != "refused":
            _refuse(session, actor, row, "模型文件夹已不存在", report)
    _follow_pointer(session, actor, root, report)
    return report
