"""The training loop: AdamW with warm-up, dev evaluation with early stopping, checkpoints.

``run_loop`` trains a Marian model on encoded pairs. Every ``eval_every`` optimizer steps
it hands a greedy translate function to the caller's ``dev_score`` callback (the engine does
not know how the caller scores: chrF with sacrebleu in ``interp_service.training``) and
keeps the best weights; it stops after ``patience`` evaluations without improvement.
Every ``checkpoint_every`` steps it writes model, optimizer, scheduler, step, batch
position and RNG states to ``checkpoint_folder``; a run resumed from there goes on exactly
as an uninterrupted one would (same batches, same dropout masks, same result on the same
device and thread count). Uses CUDA when ``torch.cuda.is_available()``, never requires it.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch
from transformers import MarianMTModel

TranslateFn = Callable[[list[str]], list[str]]
"""Source texts → greedy translations, in input order."""
DevScore = Callable[[TranslateFn], float]
"""Scores a model (higher is better, e.g. dev chrF 0-100) through its translate function."""
Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]
STATE_FILE = "state.pt"
BEST_FILE = "best.pt"


class Monitor(Protocol):
    """What a progress display is told; every method is called on the training thread."""

    def started(self, total_steps: int, done_steps: int) -> None: ...

    def stepped(self, step: int, loss: float) -> None: ...

    def evaluated(self, step: int, score: float, best: float) -> None: ...


@dataclass(frozen=True)
class LoopConfig:
    """``steps`` optimizer steps when given, else ``epochs`` passes; ``batch_size`` in
    sentence pairs; ``learning_rate`` the AdamW peak after ``warmup_steps`` of linear
    warm-up; ``eval_every`` / ``checkpoint_every`` in steps (None: never); ``patience`` in
    evaluations, and no early stop before step ``min_steps``; ``min_delta`` the least
    gain (score units) that counts as better;
    ``max_seconds`` a wall-clock budget for the loop (a run stopped by it is not
    reproducible)."""

    epochs: int = 20
    steps: int | None = None
    batch_size: int = 32
    learning_rate: float = 1e-3
    warmup_steps: int = 20
    seed: int = 1
    eval_every: int | None = None
    patience: int = 5
    min_steps: int = 0
    min_delta: float = 0.0
    checkpoint_every: int | None = None
    max_seconds: float | None = None


@dataclass
class LoopResult:
    """``losses``: mean cross-entropy per target token (nats) of each step; ``evaluations``:
    (step, dev score); ``stopped``: ``completed``, ``early-stopped`` or ``time-budget``."""

    losses: list[float] = field(default_factory=list)
    evaluations: list[tuple[int, float]] = field(default_factory=list)
    best_step: int = 0
    best_score: float | None = None
    stopped: str = "completed"
    resumed_from: int = 0
    total_steps: int = 0

    @property
    def steps(self) -> int:
        return len(self.losses)


def default_device() -> torch.device:
    """CUDA when available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def default_threads() -> int:
    """Torch CPU threads when none are asked for: the machine's cores."""
    return os.cpu_count() or 1


def zero_pad_embedding(model: MarianMTModel) -> None:
    """Set the (shared) embedding row of ``<pad>`` to zero."""
    embedding = model.get_input_embeddings()
    assert isinstance(embedding, torch.nn.Embedding)
    with torch.no_grad():
        embedding.weight[model.config.pad_token_id].zero_()


def make_batches(
    pairs: list[tuple[list[int], list[int]]], batch_size: int, pad: int, rng: random.Random
) -> list[Batch]:
    """One epoch: the pairs shuffled by ``rng``, padded batches (ids, mask, labels)."""
    order = list(range(len(pairs)))
    rng.shuffle(order)
    out = []
    for start in range(0, len(order), batch_size):
        chunk = [pairs[i] for i in order[start : start + batch_size]]
        src_len = max(len(s) for s, _ in chunk)
        tgt_len = max(len(t) for _, t in chunk)
        ids = torch.tensor([s + [pad] * (src_len - len(s)) for s, _ in chunk])
        labels = torch.tensor([t + [-100] * (tgt_len - len(t)) for _, t in chunk])
        out.append((ids, (ids != pad).long(), labels))
    return out


def lr_factor(step: int, warmup: int, total: int) -> float:
    """Linear warm-up over ``warmup`` steps, then linear decay to 5 % at ``total``."""
    if step < warmup:
        return (step + 1) / warmup
    return max(0.05, (total - step) / max(1, total - warmup))


def greedy_translator(
    model: MarianMTModel, tokenizer: Any, device: torch.device, batch_size: int = 64
) -> TranslateFn:
    """Greedy translation with the model's current weights (dropout off while it runs)."""
    pad = model.config.pad_token_id
    limit = model.config.max_position_embeddings - 2

    def translate(texts: list[str]) -> list[str]:
        was_training = model.training
        model.train(False)
        out = [""] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        try:
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                inputs = tokenizer(
                    [texts[i] for i in chunk],
                    return_tensors="pt",
                    padding=True,
                    truncation=True,
                    max_length=limit,
                ).to(device)
                with torch.inference_mode():
                    generated = model.generate(
                        **inputs,
                        num_beams=1,
                        do_sample=False,
                        max_new_tokens=min(limit, 2 * inputs["input_ids"].shape[1] + 16),
                        bad_words_ids=[[pad]],
                    )
                decoded = tokenizer.batch_decode(generated, skip_special_tokens=True)
                for i, text in zip(chunk, decoded, strict=True):
                    out[i] = text.strip()
        finally:
            model.train(was_training)
        return out

    return translate


