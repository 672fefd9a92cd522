"""The service's speech models, loaded on first use and shared by every route: the voice
activity detector, Whisper behind its language gate, and CTC models for other languages
when a card is installed."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from interp_service.config import Settings

if TYPE_CHECKING:
    from interp_service.engine.speech.ctc import CtcRecognizer
    from interp_service.engine.speech.vad import VoiceActivityDetector
    from interp_service.engine.speech.whisper import WhisperRecognizer
    from interp_service.engine.speech.whisper_rules import Gate


class SpeechModels:
    """Lazy holder; the first caller pays for joining and loading (seconds), later callers
    share the instances. `status()` feeds the readiness probe."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._whisper: WhisperRecognizer | None = None
        self._vad: VoiceActivityDetector | None = None
        self._error: str | None = None
        self._ctc: dict[Path, CtcRecognizer] = {}
        self.ctc_refused: list[tuple[Path, str]] = []

    @property
    def gate(self) -> Gate:
        from interp_service.engine.speech.whisper_rules import Gate

        return Gate(min_mandarin_probability=self.settings.asr_min_mandarin_probability)

    def whisper(self) -> WhisperRecognizer:
        with self._lock:
            if self._whisper is None:
                from interp_service.engine.errors import ModelLoadError
                from interp_service.engine.speech import whisper_files
                from interp_service.engine.speech.whisper import WhisperRecognizer

                try:
                    folder = whisper_files.prepare(self.settings.resolved_asr_model_dir)
                    self._whisper = WhisperRecognizer(
                        folder,
                        compute_type=self.settings.asr_compute_type,
                        threads=self.settings.asr_threads,
                    )
                except ModelLoadError as exc:
                    self._error = str(exc)
                    raise
                self._error = None
            return self._whisper

    def vad(self) -> VoiceActivityDetector:
        with self._lock:
            if self._vad is None:
                from interp_service.engine.speech.vad import VoiceActivityDetector

                self._vad = VoiceActivityDetector()
            return self._vad

    def new_stream_vad(self) -> VoiceActivityDetector:
        """A detector of its own for one live stream (it keeps state between chunks)."""
        from interp_service.engine.speech.vad import VoiceActivityDetector

        return VoiceActivityDetector()

    def ctc_folders(self) -> list[Path]:
        """Where CTC speech models (cards with task "asr-ctc") are looked for."""
        return [
            self.settings.trained_models_dir / "asr-ctc",
            self.settings.shipped_models_dir / "asr-ctc",
        ]

    def ctc_for(self, language: str, variety: str) -> CtcRecognizer | None:
        """A CTC model for the language (and variety, when both name one), scanning the
        folders each call so a model dropped in later is used by the next recording."""
        from interp_service.engine.speech.ctc import CtcRecognizer, scan_ctc_models

        found = [
            child
            for parent in self.ctc_folders()
            if parent.is_dir()
            for child in sorted(parent.iterdir())
            if child.is_dir()
        ]
        cards, refused = scan_ctc_models(found)
        self.ctc_refused = refused
        for card in cards:
            if card.language != language or (variety and card.variety != variety):
                continue
            with self._lock:
                if card.folder not in self._ctc:
                    self._ctc[card.folder] = CtcRecognizer(card.folder)
                return self._ctc[card.folder]
        return None

    def status(self) -> dict[str, object]:
        return {
            "ready": True,
            "whisper_loaded": self._whisper is not None,
            "note": "loaded on first use",
            **(
                {"ctc_refused": [f"{p}: {why}" for p, why in self.ctc_refused]}
                if self.ctc_refused
                else {}
            ),
            **({"failure": self._error} if self._error else {}),
        }
