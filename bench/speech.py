"""Mandarin speech recognition: speed and accuracy of the product's configuration against the
plain faster-whisper model, all measured in the same run.

    .venv/bin/python -m bench.speech [--quick] [--float32] [--repeat 1] [--seconds 60] [--threads 2]
                                     [--torch-threads N]
                                     [--prompt TEXT] [--model-dir DIR]

Model: Whisper base (CTranslate2), joined from the pinned PyPI packages by whisper_files.
Audio: the nine real Mandarin clips of ../shared/data/speech-zh, decoded by the service's own
decoder, joined with 0.5 s of silence and repeated (whole clips) until the recording is at
least --seconds long; its exact length is printed.

Baseline: the plain model as faster-whisper runs out of the box: model.transcribe(), beam 5,
no VAD, language detected, every window padded to 30 s, no prompt. The product rows call the
service's own pipeline, ``interp_service.speech.pipeline.transcribe`` (what recordings and
the OpenAI-compatible endpoint run) with a ``SpeechModels`` built from ``Settings``: VAD spans
(silero-vad), ends padded 0.3 s -> each span's first window encoded once, padded to window +
3 s -> Whisper language gate -> greedy decoding with timestamps, window after window, each
conditioned on the text decoded before it in the recording, a beam-5 retry of unsure windows,
word timestamps -> simplified characters. No prompt (audio outside a case has no party names).
Variants (the same functions, one setting changed, see LEVERS): the product as it was before
(one pass without timestamps, the instruction prompt 「以下是普通话的句子。」, no padding, no
context, no retry), the instruction prompt alone, no previous text
(INTERP_ASR_CONDITION_ON_PREVIOUS), ends not padded (INTERP_ASR_SPAN_PAD_S), no retry
(INTERP_ASR_FALLBACK_BEAM_SIZE=1), spans merged across pauses under 1 s
(INTERP_ASR_MERGE_GAP_S: off in the product, because merged spans pass the language gate as
one), 40 preferred glossary terms in the prompt (with and without the engine's second
decoding of a window that loops, see engine.speech.whisper.looping), beam 5 from the first
pass (INTERP_ASR_BEAM_SIZE), float32 with --float32 (INTERP_ASR_COMPUTE_TYPE), a lever the
product does not use (VAD runs of up to 28 s, each decoded by faster-whisper's own seeking
loop with beam 5 and the previous text, no gate: see ``_speech_levers.windowed``), a second
one (each span with a near neighbour through the language gate on its own, then consecutive
Mandarin spans merged across pauses under 1 s, up to 12 s, and decoded as the product decodes
a span: see ``_speech_levers.gated_runs``), and fixed 28-s windows
instead of VAD (each window through ``pipeline.recognise_span``, the per-span step of the
pipeline).
"sequential" rows decode one span at a time (the product); "batched" rows hand segments to
faster-whisper's BatchedInferencePipeline (batch 8, greedy). "chars out" shows text dropped.
The detector is also timed alone: the product's ONNX model on one thread against silero's
TorchScript model at torch's thread count (--torch-threads sets torch's count for the whole
run; default: as the service leaves it). Times are the median
of --repeat runs after one warm-up per model. "x base" = seconds / baseline seconds.
CER: ``interp_service.speech.scoring`` (simplified characters, numbers as digits, whitespace
and punctuation removed on both sides, character Levenshtein distance / reference characters).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench._speech_levers import gated_runs, windowed
from interp_service.config import Settings
from interp_service.engine.speech.types import SpeechSpan
from interp_service.engine.speech.vad import MAX_SPAN_S
from interp_service.media.audio import SAMPLE_RATE, decode
from interp_service.speech import pipeline
from interp_service.speech.models import SpeechModels
from interp_service.speech.prompt import INSTRUCTION, MAX_TERM_CHARS, compose
from interp_service.speech.scoring import character_errors, normalise

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech-zh"
GLOSSARY = Path(__file__).resolve().parents[1] / "glossaries" / "criminal-procedure.tsv"
PROMPT = ""  # the product's prompt for audio outside a case (no names, no terms)
LEVERS: dict[str, dict[str, Any]] = {
    "before": {
        "asr_span_pad_s": 0.0,
        "asr_condition_on_previous": False,
        "asr_fallback_beam_size": 1,
    },
    "no context": {"asr_condition_on_previous": False},
    "no pad": {"asr_span_pad_s": 0.0},
    "no retry": {"asr_fallback_beam_size": 1},
    "merge": {"asr_merge_gap_s": 1.0, "asr_merge_max_s": 12.0},
}
"""Settings each lever row changes from the product's defaults (INTERP_ASR_*); "before"
also decodes without timestamps, with the instruction prompt (see ``before``)."""


@dataclass
class Row:
    name: str
    seconds: float
    audio_s: float
    cer: float | None = None
    note: str = ""


def print_table(rows: list[Row], baseline: Row | None = None) -> None:
    """Seconds, real-time factor, ratio to `baseline` (default: the first row) and CER."""
    base = baseline or rows[0]
    print(f"{'configuration':<50} {'seconds':>8} {'RTF':>6} {'x base':>7} {'CER':>6}  note")
    for row in rows:
        cer = f"{row.cer:6.1%}" if row.cer is not None else f"{'-':>6}"
        print(
            f"{row.name:<50} {row.seconds:8.2f} {row.seconds / row.audio_s:6.3f} "
            f"{row.seconds / base.seconds:7.2f} {cer}  {row.note}"
        )


def glossary_terms(count: int) -> list[str]:
    """The first `count` preferred Chinese terms of the shipped glossary, as the prompt
    took them before terms were limited to approved ones (INTERP_ASR_PROMPT_TERMS)."""
    terms: list[str] = []
    with GLOSSARY.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            term = row["term"].strip()
            wanted = row["language"] == "cmn" and row["status"] == "preferred"
            if wanted and len(term) <= MAX_TERM_CHARS and term not in terms:
                terms.append(term)
            if len(terms) >= count:
                break
    return terms


def load_clips(folder: Path) -> list[tuple[str, np.ndarray, str]]:
    lines = (folder / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    clips = []
    for line in lines:
        name, reference = line.split("\t")[:2]
        samples = decode((folder / name).read_bytes(), max_duration_s=60).samples
        clips.append((name, samples, reference))
    return clips


def recording(clips: list[tuple[str, np.ndarray, str]], seconds: float) -> tuple[np.ndarray, str]:
    """Whole clips with 0.5 s of silence after each, cycled until at least `seconds` long."""
    gap = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
    pieces: list[np.ndarray] = []
    references: list[str] = []
    total, i = 0, 0
    while total < seconds * SAMPLE_RATE:
        _, samples, reference = clips[i % len(clips)]
        pieces += [samples, gap]
        references.append(reference)
        total += samples.size + gap.size
        i += 1
    return np.concatenate(pieces), "".join(references)


def plain(model: Any, audio: np.ndarray, beam_size: int = 5, vad: bool = False) -> tuple[str, str]:
    segments, info = model.transcribe(audio, language=None, beam_size=beam_size, vad_filter=vad)
    return "".join(s.text for s in segments), info.language


def windows(audio: np.ndarray) -> list[SpeechSpan]:
    total = audio.size / SAMPLE_RATE
    starts = np.arange(0.0, total, MAX_SPAN_S)
    return [SpeechSpan(float(s), min(total, float(s) + MAX_SPAN_S)) for s in starts]


@dataclass
class Product:
    text: str
    vad_s: float | None
    spans: int
    refused: int


def service_models(args: argparse.Namespace, compute_type: str) -> SpeechModels:
    """The service's speech models, configured as the service would be by INTERP_ASR_*."""
    settings = Settings(
        asr_model_dir=args.model_dir,
        asr_threads=args.threads,
        asr_compute_type=compute_type,
    )
    return SpeechModels(settings)


