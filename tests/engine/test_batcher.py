"""The micro-batcher, driven by the fake translator.

Batches are made deterministic with gates (a batch blocks in its worker thread until the
test opens the gate), never with sleeps.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from interp_service.engine.backends import Hypothesis
from interp_service.engine.batcher import MicroBatcher
from interp_service.engine.errors import (
    EngineClosed,
    EngineError,
    EngineOverloaded,
    EngineTimeout,
)
from interp_service.engine.fake import FakeTranslator, fake_translation
from interp_service.engine.options import BatchingOptions

LONG_WAIT = 60.0  # seconds; batches in these tests are cut by size, gates or close


def run(scenario: Coroutine[Any, Any, None]) -> None:
    asyncio.run(scenario)


async def until(condition: Callable[[], bool]) -> None:
    """Yield to the event loop until ``condition`` holds (queued tasks get to run)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


async def blocked(batcher: MicroBatcher, fake: FakeTranslator, text: str) -> asyncio.Task[Any]:
    """Start a request whose batch blocks on the fake's gate; returns its task."""
    task = asyncio.create_task(batcher.translate(text))
    await asyncio.to_thread(fake.started.wait)
    return task


def texts_of(result: list[Hypothesis]) -> list[str]:
    return [h.text for h in result]


def test_fake_translator_keeps_placeholders() -> None:
    assert fake_translation("zz-0001 <t0> abc") == "ABC <t0> ZZ-0001"
    assert fake_translation("请说明<t1>的情况") == "请说明<t1>的情况"


def test_results_come_back_to_each_request_in_order_from_one_sorted_batch() -> None:
    texts = ["ccc ccc ccc", "a", "bb bb", "dddd dddd dddd dddd", "e"]

    async def scenario() -> None:
        fake = FakeTranslator()
        options = BatchingOptions(max_batch_size=len(texts), max_wait_s=LONG_WAIT)
        batcher = MicroBatcher([fake], options)
        results = await asyncio.gather(*(batcher.translate(t) for t in texts))
        await batcher.close()
        assert [r[0].text for r in results] == [fake_translation(t) for t in texts]
        assert fake.batch_sizes == [len(texts)]
        assert fake.calls[0].texts == sorted(texts, key=len)
        assert batcher.stats().batches == 1
        assert batcher.stats().mean_batch_size == len(texts)

    run(scenario())


def test_batches_are_cut_by_size_and_tokens() -> None:
    async def scenario() -> None:
        gate = threading.Event()
        fake = FakeTranslator(gate=gate)
        batcher = MicroBatcher(
            [fake], BatchingOptions(max_batch_size=3, max_batch_tokens=10, max_wait_s=0)
        )
        first = await blocked(batcher, fake, "x")
        tasks = [asyncio.create_task(batcher.translate(t)) for t in ["a", "b", "c", "d"]]
        tasks += [asyncio.create_task(batcher.translate(t)) for t in ["123456", "7890ab", "c"]]
        await until(lambda: batcher.stats().queue_depth == 7)
        gate.set()
        await asyncio.gather(first, *tasks)
        await batcher.close()
        # 3 by size; then "d" + "123456" (7 chars) since "7890ab" would pass 10 tokens.
        assert [call.texts for call in fake.calls] == [
            ["x"],
            ["a", "b", "c"],
            ["d", "123456"],
            ["c", "7890ab"],
        ]

    run(scenario())


def test_requests_with_different_search_options_are_not_mixed() -> None:
    async def scenario() -> None:
        gate = threading.Event()
        fake = FakeTranslator(gate=gate)
        batcher = MicroBatcher([fake], BatchingOptions(max_batch_size=10, max_wait_s=0))
        first = await blocked(batcher, fake, "x")
        greedy = [asyncio.create_task(batcher.translate(f"g{i}")) for i in range(3)]
        beams = [
            asyncio.create_task(batcher.translate(f"b{i}", beam_size=4, num_hypotheses=2))
            for i in range(3)
        ]
        await until(lambda: batcher.stats().queue_depth == 6)
        gate.set()
        await first
        greedy_results = await asyncio.gather(*greedy)
        beam_results = await asyncio.gather(*beams)
        await batcher.close()
        assert [(c.beam_size, c.num_hypotheses, c.texts) for c in fake.calls[1:]] == [
            (1, 1, ["g0", "g1", "g2"]),
            (4, 2, ["b0", "b1", "b2"]),
        ]
        assert all(len(r) == 1 for r in greedy_results)
        assert texts_of(beam_results[1]) == ["B1", "B1 #1"]

    run(scenario())


