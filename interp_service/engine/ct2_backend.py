"""Serving backend: a CTranslate2 model (int8 on CPU) with the model's SentencePiece model."""

from __future__ import annotations

import json
from pathlib import Path

import ctranslate2
import sentencepiece

from interp_service.engine.backends import Hypothesis, check_options
from interp_service.engine.errors import ModelLoadError
from interp_service.engine.shortlist import VMAP_FILE, read_vmap_sources

EOS = "</s>"


class SentencePieceCodec:
    """Text ↔ pieces with the checkpoint's own SentencePiece models (``source.spm`` and
    ``target.spm`` in the transformers folder), as MarianTokenizer does it."""

    def __init__(self, hf_folder: Path) -> None:
        try:
            self.source = sentencepiece.SentencePieceProcessor(
                model_file=str(Path(hf_folder) / "source.spm")
            )
            target = Path(hf_folder) / "target.spm"
            self.target = (
                sentencepiece.SentencePieceProcessor(model_file=str(target))
                if target.is_file()
                else self.source
            )
        except (OSError, RuntimeError) as exc:
            raise ModelLoadError(
                f"cannot load SentencePiece model from {hf_folder}: {exc}"
            ) from exc

    def encode(self, text: str) -> list[str]:
        """Source pieces of ``text`` followed by the end-of-sentence token."""
        pieces: list[str] = self.source.encode(text, out_type=str)
        return [*pieces, EOS]

    def decode(self, pieces: list[str]) -> str:
        """Target text of output pieces; placeholders such as ``<t0>`` come back verbatim."""
        return str(self.target.decode_pieces(pieces)).strip()

    def count(self, text: str) -> int:
        """Number of source tokens of ``text``, end-of-sentence included."""
        return len(self.source.encode(text)) + 1


def _max_positions(hf_folder: Path) -> int:
    """The checkpoint's position-table size in tokens (512 when the config does not say)."""
    try:
        config = json.loads((Path(hf_folder) / "config.json").read_text(encoding="utf-8"))
        return int(config.get("max_position_embeddings", 512))
    except (OSError, ValueError, TypeError):
        return 512


class CTranslate2Translator:
    """One CTranslate2 replica (``inter_threads=1``) using ``intra_threads`` CPU threads.

    With ``use_vmap`` and a ``vmap.txt`` in ``ct2_folder`` (written at training time, see
    ``shortlist``), the output layer is computed over the batch's shortlist only. A
    sentence with a source piece the shortlist has no line for (never seen in training, so
    nothing says which target pieces it needs) is translated over the whole vocabulary.
    ``shortlisted`` / ``full`` count the sentences translated each way."""

    def __init__(
        self,
        ct2_folder: Path,
        hf_folder: Path,
        intra_threads: int = 1,
        compute_type: str = "int8",
        use_vmap: bool = True,
    ) -> None:
        self.codec = SentencePieceCodec(hf_folder)
        self.max_positions = _max_positions(hf_folder)
        vmap = Path(ct2_folder) / VMAP_FILE
        self.use_vmap = use_vmap and vmap.is_file()
        self._known: frozenset[str] = read_vmap_sources(vmap) if self.use_vmap else frozenset()
        self.shortlisted = 0
        self.full = 0
        try:
            self._model = ctranslate2.Translator(
                str(ct2_folder),
                device="cpu",
                compute_type=compute_type,
                inter_threads=1,
                intra_threads=intra_threads,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelLoadError(f"cannot load CTranslate2 model {ct2_folder}: {exc}") from exc

    def count_tokens(self, text: str) -> int:
        """Number of source tokens of ``text`` (for the batcher's token budget)."""
        return self.codec.count(text)

    def translate_batch(
        self,
        texts: list[str],
        *,
        beam_size: int = 1,
        num_hypotheses: int = 1,
        max_length: int = 128,
        min_length: int = 0,
    ) -> list[list[Hypothesis]]:
        """See ``Translator.translate_batch``; lengths are in target tokens."""
        check_options(beam_size, num_hypotheses, max_length, min_length)
        if not texts:
            return []
        encoded = [self.codec.encode(text) for text in texts]
        options = {"beam_size": beam_size, "num_hypotheses": num_hypotheses}
        if not self.use_vmap:
            self.full += len(texts)
            return self._run(encoded, max_length, min_length, False, options)
        known = self._known
        covered = [all(p in known for p in pieces[:-1]) for pieces in encoded]
        out: list[list[Hypothesis] | None] = [None] * len(texts)
        for shortlist in (True, False):
            chosen = [i for i, c in enumerate(covered) if c == shortlist]
            if not chosen:
                continue
            if shortlist:
                self.shortlisted += len(chosen)
            else:
                self.full += len(chosen)
            results = self._run(
                [encoded[i] for i in chosen], max_length, min_length, shortlist, options
            )
            for i, nbest in zip(chosen, results, strict=True):
                out[i] = nbest
        return [nbest for nbest in out if nbest is not None]

    def _run(
        self,
        encoded: list[list[str]],
        max_length: int,
        min_length: int,
        use_vmap: bool,
        options: dict[str, int],
    ) -> list[list[Hypothesis]]:
        # Past the model's position table CTranslate2 fails: longer inputs are cut (the
        # pipeline splits sentences first, so this is a guard) and outputs are capped.
        results = self._model.translate_batch(
            encoded,
            **options,
            max_input_length=self.max_positions - 1,
            max_decoding_length=min(max_length, self.max_positions - 1),
            min_decoding_length=min_length,
            use_vmap=use_vmap,
            return_scores=True,
        )
        out: list[list[Hypothesis]] = []
        for result in results:
            nbest: list[Hypothesis] = []
            for pieces, score in zip(result.hypotheses, result.scores, strict=True):
                text = self.codec.decode(pieces)
                nbest.append(Hypothesis(text, float(score), len(pieces)))
            out.append(nbest)
        return out