@contextmanager
def configured(models: SpeechModels, **changes: Any) -> Iterator[None]:
    """`models` with some settings changed for the duration (e.g. asr_beam_size=5)."""
    saved = models.settings
    models.settings = saved.model_copy(update=changes)
    try:
        yield
    finally:
        models.settings = saved


def product(
    models: SpeechModels,
    audio: np.ndarray,
    prompt: str,
    beam_size: int = 1,
    pad_frames: int | None = None,
    vad: bool = True,
    lever: str = "",
    retry_loops: bool = True,
    timestamps: bool = True,
) -> Product:
    """The service's path, ``pipeline.transcribe``: VAD spans, each through the language
    gate; refused spans add no text. Without `vad`, fixed 28-s windows go through
    ``pipeline.recognise_span`` instead. `pad_frames` overrides the recogniser's padding
    for this call (3000 = Whisper's fixed 30 s); `retry_loops` False turns off the second
    decoding of a window that loops with its prompt; `timestamps` False decodes each window
    in one pass without timestamps."""
    rec = models.whisper()
    saved = rec.pad_frames
    rec.pad_frames = saved if pad_frames is None else pad_frames
    rec.retry_loops = retry_loops
    rec.timestamps = timestamps
    try:
        with configured(models, asr_beam_size=beam_size, **LEVERS.get(lever, {})):
            return _product(models, audio, prompt, vad)
    finally:
        rec.pad_frames = saved
        rec.retry_loops = True
        rec.timestamps = True


