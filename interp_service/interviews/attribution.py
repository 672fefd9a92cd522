"""The statements the record makes about people: who interpreted, who typed, who declared
(and who entered each declaration), who stated the read-back, and the notes under an
exchange (notice citation, explained terms, language confirmation). Every line names what
the database holds and says "未记录" rather than guess."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.cases.orm import Assignment, ExternalInterpreter, Party
from interp_service.evidence.orm import EvidenceFile
from interp_service.interviews.orm import Exchange, Interview
from interp_service.interviews.record import format_beijing, language_label
from interp_service.interviews.rendering import unexplained_terms
from interp_service.users.orm import User

EXTERNAL_MARK = "（外聘）"
ART_122 = "《中华人民共和国刑事诉讼法》第一百二十二条"
ART_126 = "第一百二十六条"


class People:
    """Names of users and external interpreters, looked up once each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._users: dict[int, str] = {}
        self._externals: dict[int, ExternalInterpreter | None] = {}

    def user(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        if user_id not in self._users:
            user = self.session.get(User, user_id)
            self._users[user_id] = (user.display_name or user.username) if user else ""
        return self._users[user_id]

    def external(self, external_id: int | None) -> ExternalInterpreter | None:
        if external_id is None:
            return None
        if external_id not in self._externals:
            self._externals[external_id] = self.session.get(ExternalInterpreter, external_id)
        return self._externals[external_id]

    def interpreter(self, user_id: int | None, external_id: int | None) -> str:
        if user_id is not None:
            return self.user(user_id)
        external = self.external(external_id)
        return external.name + EXTERNAL_MARK if external is not None else ""


def interpreter_keys(exchanges: Sequence[Exchange], interview: Interview) -> list[tuple[str, int]]:
    """("user"|"external", id) of everyone who interpreted, in order of first appearance."""
    keys: list[tuple[str, int]] = []
    pairs = [(e.interpreter_id, e.external_interpreter_id) for e in exchanges]
    pairs.append((interview.read_back_interpreter_id, interview.read_back_external_interpreter_id))
    for user_id, external_id in pairs:
        key = ("user", user_id) if user_id is not None else ("external", external_id)
        if key[1] is not None and key not in keys:
            keys.append((key[0], int(key[1])))
    return keys


def recorder_ids(exchanges: Sequence[Exchange], interview: Interview) -> list[int]:
    """Accounts that typed what the record holds, in order of first appearance."""
    ids: list[int] = []
    for e in exchanges:
        for user_id in (e.created_by, e.recorded_by):
            if user_id is not None and user_id not in ids:
                ids.append(user_id)
    if interview.read_back_recorded_by is not None and interview.read_back_recorded_by not in ids:
        ids.append(interview.read_back_recorded_by)
    return ids


def declaration_lines(
    session: Session, people: People, case_id: int, keys: list[tuple[str, int]]
) -> list[str]:
    """One line per interpreter of the record: what they declared, and who entered it."""
    lines = []
    for kind, ident in keys:
        if kind == "user":
            assignment = session.scalar(
                select(Assignment)
                .where(
                    Assignment.case_id == case_id,
                    Assignment.user_id == ident,
                    Assignment.role_on_case == "interpreter",
                )
                .order_by(Assignment.id.desc())
            )
            name = people.user(ident)
            if assignment is None or assignment.conflict_declared is None:
                lines.append(f"译员 {name}：未记录利益冲突申报。")
                continue
            said = "存在利益冲突" if assignment.conflict_declared else "与本案无利害关系"
            when = (
                format_beijing(assignment.declared_at) if assignment.declared_at else "时间未记录"
            )
            by = (
                "本人登录提交"
                if assignment.declared_by == ident
                else ("录入人未记录" if assignment.declared_by is None else "由他人录入")
            )
            lines.append(f"译员 {name}：申报{said}（{when}，{by}）。")
        else:
            external = people.external(ident)
            if external is None:
                continue
            if external.conflict_declared is None:
                lines.append(f"译员 {external.name}{EXTERNAL_MARK}：未记录利益冲突申报。")
                continue
            said = "存在利益冲突" if external.conflict_declared else "与本案无利害关系"
            when = format_beijing(external.declared_at) if external.declared_at else "时间未记录"
            form = (
                session.get(EvidenceFile, external.declaration_form_id)
                if external.declaration_form_id
                else None
            )
            form_text = f"，签名申报表 SHA-256 {form.sha256}" if form is not None else ""
            entered = people.user(external.declaration_entered_by) or "未记录"
            lines.append(
                f"译员 {external.name}{EXTERNAL_MARK}：书面申报{said}，"
                f"由 {entered} 代为录入（{when}{form_text}）。"
            )
    return lines


def read_back_line(
    people: People, interview: Interview, party: Party, is_interrogation: bool
) -> str:
    """The interpreter's read-back statement (CPL art. 122; art. 126 for witnesses)."""
    if interview.read_back_at is None:
        return ""
    interpreter = people.interpreter(
        interview.read_back_interpreter_id, interview.read_back_external_interpreter_id
    )
    language = language_label(party.language) + (f"（{party.variety}）" if party.variety else "")
    who = "被讯问人" if is_interrogation else "被询问人"
    basis = ART_122 if is_interrogation else f"{ART_122}、{ART_126}"
    recorder = people.user(interview.read_back_recorded_by) or "未记录"
    return (
        f"译员 {interpreter or '未记录'} 声明：本笔录已用{language}向{who}宣读（{basis}）。"
        f"由记录人 {recorder} 于 {format_beijing(interview.read_back_at)}（北京时间）录入。"
    )


def exchange_notes(people: People, exchange: Exchange) -> tuple[str, ...]:
    """Lines under an exchange: notice citation and oral interpretation, legal terms
    explained (or not), and a confirmed language contradiction."""
    notes: list[str] = []
    paths = {s.get("path") for s in exchange.receipt.get("sentences", [])}
    if exchange.phrase_entry_id is not None:
        basis = f"，依据：{exchange.legal_basis}" if exchange.legal_basis else ""
        notes.append(f"标准告知/问话（常用语 #{exchange.phrase_entry_id}{basis}）")
        if not paths <= {"memory-exact"}:
            notes.append("本条无核准的苗语译文，由译员口头翻译")
    explained = exchange.explained_terms or []
    if explained:
        terms = "、".join(str(e.get("text", "")) for e in explained)
        by = "、".join(dict.fromkeys(people.user(e.get("by")) for e in explained))
        notes.append(f"译员已口头解释的术语：{terms}（记录人 {by}）")
    still_open = unexplained_terms(exchange)
    if still_open:
        terms = "、".join(t["text"] for t in still_open)
        notes.append(f"无核准苗语术语、未记录解释的法律术语：{terms}")
    if exchange.language_confirmed:
        detected = (
            language_label(exchange.detected_language) if exchange.detected_language else "其他语言"
        )
        notes.append(f"系统识别此句原话为{detected}，记录人确认按所选方向记录")
    return tuple(notes)