def test_full_queue_is_refused_at_once_and_accepted_requests_still_complete() -> None:
    async def scenario() -> None:
        gate = threading.Event()
        fake = FakeTranslator(gate=gate)
        batcher = MicroBatcher([fake], BatchingOptions(queue_size=2, max_wait_s=0))
        first = await blocked(batcher, fake, "x")
        queued = [asyncio.create_task(batcher.translate(t)) for t in ["a", "b"]]
        await until(lambda: batcher.stats().queue_depth == 2)
        with pytest.raises(EngineOverloaded) as refused:
            await batcher.translate("c")
        assert refused.value.retry_after_s > 0
        assert batcher.stats().rejected == 1
        gate.set()
        assert texts_of(await first) == ["X"]
        assert [texts_of(r) for r in await asyncio.gather(*queued)] == [["A"], ["B"]]
        await batcher.close()

    run(scenario())


def test_request_past_its_deadline_times_out_and_is_not_computed() -> None:
    async def scenario() -> None:
        gate = threading.Event()
        fake = FakeTranslator(gate=gate)
        batcher = MicroBatcher([fake], BatchingOptions(max_wait_s=0))
        first = await blocked(batcher, fake, "x")
        with pytest.raises(EngineTimeout):
            await batcher.translate("late", timeout_s=0.05)
        with pytest.raises(EngineTimeout):
            await batcher.translate("already late", timeout_s=0)
        patient = asyncio.create_task(batcher.translate("patient", timeout_s=LONG_WAIT))
        await until(lambda: batcher.stats().queue_depth == 1)
        gate.set()
        await first
        assert texts_of(await patient) == ["PATIENT"]
        await batcher.close()
        assert [call.texts for call in fake.calls] == [["x"], ["patient"]]
        assert batcher.stats().timed_out == 2

    run(scenario())


def test_caller_that_gives_up_is_skipped() -> None:
    async def scenario() -> None:
        gate = threading.Event()
        fake = FakeTranslator(gate=gate)
        batcher = MicroBatcher([fake], BatchingOptions(max_wait_s=0))
        first = await blocked(batcher, fake, "x")
        gone = asyncio.create_task(batcher.translate("gone"))
        kept = asyncio.create_task(batcher.translate("kept"))
        await until(lambda: batcher.stats().queue_depth == 2)
        gone.cancel()
        gate.set()
        await first
        assert texts_of(await kept) == ["KEPT"]
        await batcher.close()
        assert [call.texts for call in fake.calls] == [["x"], ["kept"]]

    run(scenario())


def test_translator_failure_reaches_every_request_of_the_batch() -> None:
    async def scenario() -> None:
        fake = FakeTranslator(fail_with=RuntimeError("out of memory"))
        batcher = MicroBatcher([fake], BatchingOptions(max_batch_size=3, max_wait_s=LONG_WAIT))
        results = await asyncio.gather(
            *(batcher.translate(t) for t in ["a", "b", "c"]), return_exceptions=True
        )
        assert fake.batch_sizes == [3]
        for error in results:
            assert isinstance(error, EngineError)
            assert isinstance(error.__cause__, RuntimeError)
            assert "out of memory" in str(error)
        assert batcher.stats().failed == 3
        fake.fail_with = None  # the batcher keeps serving after a failed batch
        again = await asyncio.gather(*(batcher.translate(t) for t in ["d", "e", "f"]))
        assert [texts_of(r) for r in again] == [["D"], ["E"], ["F"]]
        await batcher.close()

    run(scenario())


def test_close_answers_queued_requests_and_finishes_the_running_batch() -> None:
    async def scenario() -> None:
        gate = threading.Event()
        fake = FakeTranslator(gate=gate)
        batcher = MicroBatcher([fake], BatchingOptions(max_wait_s=0))
        first = await blocked(batcher, fake, "x")
        queued = [asyncio.create_task(batcher.translate(t)) for t in ["a", "b"]]
        await until(lambda: batcher.stats().queue_depth == 2)
        closing = asyncio.create_task(batcher.close())
        for task in queued:
            with pytest.raises(EngineClosed):
                await task
        gate.set()
        await closing
        assert texts_of(await first) == ["X"]
        with pytest.raises(EngineClosed):
            await batcher.translate("after")
        assert [call.texts for call in fake.calls] == [["x"]]

    run(scenario())


