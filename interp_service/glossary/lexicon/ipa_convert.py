"""Conversion of Chen (2012) Western Xiangxi IPA forms to the 1956 orthography, by the rules
in `data/ipa_to_xiangxi.toml`: loading the rules, splitting a form into syllables and
converting each syllable and form.

A form that needed a `proposed` rule (one the project added, or a reference rule the
reference itself disputes) is marked inferred. The lexicon TSV and the report are
written by `interp_service.glossary.lexicon.lexicon_convert`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from interp_service.glossary.lexicon.orthography import validate

__all__ = [
    "Conversion",
    "Rule",
    "RuleSet",
    "SyllableResult",
    "convert_form",
    "convert_syllable",
    "load_rules",
    "split_syllables",
]

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SYLLABLE = re.compile(r"([^\d]+)(\d+)")
# Characters that separate syllables or morphemes without changing the form.
_BOUNDARIES = re.compile(r"[\s+\-_.]+")
# Characters that mean alternatives, brackets or a note: not converted.
_UNSAFE = re.compile(r"[/~()\[\],;|?*<>]")


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    ipa: str
    letter: str
    status: str
    medial: str = ""
    reason: str = ""


@dataclass(frozen=True)
class RuleSet:
    rules: dict[str, Rule]
    initials: dict[str, Rule]
    medials: dict[str, Rule]
    rimes: dict[str, Rule]
    finals: dict[str, Rule]
    tones: dict[str, Rule]
    merge_ii: Rule | None
    varieties: dict[str, dict[str, str]]
    max_initial: int

    @property
    def proposed(self) -> list[Rule]:
        return [r for r in self.rules.values() if r.status == "proposed"]


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


@lru_cache(maxsize=1)
def load_rules() -> RuleSet:
    """Read the conversion rules (reference tables, then proposed rules)."""
    text = resources.files("interp_service.glossary").joinpath("data", "ipa_to_xiangxi.toml")
    data: dict[str, Any] = tomllib.loads(text.read_text(encoding="utf-8"))
    rules: dict[str, Rule] = {}

    def add(rule: Rule) -> None:
        if rule.id in rules:
            raise ValueError(f"duplicate rule id {rule.id}")
        rules[rule.id] = rule

    # Reference rules the reference itself disputes (it records a competing spelling) are
    # used as the tables write them, but count as proposed.
    disputed: dict[str, str] = {}
    for d in data.get("disputed", []):
        for rule_id in d["rules"]:
            disputed[rule_id] = d["reason"]
    for kind, entries in data["reference"].items():
        for e in entries:
            if e["id"] in disputed:
                reason = disputed.pop(e["id"])
                rule = Rule(e["id"], kind, _nfc(e["ipa"]), e["letter"], "proposed", "", reason)
            else:
                rule = Rule(e["id"], kind, _nfc(e["ipa"]), e["letter"], "reference")
            add(rule)
    if disputed:
        raise ValueError(f"disputed rules not in the reference tables: {sorted(disputed)}")
    for e in data.get("proposed", []):
        to = e.get("to", e.get("letter", ""))
        add(
            Rule(
                e["id"],
                e["kind"],
                _nfc(e["ipa"]),
                _nfc(to),
                "proposed",
                e.get("medial", ""),
                e["reason"],
            )
        )

    def by_kind(kind: str) -> dict[str, Rule]:
        out: dict[str, Rule] = {}
        for r in rules.values():
            if r.kind == kind:
                if r.ipa in out:
                    raise ValueError(f"two {kind} rules for {r.ipa!r}")
                out[r.ipa] = r
        return out

    initials = by_kind("initial")
    merges = list(by_kind("merge").values())
    return RuleSet(
        rules=rules,
        initials=initials,
        medials=by_kind("medial"),
        rimes=by_kind("rime"),
        finals=by_kind("final"),
        tones=by_kind("tone"),
        merge_ii=merges[0] if merges else None,
        varieties={v["language_id"]: v for v in data.get("variety", [])},
        max_initial=max(len(k) for k in initials),
    )


@dataclass(frozen=True)
class SyllableResult:
    ipa: str
    spelling: str
    rules: tuple[str, ...]
    error: str = ""


@lru_cache(maxsize=8192)
def convert_syllable(ipa: str, tone: str) -> SyllableResult:
    """Convert one syllable (segments without tone, and its tone number)."""
    rs = load_rules()
    used: list[str] = []
    tone_rule = rs.tones.get(tone)
    if tone_rule is None:
        return SyllableResult(ipa + tone, "", (), f"tone {tone} is not one of the six tones")
    initial: Rule | None = None
    for n in range(min(len(ipa), rs.max_initial), 0, -1):
        initial = rs.initials.get(ipa[:n])
        if initial is not None:
            break
    rest = ipa[len(initial.ipa) :] if initial else ipa
    if initial:
        used.append(initial.id)
    medial = initial.medial if initial else ""
    if len(rest) > 1 and rest[0] in rs.medials:
        if medial:
            return SyllableResult(ipa + tone, "", (), f"two medials in {ipa!r}")
        medial_rule = rs.medials[rest[0]]
        used.append(medial_rule.id)
        medial, rest = medial_rule.letter, rest[1:]
    if not rest:
        return SyllableResult(ipa + tone, "", (), f"no vowel in {ipa!r}")
    rime = rs.rimes.get(rest)
    if rime is not None:
        used.append(rime.id)
        rest = rime.letter
    if rs.merge_ii is not None and medial == rs.merge_ii.ipa and rest.startswith(medial):
        used.append(rs.merge_ii.id)
        medial = ""
    final = rs.finals.get(medial + rest)
    if final is None:
        if initial is None and not medial:
            return SyllableResult(ipa + tone, "", (), f"no rule for {ipa!r}")
        return SyllableResult(ipa + tone, "", (), f"final {medial + rest!r} has no spelling")
    used.append(final.id)
    used.append(tone_rule.id)
    letters = (initial.letter if initial else "") + final.letter + tone_rule.letter
    return SyllableResult(ipa + tone, letters, tuple(used))


@dataclass
class Conversion:
    """One Chen form and what became of it."""

    form_id: str
    parameter_id: str
    language_id: str
    ipa: str
    chinese_gloss: str
    english_gloss: str
    spelling: str = ""
    rules: list[str] = field(default_factory=list)
    inferred: bool = False
    warnings: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def converted(self) -> bool:
        return bool(self.spelling)


def split_syllables(form: str) -> list[tuple[str, str]] | str:
    """Split a Chen form into (segments, tone) pairs; a string says why it cannot be."""
    text = _nfc(form.strip().translate(_SUPERSCRIPTS))
    if not text:
        return "empty form"
    if _UNSAFE.search(text):
        return "form holds alternatives, brackets or notes"
    out: list[tuple[str, str]] = []
    for chunk in _BOUNDARIES.split(text):
        if not chunk:
            continue
        pos = 0
        for m in _SYLLABLE.finditer(chunk):
            if m.start() != pos:
                break
            out.append((m.group(1), m.group(2)))
            pos = m.end()
        if pos != len(chunk):
            return f"syllable without a tone number in {form!r}"
    return out or "empty form"


def convert_form(
    form_id: str,
    parameter_id: str,
    language_id: str,
    ipa: str,
    chinese_gloss: str = "",
    english_gloss: str = "",
) -> Conversion:
    """Convert one form; syllables are written separated by spaces."""
    rs = load_rules()
    conv = Conversion(form_id, parameter_id, language_id, ipa, chinese_gloss, english_gloss)
    syllables = split_syllables(ipa)
    if isinstance(syllables, str):
        conv.error = syllables
        return conv
    spellings: list[str] = []
    for seg, tone in syllables:
        res = convert_syllable(seg, tone)
        if res.error:
            conv.error = res.error
            conv.rules = []
            return conv
        spellings.append(res.spelling)
        conv.rules.extend(r for r in res.rules if r not in conv.rules)
    spelling = " ".join(spellings)
    check = validate(spelling)
    if not check.ok:
        conv.error = "converted spelling fails validation: " + "; ".join(check.errors)
        return conv
    conv.spelling = spelling
    conv.warnings = check.warnings
    conv.inferred = any(rs.rules[r].status == "proposed" for r in conv.rules)
    return conv
