"""Models, inputs and timed stages shared by the rows of ``bench.translate_engine``.

Rates are sentences per second, latencies seconds, memory MiB.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from interp_service.engine.backends import Translator
from interp_service.engine.batcher import MicroBatcher
from interp_service.engine.convert import convert_to_ct2
from interp_service.engine.ct2_backend import CTranslate2Translator
from interp_service.engine.hf_backend import TransformersTranslator
from interp_service.engine.options import BatchingOptions
from interp_service.engine.shortlist import VMAP_FILE, build_vmap
from interp_service.engine.training import (
    ModelSize,
    build_model,
    train_sentencepiece,
    write_tokenizer,
)
from interp_service.training.request import PRESETS
from interp_service.training.runner import preset_size

OUT_TOKENS = 32
CORES = 2
SMALL = PRESETS["small"]
PRODUCT = preset_size(SMALL)
DEEP_SHALLOW = replace(PRODUCT, layers=6, decoder_layers=2)


def words_of(size: ModelSize) -> list[str]:
    return [f"w{i:05d}" for i in range(size.vocab_size - 12)]


def build(folder: Path, size: ModelSize, seed: int) -> tuple[Path, Path, Path]:
    """hf/, ct2/ and ct2-vmap/ of a random model under ``folder`` (reused if there)."""
    hf, ct2, ct2v = folder / "hf", folder / "ct2", folder / "ct2-vmap"
    if (ct2v / VMAP_FILE).is_file():
        return hf, ct2, ct2v
    shutil.rmtree(folder, ignore_errors=True)
    rng = random.Random(seed)
    words = words_of(size)
    lines = []
    for _ in range(2):
        rng.shuffle(words)
        lines += [" ".join(words[i : i + 16]) for i in range(0, len(words), 16)]
    start = time.perf_counter()
    vocab = write_tokenizer(train_sentencepiece(lines, size.vocab_size, "word", CORES), hf)
    model = build_model(size, len(vocab), seed)
    params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(str(hf))
    del model
    convert_to_ct2(hf, ct2)
    shutil.copytree(ct2, ct2v)
    fixed = words_of(size)
    rng.shuffle(fixed)
    meaning = dict(zip(words_of(size), fixed, strict=True))
    pairs = []
    for _ in range(20 * len(words) // 32):
        source = rng.choices(words, k=rng.randint(20, 40))
        target = [meaning[w] if rng.random() > 0.1 else rng.choice(words) for w in source]
        pairs.append((" ".join(source), " ".join(target)))
    always = build_vmap(pairs, hf, ct2v / VMAP_FILE)
    print(
        f"model {folder.name}: {params / 1e6:.1f}M parameters, vocabulary {len(vocab)}, "
        f"shortlist from {len(pairs)} pairs ({always} always on); "
        f"built in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    return hf, ct2, ct2v


def make_inputs(count: int, size: ModelSize, rng: random.Random) -> list[str]:
    words = words_of(size)
    return [" ".join(rng.choices(words, k=rng.randint(20, 40))) for _ in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Figures:
    """Sentences/s, latency (ms), peak RSS (MiB) and mean batch size of one stage."""

    def __init__(self, name: str, sentences: int, seconds: float) -> None:
        self.name = name
        self.per_s = sentences / seconds
        self.latencies: list[float] = []
        self.rss = peak_rss_mib()
        self.batch = 0.0

    def line(self, baseline: Figures | None) -> str:
        text = f"{self.name:<58} {self.per_s:7.1f} sent/s"
        if self.latencies:
            p50, p95 = percentile(self.latencies, 0.5), percentile(self.latencies, 0.95)
            text += f"  p50 {p50 * 1000:6.0f} ms  p95 {p95 * 1000:6.0f} ms"
        else:
            text += " " * 30
        text += f"  RSS {self.rss:5.0f} MiB"
        text += f"  batch {self.batch:4.1f}" if self.batch else " " * 12
        if baseline is not None:
            text += f"  x{self.per_s / baseline.per_s:.1f}"
        return text


def plain_generate(hf: Path, int8: bool = False) -> Callable[[list[str]], None]:
    """``generate()`` as a plain user calls it: greedy, no scores, nothing banned."""
    translator = TransformersTranslator(hf, threads=CORES, int8=int8)
    model, tokenizer = translator.model, translator.tokenizer

    def run(texts: list[str]) -> None:
        inputs = tokenizer(texts, return_tensors="pt", padding=True)
        model.generate(  # generate() runs without gradients
            **inputs,
            num_beams=1,
            do_sample=False,
            max_new_tokens=OUT_TOKENS,
            min_new_tokens=OUT_TOKENS,
        )

    run(["w00001"])  # warm-up
    return run


def timed(name: str, run: Callable[[list[str]], None], inputs: list[str], batch: int) -> Figures:
    """``run`` over ``inputs`` in chunks of ``batch`` on this thread."""
    print(f"... {name}", flush=True)
    reset_peak()
    latencies = []
    start = time.perf_counter()
    for i in range(0, len(inputs), batch):
        began = time.perf_counter()
        run(inputs[i : i + batch])
        latencies.append(time.perf_counter() - began)
    figures = Figures(name, len(inputs), time.perf_counter() - start)
    figures.latencies = latencies if batch == 1 else []
    return figures


def batched(name: str, translators: list[Translator], inputs: list[str], batch: int) -> Figures:
    """Batches of ``batch`` inputs, spread over the translators, one thread each."""
    print(f"... {name}", flush=True)
    reset_peak()
    chunks = [inputs[i : i + batch] for i in range(0, len(inputs), batch)]
    latencies: list[float] = []

    def work(index: int) -> None:
        for chunk in chunks[index :: len(translators)]:
            start = time.perf_counter()
            translators[index].translate_batch(chunk, min_length=OUT_TOKENS, max_length=OUT_TOKENS)
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    with ThreadPoolExecutor(len(translators)) as pool:
        list(pool.map(work, range(len(translators))))
    figures = Figures(name, len(inputs), time.perf_counter() - start)
    figures.latencies = latencies if batch == 1 else []
    return figures


async def clients(
    batcher: MicroBatcher, inputs: list[str], concurrency: int, label: str
) -> Figures:
    """``concurrency`` clients send the inputs back to back through the batcher."""
    queue = list(reversed(inputs))
    latencies: list[float] = []

    async def client() -> None:
        while queue:
            text = queue.pop()
            start = time.perf_counter()
            await batcher.translate(text)
            latencies.append(time.perf_counter() - start)

    print(f"... {label}, {concurrency} clients", flush=True)
    reset_peak()
    before = batcher.stats()
    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    seconds = time.perf_counter() - start
    after = batcher.stats()
    figures = Figures(f"{label}, {concurrency} clients", len(inputs), seconds)
    figures.latencies = latencies
    figures.batch = (after.requests - before.requests) / max(1, after.batches - before.batches)
    return figures


async def served(
    ct2: Path,
    hf: Path,
    options: BatchingOptions,
    runs: list[tuple[int, list[str]]],
    label: str,
    threads: int = 1,
) -> list[Figures]:
    """The engine's MicroBatcher as the service builds it (``Engine.model_for``): one
    CTranslate2 replica of `threads` threads (the service: 1) per ``options.replicas``, cut
    by ``options``."""
    replicas = [
        CTranslate2Translator(ct2, hf, intra_threads=threads) for _ in range(options.replicas)
    ]
    batcher = MicroBatcher(
        replicas,
        options,
        max_length=OUT_TOKENS,
        min_length=OUT_TOKENS,
        length_fn=replicas[0].count_tokens,  # as Engine.model_for: the budget is in tokens
    )
    await batcher.translate("w00001 w00002")  # warm-up
    out = [await clients(batcher, inputs, n, label) for n, inputs in runs]
    await batcher.close()
    return out


def ct2_rows(
    tag: str,
    hf: Path,
    ct2: Path,
    ct2v: Path,
    take: Callable[[int], list[str]],
    counts: dict[str, int],
    batch: int,
) -> list[Figures]:
    """Raw CTranslate2 int8 with and without the shortlist: batch 1 on one and two threads,
    batch ``batch`` and ``batch // 2`` on 2 replicas × 1 thread."""
    rows = []
    lone = take(counts["lone"])
    for folder, mark in ((ct2, ""), (ct2v, " vmap")):
        for threads in (1, 2):
            one: list[Translator] = [CTranslate2Translator(folder, hf, intra_threads=threads)]
            rows.append(
                batched(f"{tag} ct2 int8{mark} batch 1, 1 x {threads} thread", one, lone, 1)
            )
    many = take(counts["batch"])
    for folder, mark in ((ct2, ""), (ct2v, " vmap")):
        two: list[Translator] = [CTranslate2Translator(folder, hf) for _ in range(CORES)]
        for size in (batch, max(1, batch // 2)):
            name = f"{tag} ct2 int8{mark} batch {size}, 2 x 1 thread"
            rows.append(batched(name, two, many, size))
    return rows