def before(models: SpeechModels, audio: np.ndarray) -> Product:
    """The product as it decoded before timestamps: one pass per span without them, the
    instruction prompt, no padding, no previous text, no retry."""
    return product(models, audio, INSTRUCTION, lever="before", timestamps=False)


def _product(models: SpeechModels, audio: np.ndarray, prompt: str, vad: bool) -> Product:
    start = time.perf_counter()
    vad_s: list[float] = []

    def progress(done: float, total: float) -> None:
        if not vad_s:  # the first call comes once the detector has found the spans
            vad_s.append(time.perf_counter() - start)

    if vad:
        results = pipeline.transcribe(models, audio, prompt, progress)
    else:
        results = [pipeline.recognise_span(models, audio, w, prompt) for w in windows(audio)]
    texts = [r.recognition.text or "" for r in results if r.kind == "mandarin"]
    refused = sum(r.kind != "mandarin" for r in results)
    return Product("".join(texts), vad_s[0] if vad else None, len(results), refused)


def batched(pipe: Any, audio: np.ndarray, vad: Any | None) -> str:
    """BatchedInferencePipeline, batch 8, greedy, language zh; its own VAD unless `vad` is
    given, whose spans are then handed over as clip_timestamps."""
    clips = None
    if vad is not None:
        clips = [{"start": s.start_s, "end": s.end_s} for s in vad.spans(audio)]
    segments, _ = pipe.transcribe(
        audio, batch_size=8, language="zh", beam_size=1, clip_timestamps=clips
    )
    return "".join(s.text for s in segments)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, list[Any]]:
    seconds, results = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        results.append(fn())
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), results


