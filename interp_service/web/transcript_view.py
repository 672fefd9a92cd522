"""What the transcript pages show besides the rows themselves: the upload directions an
interview offers, a transcript's processing as its job tells it (for callers who may follow
the job), the notices after a redirect, and the segment form read back into the API shape.
No routes here; `pages_transcripts.py` renders with these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.cases.orm import Party
from interp_service.errors import NotFound
from interp_service.jobs import service as jobs
from interp_service.jobs.base import FINAL_STATES, JobRunner
from interp_service.jobs.schemas import JobOut
from interp_service.transcripts.forms import LANGUAGES
from interp_service.transcripts.orm import Transcript
from interp_service.users.orm import User
from interp_service.web.labels import LANGUAGES as LANGUAGE_NAMES

CHINESE = "cmn"
RUNNING = ("queued", "running")


@dataclass(frozen=True)
class Processing:
    """A transcript's processing as shown: `state` is a transcript state (queued, processing,
    ready, failed, cancelled); `job` is set when the caller may follow the job (its owner or
    an admin), and `live` when that job is still queued or running."""

    state: str
    error: str
    job: JobOut | None

    @property
    def live(self) -> bool:
        return self.job is not None and self.job.state in RUNNING

    @property
    def percentage(self) -> float:
        return 0.0 if self.job is None else round(self.job.fraction * 100, 1)

    @property
    def percent_text(self) -> str:
        """As transcripts.js writes it: one decimal, a whole 100 when done."""
        return "100 %" if self.percentage >= 100 else f"{self.percentage:.1f} %"

    @property
    def can_cancel(self) -> bool:
        return self.live and self.job is not None and not self.job.cancel_requested

    @property
    def can_retry(self) -> bool:
        return self.job is not None and self.job.can_retry


def processing(session: Session, runner: JobRunner, user: User, item: Transcript) -> Processing:
    """The transcript's state, corrected by its job where the two differ for a while (a
    job retried but not yet started, a queued job cancelled before it ran)."""
    job = None
    if item.job_id:
        try:
            job = jobs.find(session, runner, user, item.job_id)
        except NotFound:  # someone else's job: the transcript's own state is shown
            job = None
    state, error = item.state, item.error
    if job is not None:
        if job.state == "queued":
            state = "queued"
        elif job.state == "running":
            state = "processing"
        elif job.state in FINAL_STATES and item.state in ("queued", "processing"):
            state = {"succeeded": "processing", "failed": "failed"}.get(job.state, "cancelled")
        if state in ("failed", "cancelled") and not error:
            error = job.error
    return Processing(state, error, job)


def directions(party: Party | None) -> dict[str, str]:
    """Upload directions as `source-target` → label: to and from the party's language when
    transcripts support it, else every supported pair with Chinese."""
    others = sorted(LANGUAGES - {CHINESE})
    if party is not None and party.language in others:
        others = [party.language]
    out: dict[str, str] = {}
    for other in others:
        out[f"{CHINESE}-{other}"] = f"{_name(CHINESE)} → {_name(other)}"
        out[f"{other}-{CHINESE}"] = f"{_name(other)} → {_name(CHINESE)}"
    return out


def _name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def with_direction(posted: FormData) -> FormData:
    """The upload form with `direction` (`source-target`) as the two language fields the
    transcript form reads; without one, the form's own fields (or their defaults) stand."""
    direction = posted.get("direction")
    if not isinstance(direction, str) or "-" not in direction:
        return posted
    source, target = direction.split("-", 1)
    kept = [
        (k, v) for k, v in posted.multi_items() if k not in ("source_language", "target_language")
    ]
    return FormData([*kept, ("source_language", source), ("target_language", target)])


def segment_fields(values: Mapping[str, str]) -> dict[str, Any]:
    """A segment row's form as `SegmentEditIn` data: the 已核对 checkbox is sent only when
    ticked, so its absence means not reviewed; a text field missing from the form is left
    as it is."""
    data: dict[str, Any] = {"version": values.get("version", ""), "reviewed": "reviewed" in values}
    for name in ("source_text", "speaker_label", "translation_text"):
        if name in values:
            data[name] = values[name]
    return data


def restore_lines(posted: FormData) -> list[str]:
    """The ticked line numbers of the restore form, as sent."""
    return [v for v in posted.getlist("lines") if isinstance(v, str)]


def _count(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def notice(params: Mapping[str, str]) -> str:
    """The message after a redirect (query parameters written by the page routes)."""
    submitted, skipped = _count(params, "submitted"), _count(params, "skipped")
    if submitted is not None:
        text = f"已提交 {submitted} 个已核对段落至翻译记忆审核。"
        if skipped:
            text += f"另有 {skipped} 个已核对段落没有人工确认的译文，未提交。"
        return text
    restored = _count(params, "restored")
    if restored is not None:
        return f"已恢复 {restored} 行，笔录正在重新处理。"
    if _count(params, "saved") is not None:
        return "段落已保存。"
    if "speaker" in params:
        return "说话人身份已确认。"
    if "finished" in params:
        return "处理已经结束，无需取消。"
    if "cancelled" in params:
        return "已请求取消处理。"
    if "retried" in params:
        return "已重新排队处理。"
    if _count(params, "existing") is not None:
        return "该文件已上传过，下面列出的是已有的笔录。"
    if _count(params, "uploaded") is not None:
        return "笔录已上传，正在处理。"
    return ""
