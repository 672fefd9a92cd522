"""Serving backend: a CTranslate2 model (int8 on CPU) with the model's SentencePiece model."""

from __future__ import annotations

import json
from pathlib import Path

import ctranslate2
import sentencepiece

from interp_service.engine.backends import Hypothesis, check_options
from interp_service.engine.errors import ModelLoadError

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
    """One CTranslate2 replica (``inter_threads=1``) using ``intra_threads`` CPU threads."""

    def __init__(
        self,
        ct2_folder: Path,
        hf_folder: Path,
        intra_threads: int = 1,
        compute_type: str = "int8",
    ) -> None:
        self.codec = SentencePieceCodec(hf_folder)
        self.max_positions = _max_positions(hf_folder)
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
        # Past the model's position table CTranslate2 fails: longer inputs are cut (the
        # pipeline splits sentences first, so this is a guard) and outputs are capped.
        results = self._model.translate_batch(
            [self.codec.encode(text) for text in texts],
            beam_size=beam_size,
            num_hypotheses=num_hypotheses,
            max_input_length=self.max_positions - 1,
            max_decoding_length=min(max_length, self.max_positions - 1),
            min_decoding_length=min_length,
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
