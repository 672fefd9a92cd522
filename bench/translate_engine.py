"""Translation throughput and latency of the served engine, against transformers baselines.

    .venv/bin/python -m bench.translate_engine [--quick] [--sentences 256] [--seed 1]
                                               [--workdir DIR]

The model is a transformer-base Marian (6+6 layers, d_model 512, 8 heads, FFN 2048, 32k
shared vocabulary, about 61M parameters) with random weights built from its config, saved
as a transformers checkpoint and converted to CTranslate2 int8 by the engine's own code.
Its SentencePiece model is a word model over 32k synthetic words (w00000…), so each input
word is one token. Inputs: distinct sentences of 20-40 such words; every output is forced
to 32 tokens (min = max length), so all configurations do the same work. Greedy search.

Baseline: transformers fp32 ``generate()`` one request at a time (torch on all cores).
The served path runs the service's own batching options, ``Settings().batching()`` (the
``INTERP_ENGINE_*`` defaults: 2 CTranslate2 replicas × 1 thread, batches of at most 16,
cut after 5 ms; the same environment variables change both), and the batched rows use its
batch size B. Compared in the same run: transformers fp32 and dynamic-int8 at batch B;
CTranslate2 int8 at batch B as 2 replicas × 1 thread and as 1 replica × 2 threads, and at
batch B/2 as 2 × 1 (the batch size B clients give each of two replicas); then the served
path (the engine's MicroBatcher with those options) with 1, 4, 16 and 64 concurrent
clients, each sending its next request as soon as the last returns; the 1-client row is
the lone-request latency.
Peak RSS is the process's high-water mark during each stage (reset between stages when
/proc/self/clear_refs allows it), so it includes everything loaded before. The load
average printed at the start and end shows how much else the machine was running.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from interp_service.config import Settings
from interp_service.engine.backends import Translator
from interp_service.engine.batcher import MicroBatcher
from interp_service.engine.convert import convert_to_ct2
from interp_service.engine.ct2_backend import CTranslate2Translator
from interp_service.engine.hf_backend import TransformersTranslator
from interp_service.engine.options import BatchingOptions
from interp_service.engine.training import BASE, build_model, train_sentencepiece, write_tokenizer

OUT_TOKENS = 32
CORES = 2


def build(folder: Path, seed: int) -> tuple[Path, Path]:
    """hf/ and ct2/ of the random transformer-base model under ``folder`` (reused if there)."""
    hf, ct2 = folder / "hf", folder / "ct2"
    if (ct2 / "model.bin").is_file():
        return hf, ct2
    shutil.rmtree(folder, ignore_errors=True)
    rng = random.Random(seed)
    words = [f"w{i:05d}" for i in range(BASE.vocab_size - 12)]
    lines = []
    for _ in range(2):
        rng.shuffle(words)
        lines += [" ".join(words[i : i + 16]) for i in range(0, len(words), 16)]
    start = time.perf_counter()
    vocab = write_tokenizer(train_sentencepiece(lines, BASE.vocab_size, "word", CORES), hf)
    model = build_model(BASE, len(vocab), seed)
    params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(str(hf))
    del model
    convert_to_ct2(hf, ct2)
    print(
        f"model: {params / 1e6:.1f}M parameters, vocabulary {len(vocab)}, "
        f"built and converted in {time.perf_counter() - start:.1f} s"
    )
    return hf, ct2


def make_inputs(count: int, rng: random.Random) -> list[str]:
    words = [f"w{i:05d}" for i in range(BASE.vocab_size - 12)]
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
    """Sentences/s, tokens/s, latency (ms) and peak RSS (MiB) of one stage."""

    def __init__(self, name: str, sentences: int, tokens: int, seconds: float) -> None:
        self.name = name
        self.per_s = sentences / seconds
        self.tokens_per_s = tokens / seconds
        self.latencies: list[float] = []
        self.rss = peak_rss_mib()

    def line(self, baseline: Figures | None) -> str:
        text = f"{self.name:<48} {self.per_s:7.1f} sent/s {self.tokens_per_s:8.0f} tok/s"
        if self.latencies:
            p50, p95 = percentile(self.latencies, 0.5), percentile(self.latencies, 0.95)
            text += f"  p50 {p50 * 1000:6.0f} ms  p95 {p95 * 1000:6.0f} ms"
        else:
            text += " " * 30
        text += f"  peak RSS {self.rss:5.0f} MiB"
        if baseline is not None:
            text += f"  x{self.per_s / baseline.per_s:.1f}"
        return text


def batched(
    name: str,
    translators: list[Translator],
    inputs: list[str],
    batch: int,
) -> Figures:
    """Batches of ``batch`` inputs, spread over the translators, one thread each."""
    print(f"... {name}", flush=True)
    reset_peak()
    chunks = [inputs[i : i + batch] for i in range(0, len(inputs), batch)]
    tokens = 0
    latencies: list[float] = []

    def work(index: int) -> int:
        done = 0
        for chunk in chunks[index :: len(translators)]:
            start = time.perf_counter()
            results = translators[index].translate_batch(
                chunk, min_length=OUT_TOKENS, max_length=OUT_TOKENS
            )
            latencies.append(time.perf_counter() - start)
            done += sum(r[0].tokens for r in results)
        return done

    start = time.perf_counter()
    with ThreadPoolExecutor(len(translators)) as pool:
        tokens = sum(pool.map(work, range(len(translators))))
    figures = Figures(name, len(inputs), tokens, time.perf_counter() - start)
    figures.latencies = latencies if batch == 1 else []
    return figures


async def clients(
    batcher: MicroBatcher, inputs: list[str], concurrency: int, label: str
) -> Figures:
    """``concurrency`` clients send the inputs back to back through the batcher."""
    queue = list(reversed(inputs))
    latencies: list[float] = []
    tokens = 0

    async def client() -> None:
        nonlocal tokens
        while queue:
            text = queue.pop()
            start = time.perf_counter()
            (best, *_) = await batcher.translate(text)
            latencies.append(time.perf_counter() - start)
            tokens += best.tokens

    print(f"... served, {concurrency} clients", flush=True)
    reset_peak()
    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    seconds = time.perf_counter() - start
    name = f"served ({label}), {concurrency} clients"
    figures = Figures(name, len(inputs), tokens, seconds)
    figures.latencies = latencies
    return figures


async def served(
    ct2: Path, hf: Path, options: BatchingOptions, runs: list[tuple[int, list[str]]]
) -> list[Figures]:
    """The engine's MicroBatcher as the service builds it (``Engine.model_for``): one
    single-thread CTranslate2 replica per ``options.replicas``, cut by ``options``."""
    batcher = MicroBatcher(
        [CTranslate2Translator(ct2, hf, intra_threads=1) for _ in range(options.replicas)],
        options,
        max_length=OUT_TOKENS,
        min_length=OUT_TOKENS,
    )
    await batcher.translate("w00001 w00002")  # warm-up
    label = f"{options.replicas} x ct2 int8, batch <= {options.max_batch_size}"
    out = [await clients(batcher, inputs, n, label) for n, inputs in runs]
    await batcher.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="few sentences, for a smoke run")
    parser.add_argument("--sentences", type=int, default=256, help="per served stage")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep the built model here for reruns")
    args = parser.parse_args()
    served_count = 32 if args.quick else args.sentences
    baseline_count = 8 if args.quick else 32
    batch_count = 32 if args.quick else 128
    rng = random.Random(args.seed)
    options = Settings().batching()
    batch = options.max_batch_size
    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-engine-")
        folder = Path(tmp.name) / "base"
    else:
        folder = args.workdir
    try:
        hf, ct2 = build(folder, args.seed)
        inputs = make_inputs(baseline_count + 2 * batch_count + 4 * served_count, rng)

        def fresh(count: int) -> list[str]:
            taken = inputs[:count]
            del inputs[:count]
            return taken

        print(f"inputs: 20-40 tokens, outputs forced to {OUT_TOKENS} tokens, greedy", flush=True)
        print(f"served with the service's batching options: {options}")
        print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        fp32 = TransformersTranslator(hf, threads=CORES)
        fp32.translate_batch(["w00001"], max_length=4)  # warm-up
        base = batched(
            "transformers fp32, one at a time (baseline)", [fp32], fresh(baseline_count), 1
        )
        rows = [base]
        batch_inputs = fresh(batch_count)
        rows.append(batched(f"transformers fp32, batch {batch}", [fp32], batch_inputs, batch))
        del fp32
        int8 = TransformersTranslator(hf, threads=CORES, int8=True)
        rows.append(
            batched(f"transformers int8 (dynamic), batch {batch}", [int8], batch_inputs, batch)
        )
        del int8
        ct2_inputs = fresh(batch_count)
        two: list[Translator] = [CTranslate2Translator(ct2, hf) for _ in range(CORES)]
        rows.append(
            batched(
                f"ctranslate2 int8 batch {batch}, 2 replicas x 1 thread", two, ct2_inputs, batch
            )
        )
        # What `batch` clients can get at best: the share-out gives each replica half of it.
        half = max(1, batch // 2)
        rows.append(
            batched(f"ctranslate2 int8 batch {half}, 2 replicas x 1 thread", two, ct2_inputs, half)
        )
        del two
        one: list[Translator] = [CTranslate2Translator(ct2, hf, intra_threads=CORES)]
        rows.append(
            batched(
                f"ctranslate2 int8 batch {batch}, 1 replica x 2 threads", one, ct2_inputs, batch
            )
        )
        del one
        runs = [(1, fresh(served_count // 4)), (4, fresh(served_count // 2))]
        runs += [(16, fresh(served_count)), (64, fresh(served_count))]
        served_rows = asyncio.run(served(ct2, hf, options, runs))
        rows += served_rows
        print("load average at end:   {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print()
        for row in rows:
            print(row.line(None if row is base else base))
        lone, at16 = served_rows[0], served_rows[2]
        print()
        print(
            f"lone request through the served engine: p50 "
            f"{percentile(lone.latencies, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(lone.latencies, 0.95) * 1000:.0f} ms (aim < 100 ms); "
            f"baseline p50 {percentile(base.latencies, 0.5) * 1000:.0f} ms"
        )
        print(
            f"16 clients: {at16.per_s:.1f} sentences/s (aim >= 60), "
            f"p95 {percentile(at16.latencies, 0.95) * 1000:.0f} ms (aim < 1000 ms); "
            f"x{at16.per_s / base.per_s:.1f} the baseline's throughput"
        )
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
