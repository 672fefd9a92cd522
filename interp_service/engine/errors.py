"""Errors raised by the inference engine; the app maps them to HTTP statuses itself."""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""


class EngineOverloaded(EngineError):
    """The request queue of a model is full; the caller should retry later (HTTP 503).

    ``retry_after_s`` is the engine's estimate, in seconds, of when the queue will have room.
    """

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class EngineTimeout(EngineError):
    """The request's deadline passed before its result was ready (HTTP 504)."""


class EngineClosed(EngineError):
    """The model was unloaded or the engine shut down before the request was answered."""


class ModelLoadError(EngineError):
    """A model folder is missing, malformed, corrupt, or could not be loaded."""
