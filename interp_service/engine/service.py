"""The engine facade the app uses: promoted models per language pair, loaded on demand.

Model roots hold ``mt/<name>/`` model folders and a pointer file ``mt/promoted.toml``
mapping a pair key (``"cmn-mmr"``) to the folder name of the promoted model. Roots are
searched in order: the first root whose pointer names a valid model for a pair wins.
A promoted model is loaded (CTranslate2 int8, ``batching.replicas`` single-thread
replicas) on its first use and served through one MicroBatcher. A model that fails to
load is recorded in ``failures`` and not tried again until ``refresh()``; the service
stays up.
``refresh_if_changed()`` is the cheap variant for request paths: a ``stat`` and a tiny
read per root, and a full refresh only when a pointer file or a root's ``mt/`` folder
changed since the last one (a promotion made by another process, such as the command line).
"""

from __future__ import annotations

import asyncio
import json
import logging
import tomllib
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from interp_service.engine.backends import Hypothesis, Translator
from interp_service.engine.batcher import MicroBatcher
from interp_service.engine.cards import ModelCard, scan_cards
from interp_service.engine.errors import ModelLoadError
from interp_service.engine.options import DEFAULT_BATCHING, BatchingOptions

log = logging.getLogger(__name__)
POINTER = "promoted.toml"
TranslatorFactory = Callable[[ModelCard], Translator]


def pair_key(source_language: str, target_language: str) -> str:
    """The key of a language pair in ``promoted.toml``, e.g. ``cmn-mmr``."""
    return f"{source_language}-{target_language}"


def read_promoted(root: Path) -> dict[str, str]:
    """``<root>/mt/promoted.toml`` as {pair key: model folder name}; {} when absent.
    Raises ModelLoadError when it is malformed."""
    path = Path(root) / "mt" / POINTER
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"{path} is malformed: {exc}") from exc
    if not all(isinstance(v, str) for v in data.values()):
        raise ModelLoadError(f"{path} must map pair keys to folder names")
    return {str(k): str(v) for k, v in data.items()}


