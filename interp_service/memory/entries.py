"""Entries of the memory and who may approve them: direct add, edit and retire by an admin
with competence in both sides' languages, and the one place where a pair becomes approved
(`settle`), shared with the review of submissions.

One approved entry per language pair, match key and target variety: a newer approved
translation of the same source retires the older one (its phrasebook code moves along).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from interp_service.memory import repository as repo
from interp_service.memory.orm import MAX_TEXT_CHARS, MemoryEntry, pair_key
from interp_service.memory.schemas import EntryCreate, EntryEdit, Retirement
from interp_service.translation.normalise import match_key
from interp_service.users.competence import require_competence
from interp_service.users.orm import User


def text_hash(text: str) -> str:
    """SHA-256 hex of a text (UTF-8); the audit trail keeps this, never the text."""
    return hashlib.sha256(text.encode()).hexdigest()


def source_key(text: str, language: str) -> str:
    key = match_key(text, language)
    if not key:
        raise ValidationFailed("原文为空或只有标点", field="source_text")
    if len(key) > MAX_TEXT_CHARS:
        raise ValidationFailed(f"原文过长（上限 {MAX_TEXT_CHARS} 字）", field="source_text")
    return key


def require_approver(user: User, *sides: tuple[str, str]) -> None:
    """Approvers are admins competent in every (language, variety) given (Chinese needs none)."""
    if not user.has_role("admin"):
        raise Forbidden("只有管理员可以批准翻译记忆")
    for language, variety in sides:
        require_competence(user, language, variety)


def entry_sides(entry: MemoryEntry) -> list[tuple[str, str]]:
    return [
        (entry.source_language, entry.source_variety),
        (entry.target_language, entry.target_variety),
    ]


def get_entry(session: Session, entry_id: int) -> MemoryEntry:
    entry = session.get(MemoryEntry, entry_id)
    if entry is None:
        raise NotFound("翻译记忆条目不存在")
    return entry


def entry_details(entry: MemoryEntry, **extra: Any) -> dict[str, Any]:
    return {
        "entry_id": entry.id,
        "status": entry.status,
        "source_sha256": text_hash(entry.source_text),
        "target_sha256": text_hash(entry.target_text),
        **extra,
    }


def stamp(entry: MemoryEntry, user: User) -> None:
    """Approved in `user`'s name when the target is not empty; a draft otherwise."""
    if entry.target_text:
        entry.status, entry.approved_by, entry.approved_at = "approved", user.id, utcnow()
    else:
        entry.status, entry.approved_by, entry.approved_at = "draft", None, None


def supersede(session: Session, old: MemoryEntry, new: MemoryEntry) -> None:
    """Retire `old` in favour of `new`; a phrasebook entry's code, title and legal basis
    move over, its recording too when the target text is unchanged."""
    old.status = "retired"
    if old.is_phrase and not new.is_phrase:
        new.is_phrase, new.phrase_category = True, old.phrase_category
        new.phrase_title, new.legal_basis = old.phrase_title, old.legal_basis
        if old.target_text == new.target_text and old.recording_sha256:
            new.recording_sha256 = old.recording_sha256
            new.recording_approved = old.recording_approved
            new.recording_consent = old.recording_consent
            new.recording_speaker = old.recording_speaker
            new.recording_approved_by = old.recording_approved_by
            new.recording_approved_at = old.recording_approved_at
        code, old.phrase_code = old.phrase_code, None
        session.flush()  # free the unique code before the new row takes it
        new.phrase_code = code


def _twin(session: Session, fields: dict[str, str], key: str) -> MemoryEntry | None:
    """The approved entry with the same pair of normalised sides as `fields`, if any."""
    wanted = pair_key(
        fields["source_language"],
        fields["source_variety"],
        fields["source_text"],
        fields["target_language"],
        fields["target_variety"],
        fields["target_text"],
    )
    for entry in repo.same_source(
        session,
        fields["source_language"],
        fields["target_language"],
        key,
        fields["target_variety"],
        status="approved",
    ):
        if entry.pair_key == wanted:
            return entry
    return None


def already_approved(twin: MemoryEntry) -> Conflict:
    return Conflict(
        f"相同的译文已核准（条目 {twin.id}），无需重复添加",
        field="target_text",
        entry_id=twin.id,
    )