def threads_line(threads: int) -> str:
    import torch

    return (
        f"CPUs: os.cpu_count()={os.cpu_count()}, usable={len(os.sched_getaffinity(0))}; "
        f"torch {torch.__version__} threads={torch.get_num_threads()} "
        f"interop={torch.get_num_interop_threads()}; ctranslate2 cpu_threads={threads}; "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def timing_rows(
    args: argparse.Namespace, models: dict[str, Any], vad: Any, audio: np.ndarray, reference: str
) -> list[Row]:
    int8, fp32, pipe, prompt = models["int8"], models["float32"], models["pipe"], args.prompt
    audio_s = audio.size / SAMPLE_RATE
    specs: list[tuple[str, Callable[[], Any]]] = [
        ("plain int8 beam5 no VAD (baseline)", lambda: plain(int8.whisper()._model, audio)[0]),
        ("plain float32 beam5 no VAD", lambda: plain(fp32.whisper()._model, audio)[0]),
        ("product int8 (sequential spans)", lambda: product(int8, audio, prompt)),
        ("product before: no timestamps, instruction prompt", lambda: before(int8, audio)),
        ("product + instruction prompt", lambda: product(int8, audio, INSTRUCTION)),
        ("product, no previous text", lambda: product(int8, audio, prompt, lever="no context")),
        ("product, span ends not padded", lambda: product(int8, audio, prompt, lever="no pad")),
        ("product, no beam-5 retry", lambda: product(int8, audio, prompt, lever="no retry")),
        (
            "product + merged across pauses < 1 s (<= 12 s)",
            lambda: product(int8, audio, prompt, lever="merge"),
        ),
        (
            "product + 40 glossary terms in the prompt",
            lambda: product(int8, audio, compose([], glossary_terms(40))),
        ),
        (
            "  the same, loops not decoded again",
            lambda: product(int8, audio, compose([], glossary_terms(40)), retry_loops=False),
        ),
        ("product int8 beam 5 from the first pass", lambda: product(int8, audio, prompt, 5)),
        ("product float32 greedy", lambda: product(fp32, audio, prompt)),
        (
            "product int8 greedy, 28-s windows, no VAD",
            lambda: product(int8, audio, prompt, vad=False),
        ),
        ("batched int8 greedy b8, faster-whisper VAD", lambda: batched(pipe, audio, None)),
        (
            "lever, not in the product: VAD runs <= 28 s, beam 5",
            lambda: windowed(int8, audio),
        ),
        (
            "lever, not in the product: gated, then Mandarin merged",
            lambda: gated_runs(int8, audio),
        ),
    ]
    rows = []
    for name, fn in specs:
        if fp32 is None and "float32" in name:
            continue
        secs, results = timed(fn, args.repeat)
        last = results[-1]
        text = last.text if isinstance(last, Product) else last
        wrong, count = character_errors(text, reference)
        note = f"{len(normalise(text))}/{count} chars out"
        if isinstance(last, Product):
            kind = "windows" if last.vad_s is None else "spans"
            note += f", {last.spans} {kind}, {last.refused} refused"
            if last.vad_s is not None:
                note += f", VAD {statistics.median(r.vad_s for r in results):.2f} s"
        rows.append(Row(name, secs, audio_s, wrong / count, note))
    return rows


def vad_compare(vad: Any, audio: np.ndarray, repeat: int) -> None:
    """The product's detector (silero ONNX on one onnxruntime thread) alone on the
    recording, against silero's TorchScript model at torch's thread count (same run)."""
    import torch
    from silero_vad import get_speech_timestamps, load_silero_vad

    product_s, _ = timed(lambda: vad.spans(audio), repeat)
    jit = load_silero_vad()
    tensor = torch.from_numpy(audio)
    jit_s, _ = timed(lambda: get_speech_timestamps(tensor, jit, sampling_rate=SAMPLE_RATE), repeat)
    for name, secs in (
        ("ONNX, 1 thread (product)", product_s),
        (f"TorchScript, torch threads {torch.get_num_threads()}", jit_s),
    ):
        print(f"VAD alone, {name}: {secs:6.2f} s (RTF {secs * SAMPLE_RATE / audio.size:.3f})")


def per_clip(models: SpeechModels, clips: list[Any], prompt: str) -> None:
    print("\nper clip (int8), CER and seconds: plain = beam5, no VAD, language detected, no")
    print("prompt; plainVAD = the same with faster-whisper's VAD; product = the service's")
    print("pipeline as configured by default; before = the product before timestamps (see")
    print("``before``); gated = spans gated one by one, then Mandarin merged (see")
    print("``_speech_levers.gated_runs``); +terms = the product with 40 preferred glossary")
    print("terms in its prompt; +terms,noretry = the same without decoding loops again")
    with_terms = compose([], glossary_terms(40))
    runs: dict[str, Callable[[np.ndarray], Any]] = {
        "plain": lambda x: plain(models.whisper()._model, x),
        "plainVAD": lambda x: plain(models.whisper()._model, x, vad=True),
        "product": lambda x: product(models, x, prompt),
        "before": lambda x: before(models, x),
        "gated": lambda x: gated_runs(models, x),
        "+terms": lambda x: product(models, x, with_terms),
        "+terms,noretry": lambda x: product(models, x, with_terms, retry_loops=False),
    }
    totals: dict[str, tuple[int, int, float]] = {key: (0, 0, 0.0) for key in runs}
    refused = 0
    for name, samples, ref in clips:
        line, out = f"{name:<31} {samples.size / SAMPLE_RATE:5.2f} s", {}
        for key, fn in runs.items():
            start = time.perf_counter()
            out[key] = fn(samples)
            secs = time.perf_counter() - start
            got = out[key]
            text = got if isinstance(got, str) else got[0] if key.startswith("plain") else got.text
            wrong, count = character_errors(text, ref)
            done = totals[key]
            totals[key] = (done[0] + wrong, done[1] + count, done[2] + secs)
            label = f"{key}[{out[key][1]}]" if key.startswith("plain") else key
            line += f" | {label} {wrong / count:6.1%} {secs:5.2f} s"
        got = out["product"]
        refused += got.refused + (got.spans == 0)
        print(f"{line} ({got.spans} spans, {got.refused} refused)")
        print(
            f"    plain:   {out['plain'][0].strip()}\n    product: {got.text}\n    ref:     {ref}"
        )
    clip_s = sum(c[1].size for c in clips) / SAMPLE_RATE
    for key, (wrong, count, secs) in totals.items():
        print(
            f"total {key:<14} CER {wrong / count:6.1%} ({wrong}/{count} chars)  "
            f"{secs:6.2f} s for {clip_s:.1f} s of audio (RTF {secs / clip_s:.3f})"
        )
    print(f"clips refused by the gate (or without any VAD span): {refused} of {len(clips)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="30-s recording")
    parser.add_argument("--float32", action="store_true", help="add the float32 rows")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--torch-threads", type=int, default=None, help="default: unchanged")
    parser.add_argument("--prompt", default=PROMPT, help="default: none, as outside a case")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--model-dir", type=Path, default=Path("/tmp/interp-bench-whisper"))
    args = parser.parse_args()
    import ctranslate2
    import faster_whisper
    from faster_whisper import BatchedInferencePipeline

    start = time.perf_counter()
    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    models: dict[str, Any] = {"float32": None}
    for kind in ("int8", "float32") if args.float32 else ("int8",):
        models[kind] = service_models(args, kind)
        models[kind].whisper()  # joins and verifies the files on first use, then loads
    folder = models["int8"].settings.resolved_asr_model_dir
    vad = models["int8"].vad()
    models["pipe"] = BatchedInferencePipeline(models["int8"].whisper()._model)
    clips = load_clips(args.data)
    audio, reference = recording(clips, 30.0 if args.quick else args.seconds)
    print(f"faster-whisper {faster_whisper.__version__}, ctranslate2 {ctranslate2.__version__}")
    print(threads_line(args.threads))
    print(f"model {folder} ready and loaded in {time.perf_counter() - start:.1f} s")
    length = f"{audio.size} samples = {audio.size / SAMPLE_RATE:.3f} s"
    print(f"recording: the {len(clips)} clips cycled (whole clips + 0.5 s gaps), {length}")
    print(f"prompt (product rows): {args.prompt!r}; repeat {args.repeat}, median")

    warm = clips[0][1]
    for kind in ("int8", "float32"):
        if models[kind] is not None:
            plain(models[kind].whisper()._model, warm)
            product(models[kind], warm, args.prompt)
    batched(models["pipe"], warm, None)

    rows = timing_rows(args, models, vad, audio, reference)
    print("\nwhole recording (CER against the joined references):")
    print_table(rows)
    print()
    vad_compare(vad, audio, args.repeat)
    per_clip(models["int8"], clips, args.prompt)
    wall = time.perf_counter() - start
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}; wall {wall:.0f} s")


if __name__ == "__main__":
    main()
