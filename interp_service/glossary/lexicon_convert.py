"""Convert Chen (2012) Western Xiangxi IPA forms to the 1956 orthography, by the rules in
`data/ipa_to_xiangxi.toml`, and write the lexicon TSV.

Every spelling is derived by rule from the licensed data and is unverified. A form that
needed a `proposed` rule is marked "spelling inferred".

    python -m interp_service.glossary.lexicon_convert \\
        --data ../shared/data/lexibank-chenhmongmien \\
        --out glossaries/xiangxi-lexicon-chen2012.tsv
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from interp_service.glossary.orthography import validate

SOURCE = "Chen 2012 (lexibank chenhmongmien b0a1042a), CC BY 4.0"
TSV_COLUMNS = (
    "concept_id",
    "subject_field",
    "language",
    "variety",
    "term",
    "part_of_speech",
    "status",
    "definition",
    "citations",
    "note",
    "source",
    "verification",
    "ipa",
)

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

    for kind, entries in data["reference"].items():
        for e in entries:
            add(Rule(e["id"], kind, _nfc(e["ipa"]), e["letter"], "reference"))
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


def read_forms(data_dir: Path, language_ids: Sequence[str]) -> list[Conversion]:
    """Convert every form of the given languages in a lexibank CLDF folder."""
    with (data_dir / "parameters.csv").open(encoding="utf-8", newline="") as f:
        params = {row["ID"]: row for row in csv.DictReader(f)}
    out: list[Conversion] = []
    with (data_dir / "forms.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["Language_ID"] not in language_ids:
                continue
            param = params.get(row["Parameter_ID"], {})
            out.append(
                convert_form(
                    row["ID"],
                    row["Parameter_ID"],
                    row["Language_ID"],
                    row["Form"],
                    param.get("Chinese_Gloss", "").strip(),
                    param.get("Name", "").strip(),
                )
            )
    return out


@dataclass
class Report:
    forms: int
    reference_only: int
    inferred: int
    not_converted: int
    rule_forms: Counter[str]
    failures: Counter[str]
    concepts: int
    rows: int = 0


def report(conversions: Iterable[Conversion]) -> Report:
    convs = list(conversions)
    rule_forms: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    for c in convs:
        rule_forms.update(c.rules)
        if not c.converted:
            failures[c.error] += 1
    return Report(
        forms=len(convs),
        reference_only=sum(1 for c in convs if c.converted and not c.inferred),
        inferred=sum(1 for c in convs if c.converted and c.inferred),
        not_converted=sum(1 for c in convs if not c.converted),
        rule_forms=rule_forms,
        failures=failures,
        concepts=len({c.parameter_id for c in convs if c.converted}),
    )


def _note(conv: Conversion) -> str:
    rs = load_rules()
    if conv.inferred:
        proposed = [r for r in conv.rules if rs.rules[r].status == "proposed"]
        return "spelling inferred (proposed rules: " + ", ".join(proposed) + "); from Chen's IPA"
    return "converted from Chen's IPA by reference rules"


def lexicon_rows(conversions: Iterable[Conversion]) -> list[dict[str, str]]:
    """One concept per Chen parameter with a converted form: a cmn row (Chinese gloss),
    an eng row (English name) and one row per distinct converted spelling."""
    rs = load_rules()
    by_param: dict[str, list[Conversion]] = {}
    for c in conversions:
        if c.converted:
            by_param.setdefault(c.parameter_id, []).append(c)
    rows: list[dict[str, str]] = []
    for param_id, convs in by_param.items():
        first = convs[0]
        base = {
            "concept_id": f"chen2012-{param_id}",
            "subject_field": "lexicon",
            "part_of_speech": "",
            "status": "admitted",
            "definition": "",
            "citations": "",
            "verification": "unverified",
        }
        param_source = f"{SOURCE}; parameter {param_id}"
        if first.chinese_gloss:
            rows.append(base | _row("cmn", "", first.chinese_gloss, "", param_source))
        if first.english_gloss:
            rows.append(base | _row("eng", "", first.english_gloss, "", param_source))
        seen: set[str] = set()
        for c in convs:
            if c.spelling in seen:
                continue
            seen.add(c.spelling)
            variety = rs.varieties.get(c.language_id, {})
            rows.append(
                base
                | _row(
                    variety.get("language", ""),
                    variety.get("variety", ""),
                    c.spelling,
                    _note(c),
                    f"{SOURCE}; form {c.form_id}",
                    c.ipa,
                )
            )
    return rows


def _row(
    language: str, variety: str, term: str, note: str, source: str, ipa: str = ""
) -> dict[str, str]:
    return {
        "language": language,
        "variety": variety,
        "term": term,
        "note": note,
        "source": source,
        "ipa": ipa,
    }


def write_tsv(rows: Iterable[dict[str, str]], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=TSV_COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def format_report(rep: Report, conversions: Sequence[Conversion]) -> str:
    rs = load_rules()
    lines = [
        f"forms: {rep.forms}",
        f"converted by reference rules only: {rep.reference_only}",
        f"converted with inferred spelling (a proposed rule used): {rep.inferred}",
        f"not converted: {rep.not_converted}",
        f"concepts with a converted form: {rep.concepts}",
    ]
    if rep.rows:
        lines.append(f"TSV rows written: {rep.rows}")
    lines.append("forms per rule:")
    for rule_id, n in sorted(rep.rule_forms.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {rule_id:24} {rs.rules[rule_id].status:9} {n}")
    unused = sorted(r.id for r in rs.rules.values() if r.id not in rep.rule_forms)
    if unused:
        lines.append("rules never used: " + ", ".join(unused))
    lines.append("not converted, by reason:")
    for reason, n in rep.failures.most_common():
        ids = [c.form_id for c in conversions if c.error == reason]
        lines.append(f"  {n:4}  {reason}  [{', '.join(ids[:4])}{', ...' if n > 4 else ''}]")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, required=True, help="lexibank chenhmongmien folder")
    parser.add_argument("--out", type=Path, required=True, help="TSV to write")
    parser.add_argument(
        "--language",
        action="append",
        help="Language_ID in forms.csv (default: every variety the rules name)",
    )
    args = parser.parse_args(argv)
    rs = load_rules()
    languages = args.language or list(rs.varieties)
    unknown = [lang for lang in languages if lang not in rs.varieties]
    if unknown:
        print(f"no conversion rules for: {', '.join(unknown)}", file=sys.stderr)
        return 2
    conversions = read_forms(args.data, languages)
    rep = report(conversions)
    rep.rows = write_tsv(lexicon_rows(conversions), args.out)
    print(f"languages: {', '.join(languages)}")
    print(format_report(rep, conversions))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
