"""Following, cancelling and retrying jobs, whichever runner holds them: the in-process
runner (closures) or the queued-jobs table.

Who sees a job: an admin; for a job about a case, whoever may see that case (a colleague
follows the processing of a file someone else uploaded); otherwise its owner. Who may
cancel or retry it: its owner, an admin, or the case's staff (lead prosecutor, assistant,
clerk). A job the caller may not see is reported as missing (404).
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from interp_service.cases.access import case_roles_of, may_see_case, visible_case_ids
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, Forbidden, NotFound
from interp_service.jobs import queue, repository
from interp_service.jobs.base import JobRunner
from interp_service.jobs.schemas import JobOut
from interp_service.users.orm import User

LIST_LIMIT = 200  # newest queued jobs listed; older ones stay reachable by id


CASE_STAFF = frozenset({"lead_prosecutor", "assistant", "clerk"})


def _may_see(session: Session, user: User, owner_id: int | None, case_id: int | None) -> bool:
    if user.has_role("admin"):
        return True
    if case_id is not None:
        return may_see_case(session, user, case_id)
    return owner_id == user.id


def _require_may_act(session: Session, user: User, job: JobOut) -> None:
    if user.has_role("admin") or job.owner_id == user.id:
        return
    if job.case_id is not None and case_roles_of(session, job.case_id, user.id) & CASE_STAFF:
        return
    raise Forbidden("只有发起人、本案办案人员或管理员可以取消或重试该任务")


def find(session: Session, runner: JobRunner, user: User, job_id: str) -> JobOut:
    """The job as the caller may see it; NotFound otherwise."""
    info = runner.get(job_id)
    if info is not None:
        if _may_see(session, user, info.owner_id, info.case_id):
            return JobOut.of(info)
        raise NotFound("任务不存在")
    row = repository.get(session, job_id)
    if row is None or not _may_see(session, user, row.owner_id, row.case_id):
        raise NotFound("任务不存在")
    return JobOut.of_queued(row)


def list_jobs(session: Session, runner: JobRunner, user: User) -> list[JobOut]:
    """The caller's jobs (an admin's: everyone's), newest first."""
    admin = user.has_role("admin")
    cases = visible_case_ids(session, user)
    owner = None if admin else user.id
    jobs = [
        JobOut.of(info)
        for info in runner.list(owner)
        if cases is None or info.case_id is None or info.case_id in cases
    ]
    jobs += [
        JobOut.of_queued(row) for row in repository.list_visible(session, owner, cases, LIST_LIMIT)
    ]
    return sorted(jobs, key=lambda j: j.created_at, reverse=True)


def cancel(session: Session, runner: JobRunner, user: User, job_id: str) -> JobOut:
    """Ask the job to stop: a queued job not yet started is cancelled at once, a running
    one stops at its next progress report; a finished job is left as it is."""
    found = find(session, runner, user, job_id)
    _require_may_act(session, user, found)
    if runner.get(job_id) is not None:
        info = runner.cancel(job_id)
        assert info is not None
        return JobOut.of(info)
    repository.request_cancel(session, found.id, utcnow())
    return find(session, runner, user, job_id)


def retry(session: Session, runner: JobRunner, user: User, job_id: str) -> JobOut:
    """Queue a failed or cancelled queued job again (Conflict for any other)."""
    found = find(session, runner, user, job_id)
    _require_may_act(session, user, found)
    if not found.can_retry:
        raise Conflict("只有失败或已取消的排队任务可以重试")
    queue.retry(session, job_id)
    return find(session, runner, user, job_id)


def snapshot(factory: sessionmaker[Session], runner: JobRunner, job_id: str) -> JobOut | None:
    """The job's current state, read afresh (the event stream's poll; access was checked
    when the stream opened)."""
    info = runner.get(job_id)
    if info is not None:
        return JobOut.of(info)
    with factory() as session:
        row = repository.get(session, job_id)
        return None if row is None else JobOut.of_queued(row)
