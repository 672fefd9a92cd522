"""Run coroutines from job threads on one asyncio event loop.

The translation engine is asyncio based (its micro-batchers live on the loop that created
them), while jobs run on plain threads. A `LoopBridge` hands a coroutine to that loop and
waits for its result. In the web process it is attached to the server's own loop (in the
lifespan); in a worker process it runs its own loop on a background thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopBridge:
    """A handle on one event loop that other threads submit coroutines to."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @classmethod
    def background(cls) -> LoopBridge:
        """A bridge with its own loop on a daemon thread (worker processes)."""
        bridge = cls()
        bridge.start()
        return bridge

    def start(self) -> None:
        """Start an own loop on a background thread (no-op when one is set)."""
        with self._lock:
            if self._loop is not None:
                return
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def serve() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

            thread = threading.Thread(target=serve, name="job-loop", daemon=True)
            thread.start()
            ready.wait()
            self._loop, self._thread = loop, thread

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Use a loop someone else runs (the web server's, set in the lifespan)."""
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("this bridge runs its own loop")
            self._loop = loop

    def detach(self) -> None:
        """Forget an attached loop, or stop the own one (waits for its thread to end)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if thread is not None and loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the loop and return its result, waiting at most `timeout` seconds
        (TimeoutError after it, and the coroutine is cancelled). Must not be called on the
        loop's own thread, which would wait on itself."""
        loop = self._loop
        if loop is None or loop.is_closed():
            coro.close()
            raise RuntimeError("no event loop attached to this bridge")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            coro.close()
            raise RuntimeError("LoopBridge.run called on its own loop's thread")
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise
