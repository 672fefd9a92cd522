"""Convert Chen (2012) Western Xiangxi IPA forms to the 1956 orthography, by the rules in
`data/ipa_to_xiangxi.toml`, and write the lexicon TSV.

Every spelling is derived by rule from the licensed data and is unverified. A form that
needed a `proposed` rule (one the project added, or a reference rule the reference itself
disputes) is marked "spelling inferred". The source's glosses are copied unchanged; an
evident slip in one is noted in its row's `note`, from `data/chen2012_source_notes.toml`.
The rules engine is `interp_service.glossary.lexicon.ipa_convert`; this module reads the forms,
writes the TSV and reports what became of them.

    python -m interp_service.glossary.lexicon.lexicon_convert \\
        --data ../shared/data/lexibank-chenhmongmien \\
        --out glossaries/xiangxi-lexicon-chen2012.tsv
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from interp_service.glossary.lexicon.ipa_convert import Conversion, convert_form, load_rules

__all__ = [
    "SOURCE",
    "TSV_COLUMNS",
    "Conversion",
    "GlossNote",
    "Report",
    "concept_id",
    "convert_form",
    "format_report",
    "lexicon_rows",
    "load_rules",
    "main",
    "read_forms",
    "report",
    "source_notes",
    "stale_source_notes",
    "write_tsv",
]

SOURCE = "Chen 2012 (lexibank chenhmongmien b0a1042a), CC BY 4.0"
# The glossary's concept ids (external_id) are at most 64 characters; the import refuses
# the whole file over one longer id.
CONCEPT_ID_MAX = 64
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


@dataclass(frozen=True)
class GlossNote:
    """A note on an evident slip in one of the source's glosses (the gloss stays as is)."""

    parameter: str
    language: str
    text: str
    note: str


@lru_cache(maxsize=1)
def source_notes() -> dict[tuple[str, str], GlossNote]:
    """The notes of `data/chen2012_source_notes.toml`, by (parameter, "cmn" | "eng")."""
    text = resources.files("interp_service.glossary").joinpath("data", "chen2012_source_notes.toml")
    data: dict[str, Any] = tomllib.loads(text.read_text(encoding="utf-8"))
    out: dict[tuple[str, str], GlossNote] = {}
    for e in data.get("gloss", []):
        note = GlossNote(e["parameter"], e["language"], e["text"], e["note"])
        if note.language not in ("cmn", "eng"):
            raise ValueError(f"source note for {note.parameter}: language {note.language!r}")
        key = (note.parameter, note.language)
        if key in out:
            raise ValueError(f"two source notes for {key}")
        out[key] = note
    return out


def stale_source_notes(conversions: Iterable[Conversion]) -> list[GlossNote]:
    """Notes on a parameter the forms have whose gloss no longer reads as the note quotes
    it (the source changed); a note on a parameter without forms is simply not used."""
    glosses: dict[tuple[str, str], str] = {}
    for c in conversions:
        glosses.setdefault((c.parameter_id, "cmn"), c.chinese_gloss)
        glosses.setdefault((c.parameter_id, "eng"), c.english_gloss)
    return [n for key, n in source_notes().items() if key in glosses and glosses[key] != n.text]


def _gloss_note(param_id: str, language: str, gloss: str) -> str:
    note = source_notes().get((param_id, language))
    return note.note if note is not None and note.text == gloss else ""


def concept_id(param_id: str) -> str:
    """`chen2012-<parameter>`; a parameter too long for the glossary's concept ids is cut and
    ends with 8 hex digits of its SHA-256, so the id stays unique and the same on every run
    (the whole parameter is in each row's `source`)."""
    full = f"chen2012-{param_id}"
    if len(full) <= CONCEPT_ID_MAX:
        return full
    digest = hashlib.sha256(param_id.encode("utf-8")).hexdigest()[:8]
    return f"{full[: CONCEPT_ID_MAX - len(digest) - 1]}-{digest}"


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
            "concept_id": concept_id(param_id),
            "subject_field": "lexicon",
            "part_of_speech": "",
            "status": "admitted",
            "definition": "",
            "citations": "",
            "verification": "unverified",
        }
        param_source = f"{SOURCE}; parameter {param_id}"
        for language, gloss in (("cmn", first.chinese_gloss), ("eng", first.english_gloss)):
            if gloss:
                note = _gloss_note(param_id, language, gloss)
                rows.append(base | _row(language, "", gloss, note, param_source))
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
    stale = stale_source_notes(conversions)
    if stale:
        for n in stale:
            print(
                f"source note for {n.parameter} ({n.language}) quotes {n.text!r}, "
                "which the source no longer has: check data/chen2012_source_notes.toml",
                file=sys.stderr,
            )
        return 2
    rep = report(conversions)
    rows = lexicon_rows(conversions)
    rep.rows = write_tsv(rows, args.out)
    print(f"languages: {', '.join(languages)}")
    print(format_report(rep, conversions))
    noted = sum(1 for r in rows if r["language"] in ("cmn", "eng") and r["note"])
    print(f"source glosses with a note (text kept): {noted}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
