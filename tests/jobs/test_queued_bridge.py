"""The pieces under the queue: the ETA estimate, and the bridge that lets job threads run
coroutines on the loop the translation engine serves from."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from interp_service.db.base import utcnow
from interp_service.jobs.loop_bridge import LoopBridge
from interp_service.jobs.schemas import eta_seconds


def test_eta_is_the_pace_so_far() -> None:
    now = utcnow()
    assert eta_seconds("running", now - timedelta(seconds=10), 1, 4, now) == 30.0
    assert eta_seconds("running", now, 0, 4, now) is None
    assert eta_seconds("succeeded", now - timedelta(seconds=10), 4, 4, now) is None


def test_loop_bridge_runs_coroutines_from_other_threads() -> None:
    bridge = LoopBridge.background()

    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    async def nested() -> int:
        return bridge.run(answer())

    try:
        assert bridge.run(answer(), timeout=30) == 42
        with pytest.raises(RuntimeError, match="own loop"):
            bridge.run(nested(), timeout=30)
    finally:
        bridge.detach()
    with pytest.raises(RuntimeError, match="no event loop"):
        bridge.run(answer())
