"""The joint SentencePiece vocabulary of a Marian model and its MarianTokenizer files."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from pathlib import Path

import sentencepiece

from interp_service.engine.placeholders import all_placeholders

EOS, UNK, PAD = "</s>", "<unk>", "<pad>"
_TOO_HIGH = re.compile(r"Vocabulary size too high \((\d+)\)\. Please set it to a value <= (\d+)")
_TOO_LOW = re.compile(r"Vocabulary size is smaller than required_chars\. (\d+) vs (\d+)")


def train_sentencepiece(
    texts: Sequence[str],
    vocab_size: int,
    model_type: str = "unigram",
    threads: int = 1,
    extra_symbols: Sequence[str] = (),
) -> bytes:
    """A SentencePiece model (serialized; ``model_type`` ``unigram`` or ``bpe``) over
    ``texts``: full character coverage, no normalisation, the placeholders and
    ``extra_symbols`` (e.g. target tags ``<2cmn>``) as user-defined symbols, ids
    ``<unk>``=0 and ``</s>``=1, no ``<s>`` or pad. A vocabulary size above what the data
    allows is lowered to the largest the trainer accepts; one below the number of distinct
    characters (full coverage keeps each one) is raised to it."""
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
                user_defined_symbols=[*all_placeholders(), *extra_symbols],
                unk_id=0,
                eos_id=1,
                bos_id=-1,
                pad_id=-1,
                num_threads=threads,
                minloglevel=2,
            )
        except RuntimeError as exc:
            high, low = _TOO_HIGH.search(str(exc)), _TOO_LOW.search(str(exc))
            if high is not None and int(high.group(2)) < size:
                size = int(high.group(2))
            elif low is not None and int(low.group(2)) > size:
                size = int(low.group(2))
            else:
                raise
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
