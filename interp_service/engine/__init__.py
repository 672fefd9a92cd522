"""Inference engine: the only code that imports torch, transformers or ctranslate2.

Importing this package (or ``cards``, ``batcher``, ``fake``, ``service``) loads none of
them; the backends (``hf_backend``, ``ct2_backend``), ``convert`` and ``training`` do.
"""

from interp_service.engine.backends import Hypothesis, Translator
from interp_service.engine.batcher import BatcherStats, MicroBatcher
from interp_service.engine.cards import ModelCard, read_card, scan_cards, write_card
from interp_service.engine.errors import (
    EngineClosed,
    EngineError,
    EngineOverloaded,
    EngineTimeout,
    ModelLoadError,
)
from interp_service.engine.options import BatchingOptions
from interp_service.engine.service import Engine, LoadedModel, promote

__all__ = [
    "BatcherStats",
    "BatchingOptions",
    "Engine",
    "EngineClosed",
    "EngineError",
    "EngineOverloaded",
    "EngineTimeout",
    "Hypothesis",
    "LoadedModel",
    "MicroBatcher",
    "ModelCard",
    "ModelLoadError",
    "Translator",
    "promote",
    "read_card",
    "scan_cards",
    "write_card",
]
