"""Converting Chen (2012) Western Xiangxi IPA to the 1956 orthography, on the real data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from interp_service.glossary import lexicon_convert as lc
from interp_service.glossary.orthography import orthography, validate

DATA = Path(__file__).parents[2].parent / "shared" / "data" / "lexibank-chenhmongmien"
SHIPPED = Path(__file__).parents[2] / "glossaries" / "xiangxi-lexicon-chen2012.tsv"

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"shared data missing: {DATA}")


@pytest.fixture(scope="module")
def conversions() -> list[lc.Conversion]:
    return lc.read_forms(DATA, ["WesternXiangxi"])


def _by_id(convs: list[lc.Conversion], form_id: str) -> lc.Conversion:
    return next(c for c in convs if c.form_id == form_id)


@needs_data
def test_a_reasonable_share_converts(conversions: list[lc.Conversion]) -> None:
    rep = lc.report(conversions)
    assert rep.forms == 907
    assert rep.reference_only + rep.inferred + rep.not_converted == rep.forms
    assert (rep.reference_only + rep.inferred) / rep.forms >= 0.9
    assert rep.reference_only > 0 and rep.inferred > 0


@needs_data
def test_every_converted_spelling_validates(conversions: list[lc.Conversion]) -> None:
    for c in conversions:
        if c.converted:
            result = validate(c.spelling)
            assert result.errors == [], (c.form_id, c.spelling)


@needs_data
def test_proposed_rules_mark_the_spelling_inferred_and_keep_the_ipa(
    conversions: list[lc.Conversion],
) -> None:
    water = _by_id(conversions, "WesternXiangxi-31_water-1")  # Chen: ʔu³⁵
    assert water.ipa == "ʔu³⁵"
    assert water.inferred
    assert "p-init-glottal" in water.rules
    assert water.chinese_gloss == "水" and water.english_gloss == "water"
    rules = lc.load_rules().rules
    for c in conversions:
        if c.converted:
            assert c.inferred == any(rules[r].status == "proposed" for r in c.rules)


@needs_data
def test_reference_rules_alone_follow_the_tables(conversions: list[lc.Conversion]) -> None:
    thunder = _by_id(conversions, "WesternXiangxi-7_thunder-1")  # Chen: tɑ³⁵so³⁵
    assert not thunder.inferred
    # t -> d, ɑ -> a, s -> s, o -> o, 35 -> b: straight from the reference tables.
    assert thunder.spelling == "dab sob"


@needs_data
def test_unconvertible_forms_say_why(conversions: list[lc.Conversion]) -> None:
    failed = [c for c in conversions if not c.converted]
    assert failed
    assert all(c.error and not c.spelling for c in failed)
    aubergine = _by_id(conversions, "WesternXiangxi-233_aubergine-1")
    assert "tone 55" in aubergine.error


def test_superscript_and_plain_tone_numbers_and_separators_agree() -> None:
    forms = ["tɑ³⁵so³⁵", "tɑ35so35", "tɑ³⁵ + so³⁵", "tɑ³⁵-so³⁵"]
    spellings = {lc.convert_form("x", "p", "WesternXiangxi", f).spelling for f in forms}
    assert len(spellings) == 1 and "" not in spellings


@pytest.mark.parametrize(
    ("form", "reason"),
    [("tɑ³⁵/so³⁵", "alternatives"), ("tɑ³⁵so", "without a tone"), ("tɑ⁵⁵", "tone 55")],
)
def test_forms_that_are_not_converted(form: str, reason: str) -> None:
    conv = lc.convert_form("x", "p", "WesternXiangxi", form)
    assert not conv.converted
    assert reason in conv.error


def test_rules_are_consistent_with_the_orthography() -> None:
    ortho = orthography()
    rules = lc.load_rules().rules.values()
    for r in rules:
        assert r.status in ("reference", "proposed")
        if r.status == "proposed":
            assert r.reason, r.id
        if r.kind == "initial" and r.status == "reference":
            assert ortho.initial_ipa[r.letter] == r.ipa, r.id
        if r.kind == "final":
            assert ortho.final_ipa[r.letter] == r.ipa, r.id
        if r.kind == "tone":
            assert ortho.tones[r.letter] == int(r.ipa), r.id
        if r.kind == "initial" and r.letter:
            assert r.letter in ortho.initials, r.id


@needs_data
def test_lexicon_rows_pair_chinese_and_miao(conversions: list[lc.Conversion]) -> None:
    rows = lc.lexicon_rows(conversions)
    by_concept: dict[str, set[str]] = {}
    for row in rows:
        assert set(row) == set(lc.TSV_COLUMNS)
        assert row["verification"] == "unverified"
        assert row["status"] == "admitted"
        assert row["subject_field"] == "lexicon"
        assert row["source"].startswith("Chen 2012 (lexibank chenhmongmien b0a1042a), CC BY 4.0")
        by_concept.setdefault(row["concept_id"], set()).add(row["language"])
        if row["language"] == "mmr":
            assert row["ipa"] and "form WesternXiangxi-" in row["source"]
            assert row["variety"] == "花垣"
    assert all({"cmn", "mmr"} <= langs for langs in by_concept.values())
    inferred = [r for r in rows if r["language"] == "mmr" and "spelling inferred" in r["note"]]
    assert inferred


@needs_data
def test_cli_writes_the_lexicon_and_prints_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lexicon.tsv"
    assert lc.main(["--data", str(DATA), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "converted by reference rules only:" in printed
    assert "not converted:" in printed
    with out.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t")
        assert tuple(next(reader)) == lc.TSV_COLUMNS
        assert all(len(row) == len(lc.TSV_COLUMNS) for row in reader)
    # The shipped file must be what the current rules produce.
    assert SHIPPED.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_cli_refuses_a_variety_without_rules(tmp_path: Path) -> None:
    assert (
        lc.main(
            ["--data", str(DATA), "--out", str(tmp_path / "x.tsv"), "--language", "EasternXiangxi"]
        )
        == 2
    )


@needs_data
def test_attribution_states_the_current_counts(conversions: list[lc.Conversion]) -> None:
    text = SHIPPED.with_name("xiangxi-lexicon-chen2012.ATTRIBUTION.md").read_text("utf-8")
    rep = lc.report(conversions)
    assert "CC BY 4.0" in text and "b0a1042a" in text and "unverified" in text
    assert f"| converted by reference rules only | {rep.reference_only} |" in text
    assert f"| converted with inferred spelling (a proposed rule used) | {rep.inferred} |" in text
    assert f"| not converted | {rep.not_converted} |" in text


def test_shipped_concept_ids_fit_the_glossary_import() -> None:
    """One parameter name longer than the glossary's concept ids made the import refuse the
    whole lexicon; long ids are cut with a hash of the whole, the same on every run."""
    from interp_service.glossary.importing import CONCEPT_LIMITS

    assert CONCEPT_LIMITS["external_id"] == lc.CONCEPT_ID_MAX
    with SHIPPED.open(encoding="utf-8", newline="") as handle:
        ids = {row["concept_id"] for row in csv.DictReader(handle, delimiter="\t")}
    assert ids and all(len(i) <= lc.CONCEPT_ID_MAX for i in ids)
    long_name = "393_" + "x" * 80
    cut = lc.concept_id(long_name)
    assert len(cut) == lc.CONCEPT_ID_MAX and cut == lc.concept_id(long_name)
    assert cut != lc.concept_id(long_name + "y")
    assert lc.concept_id("469_day") == "chen2012-469_day"
