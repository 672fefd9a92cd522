"""What a training run is asked to do, and the model-size presets (no torch imported)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

from interp_service.training.dataset import DEFAULT_MIN_PAIRS

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


@dataclass(frozen=True)
class Preset:
    """A model size with the optimiser settings that suit it. Dimensions in units of the
    transformer (``d_model``, ``ffn`` hidden units), ``vocab`` in SentencePiece pieces
    (clipped to what the data allows), ``batch_size`` in sentence pairs; ``layers`` encoder
    layers and ``decoder_layers`` decoder layers."""

    d_model: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    dropout: float
    tokenizer: str
    batch_size: int
    learning_rate: float
    warmup_steps: int
    decoder_layers: int


PRESETS = {
    # Memorises a few hundred pairs in seconds: for tests and first trials.
    "tiny": Preset(128, 1, 4, 256, 250, 0.0, "bpe", 16, 2e-3, 30, 1),
    # A few thousand pairs on a CPU in tens of minutes. A deep encoder with a shallow
    # decoder (6 + 2) decodes faster but scored lower on the NTREX check at equal steps.
    "small": Preset(256, 3, 4, 1024, 8000, 0.1, "unigram", 32, 1e-3, 200, 3),
    # The Opus-MT "base" shape: tens of thousands of pairs, a GPU or a long night.
    "base": Preset(512, 6, 8, 2048, 32000, 0.1, "unigram", 32, 5e-4, 1000, 6),
}


@dataclass(frozen=True)
class TrainRequest:
    """One ``train mt`` run. ``epochs`` is an upper bound (early stopping on dev chrF
    after ``patience`` evaluations without gain); ``eval_every`` and
    ``checkpoint_every`` are in optimizer steps (default: once per epoch, or every
    twentieth of the planned steps when that is longer; no early stop in the first
    quarter of the planned steps); ``max_seconds``
    a wall-clock budget for the training loop; ``threads`` torch's CPU threads (default:
    the machine's cores); ``vocab``, ``d_model``, ``layers``, ``decoder_layers``, ``ffn``,
    ``batch_size`` and ``learning_rate`` override the preset; ``dev_limit`` caps the dev
    sentences scored at each evaluation."""

    source_language: str
    target_language: str
    both: bool = False
    size: str = "small"
    epochs: int = 60
    seed: int = 1
    name: str | None = None
    resume: bool = False
    min_pairs: int = DEFAULT_MIN_PAIRS
    threads: int | None = None
    eval_every: int | None = None
    checkpoint_every: int | None = None
    patience: int = 5
    max_seconds: float | None = None
    vocab: int | None = None
    d_model: int | None = None
    layers: int | None = None
    ffn: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    dev_limit: int = 400
    decoder_layers: int | None = None

    @property
    def preset(self) -> Preset:
        """The size preset with this request's overrides."""
        base = PRESETS[self.size]
        return replace(
            base,
            d_model=self.d_model or base.d_model,
            layers=self.layers or base.layers,
            ffn=self.ffn or base.ffn,
            vocab=self.vocab or base.vocab,
            batch_size=self.batch_size or base.batch_size,
            learning_rate=self.learning_rate or base.learning_rate,
            decoder_layers=self.decoder_layers or base.decoder_layers,
        )

    @property
    def model_name(self) -> str:
        """``--name``, else ``<source>-<target>`` (``…-both`` for both directions)."""
        if self.name:
            return self.name
        base = f"{self.source_language}-{self.target_language}"
        return f"{base}-both" if self.both else base

    def check(self) -> None:
        """ValueError on a request no run could carry out."""
        if self.size not in PRESETS:
            raise ValueError(f"没有“{self.size}”这种模型规模，可选：{'、'.join(PRESETS)}")
        if self.source_language == self.target_language:
            raise ValueError("源语言和目标语言不能相同")
        if not NAME.match(self.model_name):
            raise ValueError(
                "模型名称只能用小写字母、数字和“.”“_”“-”，以字母或数字开头，最长 63 个字符"
            )
        if self.epochs < 1 or self.patience < 1 or self.min_pairs < 1:
            raise ValueError("训练轮数、早停耐心和最低句对数都至少为 1")

    def settings(self) -> dict[str, object]:
        """What must not change between an interrupted run and its ``--resume``."""
        fixed = asdict(self)
        for key in ("resume", "threads", "max_seconds", "min_pairs"):
            fixed.pop(key)
        if fixed["decoder_layers"] is None:  # as before the field existed
            fixed.pop("decoder_layers")
        return fixed
