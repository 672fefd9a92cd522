"""Train a Marian translation model from sentence pairs, from scratch, on the CPU.

One joint SentencePiece model (placeholders as user-defined symbols) serves both sides;
the model is built from a MarianConfig with random weights, trained with AdamW and teacher
forcing, saved as a transformers checkpoint (``hf/``), converted to CTranslate2 int8
(``ct2/``) and described by ``card.toml``. Everything is written into a temporary folder
beside the destination and renamed at the end, so the destination is whole or absent.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sentencepiece
import torch
from transformers import MarianConfig, MarianMTModel

from interp_service.engine.cards import ModelCard, read_card, write_card
from interp_service.engine.convert import convert_to_ct2
from interp_service.engine.hf_backend import load_tokenizer
from interp_service.engine.placeholders import all_placeholders

EOS, UNK, PAD = "</s>", "<unk>", "<pad>"
_TOO_HIGH = re.compile(r"Vocabulary size too high \((\d+)\)\. Please set it to a value <= (\d+)")


@dataclass(frozen=True)
class ModelSize:
    """Transformer dimensions: ``layers`` encoder and as many decoder layers; ``vocab_size``
    is the SentencePiece target size in pieces (clipped to what the data allows)."""

    d_model: int = 64
    layers: int = 2
    heads: int = 4
    ffn: int = 256
    vocab_size: int = 1000
    dropout: float = 0.1
    max_positions: int = 256


TINY = ModelSize()
BASE = ModelSize(d_model=512, layers=6, heads=8, ffn=2048, vocab_size=32000)


def train_sentencepiece(
    texts: Sequence[str], vocab_size: int, model_type: str = "unigram", threads: int = 1
) -> bytes:
    """A SentencePiece model (serialized; ``model_type`` ``unigram`` or ``bpe``) over
    ``texts``: full character coverage,
    no normalisation, the placeholders as user-defined symbols, ids ``<unk>``=0 and
    ``</s>``=1, no ``<s>`` or pad. A vocabulary size above what the data allows is lowered
    to the largest the trainer accepts."""
    size = vocab_size
    for _ in range(4):
        buffer = io.BytesIO()
        try:
            sentencepiece.SentencePieceTrainer.train(
                sentence_iterator=iter(texts),
                model_writer=buffer,
                vocab_size=size,
                model_type=model_type,
                character_coverage=1.0,
                normalization_rule_name="identity",
                user_defined_symbols=all_placeholders(),
                unk_id=0,
                eos_id=1,
                bos_id=-1,
                pad_id=-1,
                num_threads=threads,
                minloglevel=2,
            )
        except RuntimeError as exc:
            match = _TOO_HIGH.search(str(exc))
            if match is None or int(match.group(2)) >= size:
                raise
            size = int(match.group(2))
            continue
        return buffer.getvalue()
    raise RuntimeError("SentencePiece training did not settle on a vocabulary size")


def write_tokenizer(spm_model: bytes, hf_folder: Path) -> dict[str, int]:
    """Write source.spm, target.spm (the same joint model) and vocab.json so that
    MarianTokenizer loads the folder; returns the vocabulary (piece → id).

    Ids follow the Marian convention: ``</s>`` 0, ``<unk>`` 1, then the pieces, ``<pad>`` last.
    """
    hf_folder.mkdir(parents=True, exist_ok=True)
    (hf_folder / "source.spm").write_bytes(spm_model)
    (hf_folder / "target.spm").write_bytes(spm_model)
    processor = sentencepiece.SentencePieceProcessor(model_proto=spm_model)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    vocab = {EOS: 0, UNK: 1}
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    vocab[PAD] = len(vocab)
    (hf_folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=0))
    config = {
        "tokenizer_class": "MarianTokenizer",
        "model_max_length": 512,
        "separate_vocabs": False,
        "eos_token": EOS,
        "unk_token": UNK,
        "pad_token": PAD,
    }
    (hf_folder / "tokenizer_config.json").write_text(json.dumps(config, indent=1))
    return vocab


def marian_config(size: ModelSize, vocab_size: int) -> MarianConfig:
    """A Marian (Opus-MT style) configuration with ``<pad>`` = last id = decoder start."""
    pad = vocab_size - 1
    return MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=size.d_model,
        encoder_layers=size.layers,
        decoder_layers=size.layers,
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


def zero_pad_embedding(model: MarianMTModel) -> None:
    """Set the (shared) embedding row of ``<pad>`` to zero."""
    embedding = model.get_input_embeddings()
    assert isinstance(embedding, torch.nn.Embedding)
    with torch.no_grad():
        embedding.weight[model.config.pad_token_id].zero_()


def _batches(
    pairs: list[tuple[list[int], list[int]]], batch_size: int, pad: int, rng: random.Random
) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
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


def _lr_factor(step: int, warmup: int, total: int) -> float:
    """Linear warm-up over ``warmup`` steps, then linear decay to 5 % at ``total``."""
    if step < warmup:
        return (step + 1) / warmup
    return max(0.05, (total - step) / max(1, total - warmup))


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
    training (restored afterwards; one thread is fastest for tiny models).
    Raises FileExistsError if ``out_folder`` exists and ValueError without pairs.
    """
    out_folder = Path(out_folder)
    if out_folder.exists():
        raise FileExistsError(f"{out_folder} already exists")
    if not pairs:
        raise ValueError("no sentence pairs to train on")
    previous_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    started = time.monotonic()
    out_folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_folder.parent / f".{out_folder.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        hf = tmp / "hf"
        texts = [text for pair in pairs for text in pair]
        write_tokenizer(train_sentencepiece(texts, size.vocab_size, tokenizer_type), hf)
        tokenizer = load_tokenizer(hf)
        vocab_size = len(tokenizer.get_vocab())
        encoded_src = tokenizer([s for s, _ in pairs])["input_ids"]
        encoded_tgt = tokenizer(text_target=[t for _, t in pairs])["input_ids"]
        encoded = list(zip(encoded_src, encoded_tgt, strict=True))
        model = build_model(size, vocab_size, seed)
        model.train()
        optimizer = torch.optim.AdamW(
            model.parameters(), lr=learning_rate, betas=(0.9, 0.98), weight_decay=0.0
        )
        rng = random.Random(seed)
        per_epoch = -(-len(encoded) // batch_size)
        total = steps if steps is not None else epochs * per_epoch
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: _lr_factor(step, warmup_steps, total)
        )
        losses: list[float] = []
        while len(losses) < total:
            for ids, mask, labels in _batches(encoded, batch_size, vocab_size - 1, rng):
                loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                zero_pad_embedding(model)
                losses.append(loss.item())
                if on_step is not None:
                    on_step(len(losses), losses[-1])
                if len(losses) >= total:
                    break
        model.train(False)
        model.save_pretrained(str(hf))
        convert_to_ct2(hf, tmp / "ct2")
        window = min(10, len(losses))
        metrics = {
            "train_loss_first": sum(losses[:window]) / window,
            "train_loss_last": sum(losses[-window:]) / window,
            "train_steps": float(len(losses)),
            "train_pairs": float(len(pairs)),
            "train_seconds": round(time.monotonic() - started, 3),
        }
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
    finally:
        torch.set_num_threads(previous_threads)
    return read_card(out_folder)
