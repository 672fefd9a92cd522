"""Train a Marian translation model from sentence pairs, from scratch, on the CPU.

One joint SentencePiece model (placeholders as user-defined symbols) serves both sides;
the model is built from a MarianConfig with random weights, trained with AdamW and teacher
forcing, saved as a transformers checkpoint (``hf/``), converted to CTranslate2 int8
(``ct2/``) and described by ``card.toml``. Everything is written into a temporary folder
beside the destination and renamed at the end, so the destination is whole or absent.

``fit_marian`` is the resumable form the service's training command uses (checkpoints,
dev evaluation and early stopping through ``trainer.run_loop``); ``train_marian`` the
one-shot form for tests and benchmarks.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import MarianConfig, MarianMTModel

from interp_service.engine.cards import ModelCard, read_card, write_card
from interp_service.engine.convert import convert_to_ct2
from interp_service.engine.hf_backend import load_tokenizer
from interp_service.engine.tokenizer import train_sentencepiece, write_tokenizer
from interp_service.engine.trainer import (
    DevScore,
    LoopConfig,
    LoopResult,
    Monitor,
    default_device,
    default_threads,
    run_loop,
    zero_pad_embedding,
)

__all__ = [
    "BASE",
    "TINY",
    "FitResult",
    "LoopConfig",
    "ModelSize",
    "build_model",
    "fit_marian",
    "marian_config",
    "train_marian",
    "train_sentencepiece",
    "write_tokenizer",
    "zero_pad_embedding",
]


@dataclass(frozen=True)
class ModelSize:
    """Transformer dimensions: ``layers`` encoder layers and ``decoder_layers`` decoder
    layers (None: as many as the encoder); ``vocab_size`` is the SentencePiece target size
    in pieces (clipped to what the data allows)."""

    d_model: int = 64
    layers: int = 2
    heads: int = 4
    ffn: int = 256
    vocab_size: int = 1000
    dropout: float = 0.1
    max_positions: int = 256
    decoder_layers: int | None = None

    @property
    def decoder_depth(self) -> int:
        """Decoder layers actually built."""
        return self.layers if self.decoder_layers is None else self.decoder_layers


TINY = ModelSize()
BASE = ModelSize(d_model=512, layers=6, heads=8, ffn=2048, vocab_size=32000)


def marian_config(size: ModelSize, vocab_size: int) -> MarianConfig:
    """A Marian (Opus-MT style) configuration with ``<pad>`` = last id = decoder start."""
    pad = vocab_size - 1
    return MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=size.d_model,
        encoder_layers=size.layers,
        decoder_layers=size.decoder_depth,
        encoder_attention_heads=size.heads,
        decoder_attention_heads=size.heads,
        encoder_ffn_dim=size.ffn,
        decoder_ffn_dim=size.ffn,
        max_position_embeddings=size.max_positions,
        dropout=size.dropout,
        attention_dropout=0.0,
        activation_dropout=0.0,
        activation_function="swish",
        scale_embedding=True,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
    )


def build_model(size: ModelSize, vocab_size: int, seed: int) -> MarianMTModel:
    """A randomly initialised Marian model (seeded), with a zero ``<pad>`` embedding: the
    decoder starts from it, and CTranslate2 starts from a zero vector."""
    torch.manual_seed(seed)
    model = MarianMTModel(marian_config(size, vocab_size))
    zero_pad_embedding(model)
    return model


@dataclass(frozen=True)
class FitResult:
    """What ``fit_marian`` did; ``seconds`` of wall time, ``device`` ``cpu`` or ``cuda``."""

    loop: LoopResult
    vocab_size: int
    seconds: float
    device: str
    threads: int

    def metrics(self) -> dict[str, float]:
        """``train_loss_first`` / ``train_loss_last`` (mean cross-entropy, nats per target
        token, of the first and last 10 steps), ``train_steps``, ``best_step``,
        ``train_seconds`` and, with dev evaluation, ``dev_score`` (the best)."""
        losses = self.loop.losses
        window = max(1, min(10, len(losses)))
        out = {
            "train_loss_first": sum(losses[:window]) / window if losses else 0.0,
            "train_loss_last": sum(losses[-window:]) / window if losses else 0.0,
            "train_steps": float(len(losses)),
            "best_step": float(self.loop.best_step),
            "train_seconds": round(self.seconds, 3),
        }
        if self.loop.best_score is not None:
            out["dev_score"] = self.loop.best_score
        return out


def fit_marian(
    pairs: Sequence[tuple[str, str]],
    hf_folder: Path,
    *,
    size: ModelSize = TINY,
    loop: LoopConfig | None = None,
    tokenizer_type: str = "unigram",
    extra_symbols: Sequence[str] = (),
    threads: int | None = None,
    checkpoint_folder: Path | None = None,
    resume: bool = False,
    fingerprint: str = "",
    dev_score: DevScore | None = None,
    monitor: Monitor | None = None,
) -> FitResult:
    """Train on ``pairs`` (source text, target text) and save the checkpoint (best weights
    by ``dev_score``) and its tokenizer to ``hf_folder``.

    The tokenizer is trained first (``extra_symbols`` kept whole) and written to
    ``hf_folder``; with ``resume`` an existing one there is reused together with the
    checkpoint in ``checkpoint_folder`` (see ``trainer.run_loop``). ``threads`` sets
    torch's CPU threads (default: the machine's cores; restored afterwards). Runs on CUDA
    when available. Sides longer than ``size.max_positions`` tokens are cut to it (the end
    of sentence kept). Raises ValueError without pairs.
    """
    if not pairs:
        raise ValueError("no sentence pairs to train on")
    loop = loop or LoopConfig()
    previous_threads = torch.get_num_threads()
    threads = threads or default_threads()
    torch.set_num_threads(threads)
    started = time.monotonic()
    device = default_device()
    try:
        hf_folder = Path(hf_folder)
        if not (resume and (hf_folder / "tokenizer_config.json").is_file()):
            texts = [text for pair in pairs for text in pair]
            spm = train_sentencepiece(texts, size.vocab_size, tokenizer_type, 1, extra_symbols)
            write_tokenizer(spm, hf_folder)
        tokenizer = load_tokenizer(hf_folder)
        vocab_size = len(tokenizer.get_vocab())
        cut = {"truncation": True, "max_length": size.max_positions}
        encoded_src = tokenizer([s for s, _ in pairs], **cut)["input_ids"]
        encoded_tgt = tokenizer(text_target=[t for _, t in pairs], **cut)["input_ids"]
        encoded = list(zip(encoded_src, encoded_tgt, strict=True))
        model = build_model(size, vocab_size, loop.seed)
        model.to(device)  # type: ignore[arg-type]
        result = run_loop(
            model,
            encoded,
            loop,
            tokenizer=tokenizer,
            device=device,
            checkpoint_folder=checkpoint_folder,
            resume=resume,
            fingerprint=fingerprint,
            dev_score=dev_score,
            monitor=monitor,
        )
        model.to("cpu")  # type: ignore[arg-type]
        model.save_pretrained(str(hf_folder))
    finally:
        torch.set_num_threads(previous_threads)
    return FitResult(result, vocab_size, time.monotonic() - started, device.type, threads)


class _StepCallback:
    def __init__(self, on_step: Callable[[int, float], None]) -> None:
        self.on_step = on_step

    def started(self, total_steps: int, done_steps: int) -> None:
        pass

    def stepped(self, step: int, loss: float) -> None:
        self.on_step(step, loss)

    def evaluated(self, step: int, score: float, best: float) -> None:
        pass


def train_marian(
    pairs: Sequence[tuple[str, str]],
    out_folder: Path,
    *,
    name: str,
    version: str,
    source_language: str,
    target_language: str,
    source_variety: str = "",
    target_variety: str = "",
    size: ModelSize = TINY,
    tokenizer_type: str = "unigram",
    epochs: int = 20,
    steps: int | None = None,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    warmup_steps: int = 20,
    seed: int = 1,
    threads: int | None = None,
    licence: str = "proprietary",
    source: str = "",
    on_step: Callable[[int, float], None] | None = None,
) -> ModelCard:
    """Train a model on ``pairs`` (source text, target text) and write it to ``out_folder``.

    Trains for ``steps`` optimizer steps when given, else ``epochs`` passes over the pairs;
    ``batch_size`` is in sentence pairs, ``learning_rate`` the AdamW peak after a linear
    warm-up of ``warmup_steps``. ``on_step(step, loss)`` sees each step's mean cross-entropy
    (nats per target token). The card's metrics hold ``train_loss_first`` and
    ``train_loss_last`` (means over the first and last 10 steps), ``train_steps``,
    ``train_pairs`` and ``train_seconds``. ``threads`` sets torch's CPU threads for the
    training (default: the machine's cores; restored afterwards; one thread is fastest for
    tiny models). No dev evaluation, no checkpoints: see ``fit_marian`` for those.
    Raises FileExistsError if ``out_folder`` exists and ValueError without pairs.
    """
    out_folder = Path(out_folder)
    if out_folder.exists():
        raise FileExistsError(f"{out_folder} already exists")
    if not pairs:
        raise ValueError("no sentence pairs to train on")
    out_folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_folder.parent / f".{out_folder.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        loop = LoopConfig(
            epochs=epochs,
            steps=steps,
            batch_size=batch_size,
            learning_rate=learning_rate,
            warmup_steps=warmup_steps,
            seed=seed,
        )
        fitted = fit_marian(
            pairs,
            tmp / "hf",
            size=size,
            loop=loop,
            tokenizer_type=tokenizer_type,
            threads=threads,
            monitor=_StepCallback(on_step) if on_step is not None else None,
        )
        convert_to_ct2(tmp / "hf", tmp / "ct2", shortlist_pairs=pairs)
        metrics = fitted.metrics()
        del metrics["best_step"]
        metrics["train_pairs"] = float(len(pairs))
        write_card(
            ModelCard(
                task="mt",
                name=name,
                version=version,
                source_language=source_language,
                target_language=target_language,
                source_variety=source_variety,
                target_variety=target_variety,
                licence=licence,
                source=source or f"trained by the service on {len(pairs)} sentence pairs",
                folder=tmp,
                metrics=metrics,
            )
        )
        tmp.rename(out_folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return read_card(out_folder)