def settle(
    session: Session,
    approver: User,
    fields: dict[str, str],
    *,
    replaces: MemoryEntry | None = None,
    refuse_existing: bool = False,
) -> tuple[MemoryEntry, list[int]]:
    """Make the pair in `fields` (languages, varieties, texts, origin) approved in the memory.

    A draft of the same source (a phrasebook entry) or the draft named by `replaces` is
    filled in; otherwise a new entry is made and any approved one of the same source (and
    `replaces`) retired, unless `refuse_existing` (direct adds), which answers 409 instead.
    Returns the entry and the ids retired.

    An approved twin (same normalised sides: `orm.pair_key`, unique among approved rows in
    the database) is returned as it is, even when another request approved it a moment ago:
    the INSERT that loses that race fails inside a savepoint and the winner is returned
    (409 for direct adds), so the caller's transaction stays usable.
    """
    key = source_key(fields["source_text"], fields["source_language"])
    same = [
        e
        for e in repo.same_source(
            session,
            fields["source_language"],
            fields["target_language"],
            key,
            fields["target_variety"],
        )
        if e.status != "retired" and (replaces is None or e.id != replaces.id)
    ]
    approved = [e for e in same if e.status == "approved"]
    if refuse_existing and approved:
        raise Conflict(
            f"该原文已有核准译文（条目 {approved[0].id}），请修改该条目",
            field="source_text",
            entry_id=approved[0].id,
        )
    if replaces is None:
        twin = _twin(session, fields, key) or next(
            (e for e in approved if e.target_text == fields["target_text"]), None
        )
        if twin is not None:
            # Another request may have approved it since `same` was read (READ COMMITTED).
            if refuse_existing:
                raise already_approved(twin)
            return twin, []
    drafts = [e for e in same if e.status == "draft"]
    entry: MemoryEntry | None = None
    if replaces is not None and replaces.status == "draft":
        entry = replaces
    elif replaces is None and drafts:
        entry = drafts[0]
    retired = [e for e in approved if e is not entry]
    if replaces is not None and replaces is not entry:
        retired.insert(0, replaces)
    # The entries it replaces leave the unique index before the new one enters it.
    for old in retired:
        old.status = "retired"
    session.flush()
    try:
        with session.begin_nested():
            if entry is None:
                entry = MemoryEntry(origin=fields.get("origin", "import"))
                session.add(entry)
            for name in ("source_language", "source_variety", "source_text"):
                setattr(entry, name, fields[name])
            for name in ("target_language", "target_variety", "target_text"):
                setattr(entry, name, fields[name])
            entry.source_key = key
            stamp(entry, approver)
            session.flush()
    except IntegrityError:
        twin = _twin(session, fields, key)
        if twin is None:
            raise
        if refuse_existing:
            raise already_approved(twin) from None
        return twin, []
    for old in retired:
        supersede(session, old, entry)
    session.flush()
    repo.bump_state(session)
    return entry, [e.id for e in retired]


def create_entry(session: Session, admin: User, data: EntryCreate) -> MemoryEntry:
    """An admin adds an approved pair (409 when the source already has one)."""
    require_approver(
        admin,
        (data.source_language, data.source_variety),
        (data.target_language, data.target_variety),
    )
    entry, _ = settle(session, admin, data.model_dump(), refuse_existing=True)
    record(
        session,
        Actor(admin.id, admin.username),
        "memory.entry.create",
        "memory_entry",
        entry.id,
        details=entry_details(entry),
    )
    return entry


def edit_entry(session: Session, admin: User, entry_id: int, data: EntryEdit) -> MemoryEntry:
    """An admin's direct change (a phrasebook entry's Miao side, a correction). The editor
    needs competence in both sides, before and after; a stale `version` answers 409."""
    entry = get_entry(session, entry_id)
    require_approver(admin, *entry_sides(entry))
    if entry.version != data.version:
        raise Conflict(
            "该条目已被他人修改，请刷新后再改", field="version", current_version=entry.version
        )
    if entry.status == "retired":
        raise Conflict("已停用的条目不能修改")
    changes = data.model_dump(exclude={"version"}, exclude_none=True)
    try:
        # In a savepoint: an approved twin committed meanwhile fails the unique index here.
        with session.begin_nested(), session.no_autoflush:  # one UPDATE, one version step
            if "target_text" in changes and changes["target_text"] != entry.target_text:
                # The recording said the old text: it must be heard and approved again.
                entry.recording_approved = False
                entry.recording_approved_by = entry.recording_approved_at = None
            for name, value in changes.items():
                setattr(entry, name, value)
            require_approver(admin, *entry_sides(entry))
            entry.source_key = source_key(entry.source_text, entry.source_language)
            others = repo.same_source(
                session,
                entry.source_language,
                entry.target_language,
                entry.source_key,
                entry.target_variety,
                status="approved",
            )
            if entry.target_text and any(e.id != entry.id for e in others):
                raise Conflict(
                    "该原文已有另一条核准译文，请改那一条或先停用它", field="source_text"
                )
            stamp(entry, admin)
            session.flush()
    except IntegrityError:
        raise Conflict(
            "该原文刚有另一条核准译文，请刷新后改那一条或先停用它", field="source_text"
        ) from None
    repo.bump_state(session)
    record(
        session,
        Actor(admin.id, admin.username),
        "memory.entry.edit",
        "memory_entry",
        entry.id,
        details=entry_details(entry, fields=sorted(changes)),
    )
    return entry


def retire_entry(session: Session, admin: User, entry_id: int, data: Retirement) -> MemoryEntry:
    """Take an entry out of lookup; it stays listed as retired."""
    entry = get_entry(session, entry_id)
    require_approver(admin, *entry_sides(entry))
    if data.version is not None and entry.version != data.version:
        raise Conflict(
            "该条目已被他人修改，请刷新后再改", field="version", current_version=entry.version
        )
    if entry.status == "retired":
        raise Conflict("该条目已停用")
    entry.status = "retired"
    session.flush()
    repo.bump_state(session)
    record(
        session,
        Actor(admin.id, admin.username),
        "memory.entry.retire",
        "memory_entry",
        entry.id,
        details=entry_details(entry),
    )
    return entry
