"""Translation throughput and latency of the served engine, against a plain transformers run.

    .venv/bin/python -m bench.translate_engine [--quick] [--sentences 256] [--seed 1]
                                               [--workdir DIR] [--skip-product]

Two workloads, random weights built from a config, saved as a transformers checkpoint and
converted to CTranslate2 int8 by the engine's own code:

* reference: a transformer-base Marian (6+6 layers, d_model 512, 8 heads, FFN 2048, 32k
  shared vocabulary, about 61M parameters);
* product: the shape ``interp-service train mt`` builds by default (the ``small`` preset:
  d_model 256, 3 encoder + 3 decoder layers, FFN 1024, 8k vocabulary), beside a deep
  encoder with a shallow decoder (6 + 2 layers) for comparison.

The SentencePiece model is a word model over synthetic words (w00000…), so each input word
is one token. Inputs: distinct sentences of 20-40 such words; every output is forced to 32
tokens (min = max length), so all configurations do the same work. Greedy search.

Baseline: transformers fp32 ``generate()`` one request at a time, as a plain user runs it
(no per-step scores, no banned words, torch on all cores); the service's scored variant
(per-step scores for the mean log-probability, ``<pad>`` banned) is a separate row on the
first inputs of the baseline. The vocabulary shortlist (``vmap.txt``, rows marked
``vmap``) is built by ``engine.shortlist`` from a synthetic parallel corpus: each source
word has one fixed target word, 10 % of target words are replaced at random; the
model's random weights do not know that corpus, which only sets how many candidates each
batch gets. The served path runs the service's own batching options,
``Settings().batching()`` (2 CTranslate2 replicas × 1 thread, batches of at most B = 16,
cut after 5 ms) with 1, 4, 16 and 64 concurrent clients, each sending its next request as
soon as the last returns; the 1-client row is the lone-request latency, and each served
row prints the mean batch size the batcher formed. One more served row, at 16 clients, puts
both cores behind a single replica (1 × 2 threads) so that all 16 requests share a batch.
Peak RSS is the process's high-water mark during each stage (reset between stages when
/proc/self/clear_refs allows it). The load average printed at the start and end shows how
much else the machine was running.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
from dataclasses import replace
from pathlib import Path

from bench._engine_stages import (
    CORES,
    DEEP_SHALLOW,
    OUT_TOKENS,
    PRODUCT,
    Figures,
    build,
    ct2_rows,
    make_inputs,
    percentile,
    plain_generate,
    served,
    timed,
)
from interp_service.config import Settings
from interp_service.engine.hf_backend import TransformersTranslator
from interp_service.engine.training import BASE


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="few sentences, for a smoke run")
    parser.add_argument("--sentences", type=int, default=256, help="per 16/64-client stage")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep the built models here for reruns")
    parser.add_argument("--skip-product", action="store_true", help="reference workload only")
    args = parser.parse_args()
    quick = args.quick
    served_count = 32 if quick else args.sentences
    counts = {
        "base": 4 if quick else 16,
        "scored": 2 if quick else 6,
        "batch": 32 if quick else 128,
    }
    counts["lone"] = 8 if quick else 24
    rng = random.Random(args.seed)
    options = Settings().batching()
    batch = options.max_batch_size
    tmp = tempfile.TemporaryDirectory(prefix="bench-engine-") if args.workdir is None else None
    root = Path(tmp.name) if tmp is not None else args.workdir
    try:
        hf, ct2, ct2v = build(root / "base", BASE, args.seed)
        inputs = make_inputs(4000, BASE, rng)

        def take(count: int) -> list[str]:
            taken = inputs[:count]
            del inputs[:count]
            return taken

        print(f"inputs: 20-40 tokens, outputs forced to {OUT_TOKENS} tokens, greedy", flush=True)
        print(f"served with the service's batching options: {options}")
        print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        plain = plain_generate(hf)
        base_inputs = take(counts["base"])
        base = timed(
            "reference transformers fp32 generate(), one at a time (baseline)",
            plain,
            base_inputs,
            1,
        )
        rows = [base]
        scored = TransformersTranslator(hf, threads=CORES)

        def scored_run(texts: list[str]) -> None:
            scored.translate_batch(texts, min_length=OUT_TOKENS, max_length=OUT_TOKENS)

        rows.append(
            timed(
                "reference transformers fp32 scored (service backend), one at a time",
                scored_run,
                base_inputs[: counts["scored"]],
                1,
            )
        )
        tf_inputs = take(counts["batch"] // 2)
        rows.append(
            timed(f"reference transformers fp32 generate(), batch {batch}", plain, tf_inputs, batch)
        )
        del plain
        rows.append(
            timed(
                f"reference transformers int8 generate(), batch {batch}",
                plain_generate(hf, True),
                tf_inputs,
                batch,
            )
        )
        rows += ct2_rows("reference", hf, ct2, ct2v, take, counts, batch)
        one = max(8, served_count // 8)
        for folder, label in ((ct2, "reference served"), (ct2v, "reference served vmap")):
            runs = [
                (1, take(one)),
                (4, take(served_count // 2)),
                (16, take(served_count)),
                (64, take(served_count)),
            ]
            rows += asyncio.run(served(folder, hf, options, runs, label))
        one_replica = replace(options, replicas=1)
        runs = [(16, take(served_count))]
        label = "reference served vmap, 1 replica x 2 threads"
        rows += asyncio.run(served(ct2v, hf, one_replica, runs, label, threads=2))
        if not args.skip_product:
            product = f"product default {PRODUCT.layers}+{PRODUCT.decoder_depth}"
            for size, tag in ((PRODUCT, product), (DEEP_SHALLOW, "deep-shallow 6+2")):
                phf, pct2, pct2v = build(root / tag.split()[0], size, args.seed)
                prng = random.Random(args.seed + 1)
                pinputs = make_inputs(2000, size, prng)

                def ptake(count: int, pinputs: list[str] = pinputs) -> list[str]:
                    taken = pinputs[:count]
                    del pinputs[:count]
                    return taken

                rows += ct2_rows(tag, phf, pct2, pct2v, ptake, counts, batch)
                runs = [(1, ptake(one)), (16, ptake(served_count))]
                rows += asyncio.run(served(pct2v, phf, options, runs, f"{tag} served vmap"))
        print("load average at end:   {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print()
        for row in rows:
            print(row.line(None if row is base else base))
        summary(rows, base)
    finally:
        if tmp is not None:
            tmp.cleanup()


def summary(rows: list[Figures], base: Figures) -> None:
    by_name = {row.name: row for row in rows}
    static = max(
        (r for r in rows if r.name.startswith("reference ct2") and "vmap" not in r.name),
        key=lambda r: r.per_s,
    )
    print()
    for label in ("reference served", "reference served vmap"):
        lone, at16 = by_name[f"{label}, 1 clients"], by_name[f"{label}, 16 clients"]
        print(
            f"{label}: lone request p50 {percentile(lone.latencies, 0.5) * 1000:.0f} ms; "
            f"16 clients {at16.per_s:.1f} sentences/s, p95 "
            f"{percentile(at16.latencies, 0.95) * 1000:.0f} ms, "
            f"x{at16.per_s / static.per_s:.2f} the best static layout without shortlist "
            f"({static.name}: {static.per_s:.1f}/s)"
        )
    print(f"baseline p50 {percentile(base.latencies, 0.5) * 1000:.0f} ms")
    for row in rows:
        if row.name.endswith("served vmap, 1 clients") and not row.name.startswith("ref"):
            p50 = percentile(row.latencies, 0.5) * 1000
            print(f"{row.name.split(' served')[0]}: lone request p50 {p50:.0f} ms")


if __name__ == "__main__":
    main()