def test_close_with_drain_translates_what_was_queued_without_waiting() -> None:
    async def scenario() -> None:
        fake = FakeTranslator()
        batcher = MicroBatcher([fake], BatchingOptions(max_batch_size=10, max_wait_s=LONG_WAIT))
        queued = [asyncio.create_task(batcher.translate(t)) for t in ["a", "b"]]
        await until(lambda: batcher.stats().queue_depth == 2)
        await batcher.close(drain=True)  # the batch is not full: it is cut by the close
        assert [texts_of(r) for r in await asyncio.gather(*queued)] == [["A"], ["B"]]
        assert fake.batch_sizes == [2]

    run(scenario())


def test_replicas_run_batches_at_the_same_time_on_their_own_threads() -> None:
    async def scenario() -> None:
        gate = threading.Event()
        fakes = [FakeTranslator(gate=gate), FakeTranslator(gate=gate)]
        batcher = MicroBatcher(fakes, BatchingOptions(max_batch_size=8, max_wait_s=LONG_WAIT))
        tasks = [asyncio.create_task(batcher.translate(f"s{i}")) for i in range(8)]
        # Both replicas start a batch while the gate is shut: they run concurrently.
        await asyncio.to_thread(fakes[0].started.wait)
        await asyncio.to_thread(fakes[1].started.wait)
        assert batcher.stats().busy_replicas == 2
        gate.set()
        results = await asyncio.gather(*tasks)
        await batcher.close()
        assert [r[0].text for r in results] == [f"S{i}" for i in range(8)]
        # The eight waiting requests were shared out, four to each replica.
        assert [fake.batch_sizes for fake in fakes] == [[4], [4]]
        assert fakes[0].calls[0].thread != fakes[1].calls[0].thread

    run(scenario())


def test_impossible_search_options_are_refused() -> None:
    async def scenario() -> None:
        batcher = MicroBatcher([FakeTranslator()])
        with pytest.raises(ValueError):
            await batcher.translate("a", beam_size=2, num_hypotheses=3)
        with pytest.raises(ValueError):
            await batcher.translate("a", beam_size=0)
        await batcher.close()

    run(scenario())


def test_lone_request_on_idle_replicas_does_not_wait_for_the_batch_to_fill() -> None:
    async def scenario() -> None:
        fakes = [FakeTranslator(), FakeTranslator()]
        batcher = MicroBatcher(fakes, BatchingOptions(max_batch_size=16, max_wait_s=LONG_WAIT))
        # Without the rule the request would sit out LONG_WAIT; the guard only ends a hang.
        result = await asyncio.wait_for(batcher.translate("a"), LONG_WAIT / 2)
        assert texts_of(result) == ["A"]
        await batcher.close()

    run(scenario())


def test_both_replicas_pull_from_one_queue_and_never_wait_for_a_busy_one() -> None:
    async def scenario() -> None:
        gate = threading.Event()
        fakes = [FakeTranslator(gate=gate), FakeTranslator(gate=gate)]
        batcher = MicroBatcher(fakes, BatchingOptions(max_batch_size=4, max_wait_s=LONG_WAIT))
        first = asyncio.create_task(batcher.translate("s0"))
        await until(lambda: batcher.stats().busy_replicas == 1)
        # One replica is held by the gate; a full batch goes to the other one at once.
        more = [asyncio.create_task(batcher.translate(f"s{i}")) for i in range(1, 5)]
        await until(lambda: batcher.stats().busy_replicas == 2)
        assert batcher.stats().queue_depth == 0
        assert sorted(size for fake in fakes for size in fake.batch_sizes) == [1, 4]
        gate.set()
        results = await asyncio.gather(first, *more)
        assert [r[0].text for r in results] == [f"S{i}" for i in range(5)]
        await batcher.close()

    run(scenario())


def test_sixteen_concurrent_requests_on_two_replicas_run_as_two_batches_of_eight() -> None:
    async def scenario() -> None:
        gate = threading.Event()
        fakes = [FakeTranslator(gate=gate), FakeTranslator(gate=gate)]
        batcher = MicroBatcher(fakes, BatchingOptions(max_batch_size=16, max_wait_s=LONG_WAIT))
        tasks = [asyncio.create_task(batcher.translate(f"s{i}")) for i in range(16)]
        await until(lambda: batcher.stats().busy_replicas == 2)
        assert batcher.stats().queue_depth == 0  # nobody waits while a replica is idle
        gate.set()
        await asyncio.gather(*tasks)
        # 16 more arrive while both replicas are idle again: the same split, no small batch.
        await asyncio.gather(*(batcher.translate(f"t{i}") for i in range(16)))
        await batcher.close()
        assert [fake.batch_sizes for fake in fakes] == [[8, 8], [8, 8]]
        assert batcher.stats().mean_batch_size == 8

    run(scenario())
