"""The orthography tables (initials, finals, tones, variants, uncertain rules), loaded
once from `data/xiangxi_orthography.toml`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

_DATA_FILE = "xiangxi_orthography.toml"


@dataclass(frozen=True)
class UncertainRule:
    """A combination rule the reference doubts: breaking it warns, never rejects."""

    id: str
    initials: frozenset[str]
    final_prefix: str
    message: str


@dataclass(frozen=True)
class Orthography:
    """The loaded tables. `initials`/`finals` map every accepted spelling to canonical."""

    tones: dict[str, int]
    tone_by_value: dict[int, str]
    initials: dict[str, str]
    finals: dict[str, str]
    initial_ipa: dict[str, str]
    final_ipa: dict[str, str]
    extra_initials: frozenset[str]
    uncertain_finals: frozenset[str]
    variant_sources: dict[str, str]
    uncertain_rules: tuple[UncertainRule, ...]
    max_initial: int


def _load_toml() -> dict[str, Any]:
    text = (
        resources.files("interp_service.glossary")
        .joinpath("data", _DATA_FILE)
        .read_text(encoding="utf-8")
    )
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def orthography() -> Orthography:
    """Load the orthography tables once."""
    data = _load_toml()
    tones = {t["letter"]: int(t["value"]) for t in data["tone"]}
    initials = {i["letter"]: i["letter"] for i in data["inventory"]["initials"]}
    initial_ipa = {i["letter"]: i["ipa"] for i in data["inventory"]["initials"]}
    finals = {f["letter"]: f["letter"] for f in data["inventory"]["finals"]}
    final_ipa = {f["letter"]: f["ipa"] for f in data["inventory"]["finals"]}
    uncertain_finals = frozenset(
        f["letter"] for f in data["inventory"]["finals"] if f.get("uncertain", False)
    )
    variant_sources: dict[str, str] = {}
    for v in data.get("variant", []):
        table = initials if v["kind"] == "initial" else finals
        if v["canonical"] not in table:
            raise ValueError(f"variant {v['written']!r}: unknown canonical {v['canonical']!r}")
        table[v["written"]] = v["canonical"]
        variant_sources[v["written"]] = v.get("source", "")
    extra = frozenset(e["letter"] for e in data.get("extra_initial", []))
    for letter in extra:
        initials[letter] = letter
    rules = tuple(
        UncertainRule(
            id=r["id"],
            initials=frozenset(r["initials"]),
            final_prefix=r["final_prefix"],
            message=r["message"],
        )
        for r in data.get("uncertain_rule", [])
    )
    return Orthography(
        tones=tones,
        tone_by_value={v: k for k, v in tones.items()},
        initials=initials,
        finals=finals,
        initial_ipa=initial_ipa,
        final_ipa=final_ipa,
        extra_initials=extra,
        uncertain_finals=uncertain_finals,
        variant_sources=variant_sources,
        uncertain_rules=rules,
        max_initial=max(len(k) for k in initials),
    )
