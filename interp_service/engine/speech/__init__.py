"""Speech models: voice activity detection (silero-vad), Mandarin recognition (Whisper in
CTranslate2 via faster-whisper) and CTC models from local cards (transformers).

Importing this package loads none of them; each module imports its library when used.
"""

from interp_service.engine.speech.types import Recognition, SpeechSpan, Word

SAMPLE_RATE = 16_000
"""Every audio array in the engine is float32 mono at this rate (samples per second)."""

__all__ = ["SAMPLE_RATE", "Recognition", "SpeechSpan", "Word"]
