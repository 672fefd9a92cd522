"""Every glossary file shipped in `glossaries/` imports through the command line on a fresh
database, in the README's order, with the counts the file itself gives; importing it again
changes nothing.

The files are found by a glob, so a file added there is covered, and the expected counts are
computed from each file, never written down here (the files grow). A companion data file of a
glossary (`criminal-procedure.citations.tsv` beside `criminal-procedure.tsv`: the glossary's
name, a dot, more) is not a glossary and is not imported."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import create_engine, func, select

from interp_service.config import Settings
from interp_service.glossary.orm import Concept, Term
from tests.glossary.test_cli import _cli

GLOSSARIES = Path(__file__).parents[2] / "glossaries"
SUMMARY = re.compile(
    r"^imported (\d+) concepts: (\d+) new, (\d+) changed; "
    r"terms (\d+) new, (\d+) changed; release (\S+)$",
    re.M,
)


def shipped_files() -> list[Path]:
    """The glossary files in `glossaries/`, in the README's order (by name), companions left
    out."""
    found = sorted(
        path for pattern in ("*.tsv", "*.tbx", "*.csv") for path in GLOSSARIES.glob(pattern)
    )
    stems = {path.stem for path in found}
    return [
        path
        for path in found
        if not any(path.name.startswith(f"{stem}.") and path.stem != stem for stem in stems)
    ]


@dataclass
class FileCounts:
    concept_ids: set[str]
    terms: int


def counts_of(path: Path) -> FileCounts:
    """Concepts (distinct ids) and terms (rows with a term, <term> elements) of a file, read
    without the service's own readers."""
    data = path.read_bytes()
    if path.suffix == ".tbx":
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        entries = [
            el
            for el in root.iter(tag=etree.Element)
            if etree.QName(el).localname in ("termEntry", "conceptEntry")
        ]
        terms = [el for el in root.iter(tag=etree.Element) if etree.QName(el).localname == "term"]
        return FileCounts({str(e.get("id")) for e in entries}, len(terms))
    delimiter = "\t" if path.suffix == ".tsv" else ","
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))
    ids = Counter(row["concept_id"].strip() for row in rows if row["concept_id"].strip())
    terms = sum(1 for row in rows if (row.get("term") or "").strip())
    return FileCounts(set(ids), terms)


def _summary(stdout: str) -> tuple[int, int, int, int, int, str]:
    found = SUMMARY.search(stdout)
    assert found, stdout[-2000:]
    c, cn, cc, tn, tc, release = found.groups()
    return int(c), int(cn), int(cc), int(tn), int(tc), release


def test_every_shipped_file_imports_with_its_counts(settings: Settings) -> None:
    files = shipped_files()
    names = {path.name for path in files}
    assert {"criminal-procedure.tsv", "xiangxi-lexicon-chen2012.tsv"} <= names
    seen: dict[str, str] = {}
    total_concepts = total_terms = 0
    for release, path in enumerate(files, 1):
        counts = counts_of(path)
        shared = {i: seen[i] for i in counts.concept_ids if i in seen}
        assert not shared, f"{path.name} reuses concept ids of another file: {shared}"
        seen.update(dict.fromkeys(counts.concept_ids, path.name))
        first = _cli(settings, "import", str(path))
        assert first.returncode == 0, f"{path.name}:\n{first.stdout[-3000:]}{first.stderr}"
        assert "problems; nothing imported" not in first.stdout
        concepts = len(counts.concept_ids)
        assert _summary(first.stdout) == (
            concepts,
            concepts,
            0,
            counts.terms,
            0,
            str(release),
        ), path.name
        total_concepts += concepts
        total_terms += counts.terms
    for path in files:
        again = _cli(settings, "import", str(path))
        assert again.returncode == 0, again.stdout[-3000:]
        concepts = len(counts_of(path).concept_ids)
        assert _summary(again.stdout) == (concepts, 0, 0, 0, 0, "unchanged"), path.name
    engine = create_engine(settings.resolved_database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Concept)) == total_concepts
            assert conn.scalar(select(func.count()).select_from(Term)) == total_terms
    finally:
        engine.dispose()
