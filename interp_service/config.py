"""One settings object for the whole service; every value can be set by an `INTERP_` variable."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from interp_service.engine.options import DEFAULT_BATCHING, BatchingOptions


class Settings(BaseSettings):
    """Service configuration. Sizes are in bytes, durations in seconds unless named otherwise."""

    model_config = SettingsConfigDict(env_prefix="INTERP_", env_file=None, extra="ignore")

    data_dir: Path = Field(
        default=Path("var"), description="Files, evidence and the SQLite database"
    )
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite if unset")
    host: str = "127.0.0.1"
    port: int = 8000

    admin_username: str | None = None
    admin_password: str | None = None

    # Cookies get the Secure flag when the service is reached over HTTPS (directly or
    # through a proxy that says so); `force_secure_cookies` sets it always.
    force_secure_cookies: bool = False
    session_hours: float = 12.0
    api_token_default_days: int = 90

    # Failed logins: after `login_backoff_after` failures each further attempt must wait
    # base * 2**(n - after) seconds; after `login_lock_after` failures the account locks.
    login_backoff_after: int = 3
    login_backoff_base_s: float = 2.0
    login_lock_after: int = 8
    login_lock_minutes: float = 15.0

    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 512 * 1_048_576
    due_soon_days: int = 7
    job_workers: int = 2
    # Queued jobs (jobs/queue.py): run on `job_workers` threads of the service process, or,
    # with a Redis URL, by `interp-service worker` processes on any machine (Dramatiq).
    redis_url: str = Field(
        default="",
        description="Redis URL of the job queue, e.g. redis://127.0.0.1:6379/0; empty: "
        "queued jobs run in the service process",
    )
    queue_namespace: str = Field(
        default="interp", min_length=1, description="Prefix of the job queue's Redis keys"
    )
    queue_heartbeat_s: float = Field(
        default=30.0,
        gt=0,
        description="Seconds without a heartbeat after which a worker (or a job's run) counts "
        "as dead and its job is run again elsewhere",
    )
    queue_maintenance_chance: float = Field(
        default=0.05,
        gt=0,
        le=1,
        description="Share of a worker's queue polls (about one a second when idle) that also "
        "put dead workers' jobs back on the queue",
    )

    # Translation: memory first, then a promoted model, then the lexical gloss.
    mt_beam_size: int = Field(
        default=4,
        ge=1,
        le=10,
        description="Beam width of a promoted translation model (1 = greedy decoding, and no "
        "alternatives)",
    )
    memory_fuzzy_threshold: float = Field(
        default=75.0, ge=0, le=100, description="Lowest fuzzy memory score offered (0-100)"
    )
    shipped_models_dir: Path = Field(
        default=Path(__file__).resolve().parent.parent / "models",
        description="Read-only shipped model cards",
    )
    # Serving a loaded model; the defaults live in BatchingOptions (see `batching()`).
    engine_replicas: int = Field(
        default=DEFAULT_BATCHING.replicas, ge=1, description="Model replicas, one thread each"
    )
    engine_queue_size: int = Field(
        default=DEFAULT_BATCHING.queue_size, ge=1, description="Waiting sentences per model"
    )
    engine_max_batch: int = Field(
        default=DEFAULT_BATCHING.max_batch_size, ge=1, description="Sentences per batch"
    )
    engine_max_wait_s: float = Field(
        default=DEFAULT_BATCHING.max_wait_s, ge=0, description="Batch fill wait, in seconds"
    )
    translate_timeout_s: float = Field(default=10.0, gt=0, description="Per-sentence deadline")
    translate_max_chars: int = Field(default=20_000, ge=1, description="Longest text per request")
    promotion_margin_chrf: float = Field(
        default=1.0,
        ge=0,
        description="chrF points a model must gain over the retrieval baseline and the "
        "promoted model, on its held-out test split, to be promoted without an admin's force",
    )

    # Speech: Whisper base (int8) behind a language gate; see interp_service/speech.
    asr_model_dir: Path | None = Field(
        default=None,
        description="Where Whisper base is joined from its packages and verified; "
        "default: <data_dir>/models/asr/whisper-base",
    )
    asr_threads: int = Field(default=2, ge=1, description="CPU threads for recognition")
    asr_compute_type: str = Field(default="int8", description="int8 or float32")
    asr_beam_size: int = Field(default=1, ge=1, le=10, description="1 = greedy decoding")
    asr_min_mandarin_probability: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Whisper's Mandarin probability a segment needs before its text is kept",
    )
    asr_span_pad_s: float = Field(
        default=0.3,
        ge=0,
        le=2,
        description="Seconds added to both ends of each speech span (no word is cut); "
        "never past the middle of the pause to the next span",
    )
    asr_merge_gap_s: float = Field(
        default=0.0,
        ge=0,
        le=5,
        description="Speech spans separated by a shorter pause (seconds) are decoded as one, "
        "up to 28 s (0 = never merged; merged spans pass the language gate as one, so a "
        "Mandarin question and a Miao answer after a short pause would be judged together, "
        "and a merge may join two speakers' turns in one segment)",
    )
    asr_merge_max_s: float = Field(
        default=12.0,
        gt=0,
        le=28,
        description="Longest merged span, seconds",
    )
    asr_condition_on_previous: bool = Field(
        default=True,
        description="Each span's decoder also sees the text decoded just before it in the "
        "same recording or live stream (reset after a span that is not Mandarin or repeats)",
    )
    asr_fallback_beam_size: int = Field(
        default=5,
        ge=1,
        le=10,
        description="Beam for decoding a window again when the first pass is unsure "
        "(1 = no second pass)",
    )
    asr_retry_logprob: float = Field(
        default=-0.5,
        le=0,
        description="Average log-probability per token under which a window is decoded again",
    )
    asr_prompt_terms: int = Field(
        default=0,
        ge=0,
        le=40,
        description="Approved Chinese glossary terms put in Whisper's prompt (0 = none: a "
        "list of terms in the prompt makes the model write lists and loop)",
    )
    max_audio_seconds: float = Field(
        default=4 * 3600.0, gt=0, description="Longest recording accepted, in seconds"
    )
    live_max_utterance_s: float = Field(
        default=20.0, gt=0, description="Live microphone: longest utterance before it is cut"
    )
    max_transcript_text_bytes: int = Field(
        default=20 * 1_048_576, gt=0, description="Largest text or subtitle transcript, bytes"
    )
    max_docx_uncompressed_bytes: int = Field(
        default=100 * 1_048_576,
        gt=0,
        description="Largest unpacked size of an uploaded DOCX, bytes (refuses zip bombs)",
    )

    def batching(self) -> BatchingOptions:
        """How the translation engine serves each loaded model, from the engine_* values."""
        return replace(
            DEFAULT_BATCHING,
            replicas=self.engine_replicas,
            max_batch_size=self.engine_max_batch,
            max_wait_s=self.engine_max_wait_s,
            queue_size=self.engine_queue_size,
        )

    @property
    def resolved_asr_model_dir(self) -> Path:
        return self.asr_model_dir or self.data_dir / "models" / "asr" / "whisper-base"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'interp.sqlite3').resolve()}"

    @property
    def trained_models_dir(self) -> Path:
        """Models the service trains from its own data (never the repository's models/)."""
        return self.data_dir / "models"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"
