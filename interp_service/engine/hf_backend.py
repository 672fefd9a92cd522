"""Reference backend: the transformers checkpoint (fp32, or int8 by dynamic quantization)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from interp_service.engine.backends import Hypothesis, check_options
from interp_service.engine.errors import ModelLoadError


def load_tokenizer(hf_folder: Path) -> Any:
    """The checkpoint's MarianTokenizer, from the local folder only (no hub, no remote code)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        return AutoTokenizer.from_pretrained(
            str(hf_folder), local_files_only=True, trust_remote_code=False
        )


class TransformersTranslator:
    """A transformers seq2seq checkpoint; ``threads`` sets torch's (process-wide) CPU
    thread count; ``int8`` quantizes every nn.Linear dynamically to int8."""

    def __init__(self, hf_folder: Path, threads: int = 1, int8: bool = False) -> None:
        torch.set_num_threads(threads)
        try:
            self.tokenizer = load_tokenizer(Path(hf_folder))
            model = AutoModelForSeq2SeqLM.from_pretrained(
                str(hf_folder), local_files_only=True, trust_remote_code=False
            )
        except (OSError, ValueError, KeyError) as exc:
            raise ModelLoadError(f"cannot load transformers model {hf_folder}: {exc}") from exc
        model.eval()
        if int8:
            # torch.ao's eager dynamic quantization is deprecated in favour of torchao, which
            # is not installed; it still works in torch 2.13 and serves as a comparison only.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.filterwarnings("ignore", message=".*quantize_per_tensor")
                model = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                    model, {torch.nn.Linear}, dtype=torch.qint8
                )
        self.model = model
        config = model.config
        self._special = {
            i for i in (config.pad_token_id, config.eos_token_id, config.decoder_start_token_id)
        }
        self._pad = config.pad_token_id

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
        inputs = self.tokenizer(texts, return_tensors="pt", padding=True)
        search: dict[str, Any] = {"num_beams": beam_size, "num_return_sequences": num_hypotheses}
        if beam_size > 1:
            search.update(early_stopping=True, length_penalty=1.0)
        with torch.inference_mode():
            out = self.model.generate(
                **inputs,
                **search,
                do_sample=False,
                max_new_tokens=max_length,
                min_new_tokens=min_length,
                bad_words_ids=[[self._pad]],
                forced_eos_token_id=None,
                output_scores=True,
                return_dict_in_generate=True,
            )
            sequences = out.sequences
            if beam_size > 1:
                scores = out.sequences_scores.tolist()
            else:
                steps = self.model.compute_transition_scores(
                    sequences, out.scores, normalize_logits=True
                )
                generated = sequences[:, 1:]
                mask = generated != self._pad
                totals = (steps.masked_fill(~mask, 0.0)).sum(dim=1)
                scores = (totals / mask.sum(dim=1).clamp(min=1)).tolist()
        texts_out = self.tokenizer.batch_decode(sequences, skip_special_tokens=True)
        counts = [sum(1 for t in row.tolist() if t not in self._special) for row in sequences]
        hyps = [
            Hypothesis(text.strip(), float(score), count)
            for text, score, count in zip(texts_out, scores, counts, strict=True)
        ]
        return [hyps[i : i + num_hypotheses] for i in range(0, len(hyps), num_hypotheses)]
