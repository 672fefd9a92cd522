"""Exporting approved memory and glossary pairs, and the command's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from interp_service.cli import main
from interp_service.config import Settings
from interp_service.glossary.orm import Concept, Term
from interp_service.training.export import MEMORY_LICENCE, export_examples
from tests.training.conftest import AddEntries, placeholder_pairs


def add_concept(db: Session, key: str, *terms: tuple[str, str, str, str]) -> None:
    """terms: (language, text, status, verification)."""
    concept = Concept(external_id=key)
    concept.terms = [
        Term(
            language=language,
            variety="花垣" if language == "mmr" else "",
            text=text,
            status=status,
            verification=verification,
            source="Chen 2012 (lexibank), CC BY 4.0; form x" if language == "mmr" else "",
        )
        for language, text, status, verification in terms
    ]
    db.add(concept)
    db.commit()


def test_export_reads_both_stored_directions_and_approved_terms(
    db: Session, add_entries: AddEntries
) -> None:
    add_entries([("你认识证人吗", "zz-0006 zz-0102")])
    add_entries([("zz-0110 zz-0111", "那辆车")], source_language="mmr", target_language="cmn")
    add_entries([("草稿", "zz-0500")], status="draft")
    add_entries([("律师", "zz-0104")], target_language="muq")
    add_concept(
        db,
        "c1",
        ("cmn", "被告人", "preferred", "unverified"),
        ("cmn", "被告", "admitted", "unverified"),
        ("mmr", "zz-0101", "preferred", "approved"),
        ("mmr", "zz-0199", "admitted", "unverified"),  # not approved: left out
    )
    add_concept(db, "c2", ("cmn", "证据", "preferred", "approved"))  # no Miao term
    add_concept(
        db,
        "c3",
        ("cmn", "凶器", "forbidden", "approved"),
        ("mmr", "zz-0113", "preferred", "approved"),
    )

    exported = export_examples(db, "mmr", "cmn")
    assert [(e.source, e.target, e.origin) for e in exported.memory] == [
        ("zz-0006 zz-0102", "你认识证人吗", "memory"),
        ("zz-0110 zz-0111", "那辆车", "memory"),
    ]
    assert all(e.source_language == "mmr" for e in exported.examples)
    assert [(e.source, e.target, e.source_variety) for e in exported.glossary] == [
        ("zz-0101", "被告人", "花垣"),
        ("zz-0101", "被告", "花垣"),
    ]
    assert exported.licence().startswith(MEMORY_LICENCE)
    assert "Chen 2012 (lexibank), CC BY 4.0 (1 terms)" in exported.licence()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("INTERP_DATABASE_URL", settings.resolved_database_url)
    return settings.trained_models_dir


def test_command_names_a_pair_without_data(
    db: Session, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "mt", "--source", "mmr", "--target", "cmn"]) == 1
    err = capsys.readouterr().err
    assert "mmr→cmn：没有可用于训练的已核准句对" in err
    assert not (cli_env / "mt").exists() or not list((cli_env / "mt").iterdir())


def test_command_refuses_too_little_data(
    db: Session, add_entries: AddEntries, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_entries(placeholder_pairs()[:50])
    assert main(["train", "mt", "--source", "cmn", "--target", "mmr", "--both"]) == 1
    err = capsys.readouterr().err
    assert "cmn↔mmr：已核准的句对不足" in err and "只剩 50 条" in err
    assert "训练集至少需要 200 条" in err and "--min-pairs" in err  # the command names it
    assert main(["train", "mt", "--source", "cmn", "--target", "cmn"]) == 2
