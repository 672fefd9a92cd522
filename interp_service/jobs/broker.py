"""The Redis side of queued jobs: a Dramatiq `RedisBroker` and its one actor,
`run_queued_job(job_id)`. The message carries only the job id; the row holds the rest.

Why Dramatiq: the message is acknowledged only after the actor returns, and the Redis broker
gives a killed worker's unacknowledged messages to another worker (below), which is what a
job of an hour of audio needs; it is small, typed, and its workers are plain threads. Celery
acknowledges early by default, needs more configuration to be safe here and brings far more
than we use; RQ runs one job per forked process and relies on its own job registry for
crash recovery. Job state stays in our database either way, so the broker is replaceable.

Redelivery (dramatiq/brokers/redis.py and redis/dispatch.lua): a worker moves each message
it fetches into its own acks set and every command it sends records a heartbeat for the
worker. A small share of commands (`queue_maintenance_chance`) also runs maintenance: the
unacknowledged messages of workers without a heartbeat for `queue_heartbeat_s` go back on
the queue. An idle worker polls about once a second, so a killed worker's job starts again
roughly heartbeat + 1 / (chance x idle workers) seconds after the kill. A live worker keeps
beating while it runs a job (its delay-queue consumer polls), but a task holding the GIL
longer than the heartbeat timeout would be taken for dead: the row's own heartbeat and the
claim in execution.py then keep the second delivery from running it twice.
"""

from __future__ import annotations

from collections.abc import Callable

import redis
from dramatiq import Actor
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.middleware import Retries

from interp_service.config import Settings

QUEUE_NAME = "queued-jobs"
ACTOR_NAME = "run_queued_job"
# A message is retried (after a delay) only when running it could not even start: the
# database was unreachable, or the job is still running in a live process.
MAX_RETRIES = 20


def make_broker(settings: Settings) -> RedisBroker:
    """A broker on `settings.redis_url`, keys prefixed by `settings.queue_namespace`."""
    heartbeat_ms = int(settings.queue_heartbeat_s * 1000)
    return RedisBroker(  # type: ignore[no-untyped-call]
        url=settings.redis_url,
        namespace=settings.queue_namespace,
        heartbeat_timeout=heartbeat_ms,
        maintenance_chance=max(1, round(settings.queue_maintenance_chance * MAINTENANCE_SCALE)),
        # No TimeLimit (a job may run for hours; cancellation goes through the row) and no
        # AgeLimit; Retries only for a run that could not start.
        middleware=[
            Retries(
                max_retries=MAX_RETRIES,
                min_backoff=heartbeat_ms,
                max_backoff=max(heartbeat_ms, 3_600_000),
            )
        ],
    )


def declare_actor(broker: RedisBroker, run: Callable[[str], None]) -> Actor[[str], None]:
    return Actor(
        run, broker=broker, actor_name=ACTOR_NAME, queue_name=QUEUE_NAME, priority=0, options={}
    )


def _not_here(job_id: str) -> None:
    raise RuntimeError("queued jobs run in `interp-service worker` processes")


class DramatiqDispatcher:
    """Sends each committed job to the Redis queue."""

    name = "dramatiq"

    def __init__(self, settings: Settings, actor: Actor[[str], None] | None = None) -> None:
        self.broker: RedisBroker
        if actor is None:
            self.broker = make_broker(settings)
            actor = declare_actor(self.broker, _not_here)
        else:
            assert isinstance(actor.broker, RedisBroker)
            self.broker = actor.broker
        self._actor = actor

    def dispatch(self, job_id: str) -> None:
        self._actor.send(job_id)

    def status(self) -> dict[str, object]:
        """Readiness: Redis answers (the workers themselves are not visible from here)."""
        try:
            self.broker.client.ping()
        except redis.RedisError as exc:
            return {"ready": False, "queue": self.name, "error": type(exc).__name__}
        return {"ready": True, "queue": self.name}

    def shutdown(self) -> None:
        self.broker.close()
        self.broker.client.close()
