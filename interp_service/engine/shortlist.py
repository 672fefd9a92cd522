"""Vocabulary shortlist for CTranslate2 (``vmap.txt``), built from the training pairs.

With ``use_vmap`` CTranslate2 computes the output projection and softmax of each batch only
over its candidates instead of the whole target vocabulary: the always-on pieces (the
first line, empty source) plus the candidates listed for each source piece in the batch.
The candidates of a source piece are the piece itself (so names, numbers and placeholders
can always be copied) and the target pieces that co-occur with it most strongly in the
training pairs (Dice coefficient over sentences); the always-on pieces are the most
frequent target pieces, the special tokens and the user-defined symbols (placeholders,
target tags). A source piece never seen in training has no line: it brings only itself
when it is also a target piece, through the always-on list otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import sentencepiece

VMAP_FILE = "vmap.txt"
SPECIAL = ("</s>", "<unk>", "<pad>")


def _load(hf_folder: Path) -> tuple[sentencepiece.SentencePieceProcessor, ...]:
    source = sentencepiece.SentencePieceProcessor(model_file=str(hf_folder / "source.spm"))
    target_spm = hf_folder / "target.spm"
    if not target_spm.is_file():
        return source, source
    return source, sentencepiece.SentencePieceProcessor(model_file=str(target_spm))


def build_vmap(
    pairs: Iterable[tuple[str, str]],
    hf_folder: Path,
    out_path: Path,
    *,
    per_source: int = 24,
    frequent: int = 300,
    min_count: int = 2,
    always: Sequence[str] = (),
) -> int:
    """Write the vocabulary map of the checkpoint in ``hf_folder`` (its ``source.spm`` /
    ``target.spm``) learnt from ``pairs`` (source text, target text) to ``out_path``:
    each source piece with itself and its ``per_source`` most associated target pieces
    among those seen with it in at least ``min_count`` pairs (or in all its pairs, for a
    source piece seen fewer times);
    always on, the ``frequent`` most frequent target pieces, ``always``, the special tokens
    and the user-defined symbols. Returns the number of always-on pieces."""
    source, target = _load(Path(hf_folder))
    target_count: Counter[str] = Counter()
    source_df: Counter[str] = Counter()
    target_df: Counter[str] = Counter()
    joint: dict[str, Counter[str]] = {}
    for src_text, tgt_text in pairs:
        src = set(source.encode(src_text, out_type=str))
        tgt_pieces = list(target.encode(tgt_text, out_type=str))
        target_count.update(tgt_pieces)
        tgt = set(tgt_pieces)
        source_df.update(src)
        target_df.update(tgt)
        for piece in src:
            joint.setdefault(piece, Counter()).update(tgt)
    user = _user_defined(target)
    fixed = [piece for piece, _ in target_count.most_common(frequent)]
    head = list(dict.fromkeys([*SPECIAL, *always, *user, *fixed]))
    lines = ["\t" + " ".join(head)]
    for piece in sorted(joint):
        if not piece.strip() or any(c.isspace() for c in piece):
            continue
        counts = joint[piece]

        def dice(t: str, counts: Counter[str] = counts, piece: str = piece) -> tuple[float, str]:
            return (-2 * counts[t] / (source_df[piece] + target_df[t]), t)

        # A target piece seen once with a source piece seen many times is chance.
        floor = min(min_count, source_df[piece])
        best = [t for t in sorted(counts, key=dice) if counts[t] >= floor][:per_source]
        candidates = [c for c in dict.fromkeys([piece, *best]) if not any(x.isspace() for x in c)]
        lines.append(piece + "\t" + " ".join(candidates))
    Path(out_path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(head)


def _user_defined(processor: sentencepiece.SentencePieceProcessor) -> list[str]:
    """The user-defined symbols of a SentencePiece model (placeholders, target tags)."""
    from sentencepiece import sentencepiece_model_pb2

    model_proto = sentencepiece_model_pb2.ModelProto  # type: ignore[attr-defined]
    proto = model_proto()
    proto.ParseFromString(processor.serialized_model_proto())
    user = model_proto.SentencePiece.USER_DEFINED
    return [p.piece for p in proto.pieces if p.type == user]


def read_vmap_sources(path: Path) -> frozenset[str]:
    """The source pieces that have a line of their own in the vocabulary map ``path``."""
    known = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        key, tab, _ = line.partition("\t")
        if tab and key and " " not in key:
            known.add(key)
    return frozenset(known)