def _save(obj: Any, path: Path) -> None:
    """torch.save through a temporary file, so a checkpoint is whole or absent."""
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _weights(model: MarianMTModel) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def run_loop(
    model: MarianMTModel,
    encoded: list[tuple[list[int], list[int]]],
    config: LoopConfig,
    *,
    tokenizer: Any,
    device: torch.device,
    checkpoint_folder: Path | None = None,
    resume: bool = False,
    fingerprint: str = "",
    dev_score: DevScore | None = None,
    monitor: Monitor | None = None,
) -> LoopResult:
    """Train ``model`` (already on ``device``) in place; on return it holds the best weights
    (by dev score; the last ones without ``dev_score``) and is in inference mode.

    With ``resume`` and a checkpoint in ``checkpoint_folder`` the run continues from it;
    ``fingerprint`` (of the data and configuration) must match the checkpoint's, else
    ValueError. An exception (KeyboardInterrupt included) leaves the last checkpoint.
    """
    started = time.monotonic()
    pad = model.config.pad_token_id
    assert isinstance(pad, int)
    model.train()
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, betas=(0.9, 0.98), weight_decay=0.0
    )
    per_epoch = -(-len(encoded) // config.batch_size)
    total = config.steps if config.steps is not None else config.epochs * per_epoch
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: lr_factor(step, config.warmup_steps, total)
    )
    rng = random.Random(config.seed)
    result = LoopResult(total_steps=total)
    best: dict[str, torch.Tensor] | None = None
    bad_evaluations, skip = 0, 0
    state_path = checkpoint_folder / STATE_FILE if checkpoint_folder else None
    if resume and state_path is not None and state_path.is_file():
        state = torch.load(state_path, map_location=device, weights_only=False)
        if state["fingerprint"] != fingerprint:
            raise ValueError("the checkpoint was made from other data or settings")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        rng.setstate(state["epoch_rng"])
        skip = state["batch_index"]
        torch.set_rng_state(state["torch_rng"].cpu())
        if device.type == "cuda" and state.get("cuda_rng") is not None:
            torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda_rng"]])
        result.losses, result.evaluations = state["losses"], state["evaluations"]
        result.best_step, result.best_score = state["best_step"], state["best_score"]
        bad_evaluations = state["bad_evaluations"]
        result.resumed_from = result.steps
        if result.best_score is not None and checkpoint_folder is not None:
            saved = torch.load(checkpoint_folder / BEST_FILE, map_location=device)
            if saved["step"] != result.best_step:
                raise ValueError("the best-weights file does not match the checkpoint")
            best = saved["model"]
    if monitor is not None:
        monitor.started(total, result.steps)

    def evaluate() -> None:
        nonlocal best, bad_evaluations
        assert dev_score is not None
        score = float(dev_score(greedy_translator(model, tokenizer, device)))
        result.evaluations.append((result.steps, score))
        if result.best_score is None or score > result.best_score + config.min_delta:
            result.best_score, result.best_step, bad_evaluations = score, result.steps, 0
            best = _weights(model)
            if checkpoint_folder is not None:
                _save({"step": result.steps, "model": best}, checkpoint_folder / BEST_FILE)
        else:
            bad_evaluations += 1
        if monitor is not None:
            monitor.evaluated(result.steps, score, result.best_score)

    def checkpoint(epoch_rng: object, batch_index: int) -> None:
        assert checkpoint_folder is not None
        state = {
            "fingerprint": fingerprint,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "epoch_rng": epoch_rng,
            "batch_index": batch_index,
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if device.type == "cuda" else None,
            "losses": result.losses,
            "evaluations": result.evaluations,
            "best_step": result.best_step,
            "best_score": result.best_score,
            "bad_evaluations": bad_evaluations,
        }
        _save(state, checkpoint_folder / STATE_FILE)

    if checkpoint_folder is not None:
        checkpoint_folder.mkdir(parents=True, exist_ok=True)
    stop = result.steps >= total
    while not stop:
        epoch_rng = rng.getstate()
        batches = make_batches(encoded, config.batch_size, pad, rng)
        for index in range(skip, len(batches)):
            ids, mask, labels = (t.to(device) for t in batches[index])
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            zero_pad_embedding(model)
            result.losses.append(loss.item())
            if monitor is not None:
                monitor.stepped(result.steps, result.losses[-1])
            step = result.steps
            if dev_score is not None and config.eval_every and step % config.eval_every == 0:
                evaluate()
                if bad_evaluations >= config.patience and step >= config.min_steps:
                    result.stopped, stop = "early-stopped", True
            every = config.checkpoint_every or 0
            if checkpoint_folder is not None and every and step % every == 0:
                checkpoint(epoch_rng, index + 1)
            budget = config.max_seconds
            if budget is not None and time.monotonic() - started > budget and step < total:
                result.stopped, stop = "time-budget", True
            if step >= total:
                stop = True
            if stop:
                break
        skip = 0
    step = result.steps
    if dev_score is not None and (not result.evaluations or result.evaluations[-1][0] != step):
        evaluate()
    if best is not None and result.best_step != result.steps:
        model.load_state_dict(best)
    if dev_score is None:
        result.best_step = result.steps
    model.train(False)
    return result