def promote(root: Path, card: ModelCard) -> None:
    """Make ``card`` (a folder ``<root>/mt/<name>/``) the promoted model of its pair in
    ``root``, replacing the pointer file atomically. Takes effect at the next refresh."""
    root = Path(root)
    if card.folder.resolve().parent != (root / "mt").resolve():
        raise ValueError(f"{card.folder} is not a model folder of {root}")
    pointers = read_promoted(root)
    for key in card.pairs:  # a model trained on both directions serves both
        pointers[key] = card.folder.name
    text = "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in sorted(pointers.items()))
    path = root / "mt" / POINTER
    tmp = path.with_name(f".{POINTER}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def ct2_factory(intra_threads: int = 1, use_vmap: bool = True) -> TranslatorFactory:
    """Loads a card's CTranslate2 int8 model with ``intra_threads`` threads per replica
    (and its vocabulary shortlist, when it has one, unless ``use_vmap`` is False)."""

    def load(card: ModelCard) -> Translator:
        from interp_service.engine.ct2_backend import CTranslate2Translator

        return CTranslate2Translator(
            card.ct2_folder, card.hf_folder, intra_threads, use_vmap=use_vmap
        )

    return load


class LoadedModel:
    """A promoted model ready to translate."""

    def __init__(self, card: ModelCard, batcher: MicroBatcher, source_prefix: str = "") -> None:
        self.card = card
        self.batcher = batcher
        # The target-language tag of a model trained on both directions, e.g. "<2cmn> ".
        self.source_prefix = source_prefix

    async def translate(
        self,
        text: str,
        *,
        beam_size: int = 1,
        num_hypotheses: int = 1,
        timeout_s: float | None = None,
    ) -> list[Hypothesis]:
        """See ``MicroBatcher.translate`` (n-best, best first; ``timeout_s`` in seconds)."""
        return await self.batcher.translate(
            self.source_prefix + text,
            beam_size=beam_size,
            num_hypotheses=num_hypotheses,
            timeout_s=timeout_s,
        )


class Engine:
    """Promoted models of ``model_roots``; call ``await refresh()`` before use.

    ``batching``: replicas per model (``intra_threads`` CPU threads each), queue bound and
    batch cuts (``Settings.batching()`` in the service); outputs of at most ``max_length``
    tokens. ``translator_factory`` builds one replica from a card (CTranslate2 by default;
    tests pass FakeTranslator).
    """

    def __init__(
        self,
        model_roots: list[Path],
        batching: BatchingOptions = DEFAULT_BATCHING,
        *,
        intra_threads: int = 1,
        max_length: int = 256,
        translator_factory: TranslatorFactory | None = None,
    ) -> None:
        self.model_roots = [Path(r) for r in model_roots]
        self.batching = batching
        self.max_length = max_length
        self._factory = translator_factory or ct2_factory(intra_threads)
        self._promoted: dict[str, ModelCard] = {}
        self._loaded: dict[str, LoadedModel] = {}
        self._broken: list[tuple[str, str]] = []
        self._load_failures: dict[str, tuple[str, str]] = {}
        self._lock = asyncio.Lock()
        self._closed = False
        self._seen: tuple[object, ...] | None = None

    async def refresh(self) -> None:
        """Re-read the cards and pointer files; pick up newly promoted models.

        A pair whose promoted model changed is switched over at once (new requests go to
        the new model, which loads on first use); the old model's queue is drained and
        closed. Load failures are forgotten, so failed models are tried again.
        """
        # Taken before reading, so a change made while reading triggers the next refresh.
        signature = self._signature()
        cards, broken = await asyncio.to_thread(scan_cards, *self.model_roots)
        by_folder = {card.folder: card for card in cards}
        broken_folders = {folder for folder, _ in broken}
        problems = [(str(folder), reason) for folder, reason in broken]
        promoted: dict[str, ModelCard] = {}
        for root in self.model_roots:
            try:
                pointers = read_promoted(root)
            except ModelLoadError as exc:
                problems.append((str(root / "mt" / POINTER), str(exc)))
                continue
            for key, name in pointers.items():
                folder = root / "mt" / name
                card = by_folder.get(folder)
                if key in promoted:
                    continue
                if card is None:
                    if folder not in broken_folders:
                        problems.append((str(folder), f"promoted for {key} but missing"))
                    continue
                if key not in card.pairs:
                    problems.append((str(card.folder), f"promoted for {key} but is {card.pair}"))
                    continue
                promoted[key] = card
        async with self._lock:
            old = self._loaded
            kept = {
                key: model
                for key, model in old.items()
                if key in promoted and promoted[key] == model.card
            }
            self._promoted, self._loaded = promoted, kept
            self._broken, self._load_failures = problems, {}
            self._seen = signature
        for key, model in old.items():
            if kept.get(key) is not model:
                await model.batcher.close(drain=True)

    def _signature(self) -> tuple[object, ...]:
        """Per root: (mtime ns, inode) of ``mt/`` and the bytes of the pointer file (None
        when absent). The pointer is a few bytes, read whole: two promotions within the
        file system's timestamp granularity could otherwise look the same."""
        out: list[object] = []
        for root in self.model_roots:
            try:
                st = (root / "mt").stat()
                out.append((st.st_mtime_ns, st.st_ino))
            except OSError:
                out.append(None)
            try:
                out.append((root / "mt" / POINTER).read_bytes())
            except OSError:
                out.append(None)
        return tuple(out)

    async def refresh_if_changed(self) -> bool:
        """Refresh when a root's pointer file or ``mt/`` folder changed since the last
        refresh (or none was made); True when it refreshed. Costs a ``stat`` and the read
        of a few bytes per root otherwise, so request paths may call it every time."""
        if self._closed or self._signature() == self._seen:
            return False
        await self.refresh()
        return True

    def promoted(self, source_language: str, target_language: str) -> ModelCard | None:
        """The card of the pair's promoted model, loaded or not."""
        return self._promoted.get(pair_key(source_language, target_language))

    async def model_for(self, source_language: str, target_language: str) -> LoadedModel | None:
        """The pair's promoted model, loaded (in a worker thread) on first use; None when
        no model is promoted for the pair or it failed to load."""
        key = pair_key(source_language, target_language)
        model = self._loaded.get(key)
        if model is not None or self._closed:
            return model
        async with self._lock:
            card = self._promoted.get(key)
            if card is None or key in self._load_failures:
                return None
            if key in self._loaded:
                return self._loaded[key]
            try:
                translators = await asyncio.to_thread(
                    lambda: [self._factory(card) for _ in range(self.batching.replicas)]
                )
            except Exception as exc:  # any load failure keeps the service up
                log.exception("model %s failed to load", card.folder)
                self._load_failures[key] = (str(card.folder), f"load failed: {exc}")
                return None
            count = getattr(translators[0], "count_tokens", None)
            batcher = MicroBatcher(
                translators,
                self.batching,
                max_length=self.max_length,
                length_fn=count if callable(count) else len,
                name=f"{card.name}-{card.version}",
            )
            batcher.start()
            model = LoadedModel(card, batcher, card.source_prefix(target_language))
            self._loaded[key] = model
            return model

    def status(self) -> dict[str, Any]:
        """For /readyz: promoted models (loaded or not, with batcher counters) and failures
        (broken folders, bad pointer files, failed loads), as JSON-ready values."""
        models = []
        for key, card in sorted(self._promoted.items()):
            loaded = self._loaded.get(key)
            models.append(
                {
                    "pair": key,
                    "name": card.name,
                    "version": card.version,
                    "folder": str(card.folder),
                    "loaded": loaded is not None,
                    "stats": asdict(loaded.batcher.stats()) if loaded is not None else None,
                }
            )
        failures = [{"folder": f, "error": e} for f, e in self._broken]
        failures += [{"folder": f, "error": e} for f, e in self._load_failures.values()]
        return {"models": models, "failures": failures}

    @property
    def failures(self) -> list[tuple[str, str]]:
        """(folder, reason) of every broken folder, bad pointer and failed load."""
        return [*self._broken, *self._load_failures.values()]

    async def close(self) -> None:
        """Close every loaded model; waiting requests fail with EngineClosed."""
        self._closed = True
        async with self._lock:
            loaded, self._loaded = self._loaded, {}
        for model in loaded.values():
            await model.batcher.close()
