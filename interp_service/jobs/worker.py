"""Worker processes for queued jobs on Redis: `run_worker(settings, processes, threads)`.

Each process builds its own services (database, evidence store, translation engine on a
background event loop, speech models), imports every task module (`tasks.TASK_MODULES`) and
runs a Dramatiq worker with `threads` threads on the one queue. A process fetches no more
messages than it has threads, so a waiting job stays on the queue for an idle worker.

SIGTERM or SIGINT stops a process: a running job is interrupted at its next progress report
and goes back on the queue for another worker. One that does not report within
`shutdown_timeout_s` seconds is left unacknowledged and, once the heartbeat timeout passes,
another worker runs it again from the start (tasks are idempotent). With several processes
the parent forwards the signal, and stops the others when one dies (a process supervisor
restarts the whole).

Also runnable as `python -m interp_service.jobs.worker [--processes N] [--threads N]`.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import signal
import sys
import threading
from collections.abc import Sequence
from multiprocessing.connection import wait as wait_for_exit
from types import FrameType

from dramatiq import Worker
from dramatiq.errors import Retry

from interp_service.config import Settings
from interp_service.jobs.broker import QUEUE_NAME, DramatiqDispatcher, declare_actor, make_broker
from interp_service.jobs.environment import build_services
from interp_service.jobs.execution import JobRunningElsewhere, execute
from interp_service.jobs.loop_bridge import LoopBridge
from interp_service.jobs.queue import install_queue, installed_dispatcher, uninstall_queue
from interp_service.jobs.tasks import TaskEnv, load_task_modules

log = logging.getLogger(__name__)

READY_LINE = "worker ready"


def _run_message(env: TaskEnv, stopping: threading.Event, job_id: str) -> None:
    try:
        state = execute(env, job_id, stopping)
    except JobRunningElsewhere:
        # Delivered again while its first run is alive (a worker taken for dead): look
        # again after a heartbeat timeout; by then it has finished or truly died.
        raise Retry(delay=int(env.settings.queue_heartbeat_s * 1000)) from None
    if state == "queued":  # interrupted by this worker's shutdown: another worker takes it
        installed = installed_dispatcher(env.session_factory)
        assert installed is not None
        installed.dispatch(job_id)


def _serve(
    settings: Settings, threads: int, task_modules: Sequence[str], shutdown_timeout_s: float
) -> int:
    """One worker process, until SIGTERM or SIGINT; the exit status."""
    load_task_modules(task_modules)
    services = build_services(settings)
    bridge = LoopBridge.background()
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        bridge.run(services.translation_engine.refresh())
        env = TaskEnv(services, bridge)
        broker = make_broker(settings)

        def run_queued_job(job_id: str) -> None:
            _run_message(env, stop, job_id)

        actor = declare_actor(broker, run_queued_job)
        install_queue(env, DramatiqDispatcher(settings, actor))
        worker = Worker(broker, queues={QUEUE_NAME}, worker_threads=threads)
        worker.queue_prefetch = threads
        worker.start()
        log.info("%s: %d thread(s) on %s", READY_LINE, threads, QUEUE_NAME)
        print(READY_LINE, flush=True)
        stop.wait()
        worker.stop(timeout=int(shutdown_timeout_s * 1000))
        uninstall_queue(services.session_factory)
    finally:
        bridge.run(services.translation_engine.close())
        bridge.detach()
        services.job_runner.shutdown()
        services.database.dispose()
    return 0


def _child(
    settings: Settings, threads: int, task_modules: tuple[str, ...], shutdown_timeout_s: float
) -> None:
    _configure_logging()
    sys.exit(_serve(settings, threads, task_modules, shutdown_timeout_s))


def run_worker(
    settings: Settings,
    processes: int = 1,
    threads: int = 1,
    *,
    task_modules: Sequence[str] = (),
    shutdown_timeout_s: float = 30.0,
) -> int:
    """Run `processes` worker processes of `threads` threads each until stopped; returns
    the exit status (2 when no Redis URL is configured)."""
    if not settings.redis_url:
        print("未设置 INTERP_REDIS_URL：没有可用的任务队列", file=sys.stderr)
        return 2
    if processes <= 1:
        return _serve(settings, threads, task_modules, shutdown_timeout_s)
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(
            target=_child,
            args=(settings, threads, tuple(task_modules), shutdown_timeout_s),
            name=f"interp-worker-{n}",
        )
        for n in range(processes)
    ]
    stopping = threading.Event()

    def forward(signum: int, _frame: FrameType | None) -> None:
        stopping.set()
        for child in children:
            if child.is_alive():
                child.terminate()  # SIGTERM: the child stops gracefully

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        child.start()
    wait_for_exit([child.sentinel for child in children])
    if not stopping.is_set():
        log.error("a worker process ended; stopping the others")
        forward(signal.SIGTERM, None)
    for child in children:
        child.join()
    return max(abs(child.exitcode or 0) for child in children) if not stopping.is_set() else 0


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="interp_service.jobs.worker", description=__doc__)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--import",
        dest="modules",
        action="append",
        default=[],
        help="another module defining tasks (tests)",
    )
    parser.add_argument("--shutdown-timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    _configure_logging()
    return run_worker(
        Settings(),
        args.processes,
        args.threads,
        task_modules=args.modules,
        shutdown_timeout_s=args.shutdown_timeout,
    )


if __name__ == "__main__":
    sys.exit(main())
