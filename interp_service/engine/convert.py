"""Convert a transformers Marian checkpoint to CTranslate2 (int8 by default)."""

from __future__ import annotations

import shutil
import uuid
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ctranslate2.converters import TransformersConverter

from interp_service.engine.errors import ModelLoadError
from interp_service.engine.shortlist import VMAP_FILE, build_vmap


class _LocalConverter(TransformersConverter):  # type: ignore[misc]
    """TransformersConverter that reads the local folder only and never runs remote code."""

    def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
        kwargs.update(local_files_only=True, trust_remote_code=False)
        return model_class.from_pretrained(model_name_or_path, **kwargs)

    def load_tokenizer(self, tokenizer_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
        kwargs.update(local_files_only=True, trust_remote_code=False)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
            return tokenizer_class.from_pretrained(model_name_or_path, **kwargs)


def convert_to_ct2(
    hf_folder: Path,
    out_folder: Path,
    quantization: str = "int8",
    *,
    shortlist_pairs: Sequence[tuple[str, str]] | None = None,
    always: Sequence[str] = (),
) -> Path:
    """Write the CTranslate2 conversion of ``hf_folder`` to ``out_folder`` (which must not
    exist) through a temporary folder beside it; returns ``out_folder``.

    ``quantization`` is a CTranslate2 weight type: ``int8``, ``int8_float32``, ``float32``.
    With ``shortlist_pairs`` (the training pairs: source text, target text) the folder also
    gets the vocabulary shortlist ``vmap.txt`` (see ``shortlist.build_vmap``; ``always``
    are target pieces always allowed).
    """
    hf_folder, out_folder = Path(hf_folder), Path(out_folder)
    if out_folder.exists():
        raise FileExistsError(f"{out_folder} already exists")
    tmp = out_folder.parent / f".{out_folder.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        _LocalConverter(str(hf_folder)).convert(str(tmp), quantization=quantization)
        if shortlist_pairs:
            build_vmap(shortlist_pairs, hf_folder, tmp / VMAP_FILE, always=always)
        tmp.rename(out_folder)
    except (OSError, ValueError, RuntimeError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelLoadError(f"cannot convert {hf_folder} to CTranslate2: {exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_folder
