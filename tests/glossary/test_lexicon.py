"""Converting Chen (2012) Western Xiangxi IPA to the 1956 orthography, on the real data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from interp_service.glossary.lexicon import lexicon_convert as lc
from interp_service.glossary.lexicon.orthography import validate
from interp_service.glossary.lexicon.orthography_tables import orthography

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
    from interp_service.glossary.exchange.importing import CONCEPT_LIMITS

    assert CONCEPT_LIMITS["external_id"] == lc.CONCEPT_ID_MAX
    with SHIPPED.open(encoding="utf-8", newline="") as handle:
        ids = {row["concept_id"] for row in csv.DictReader(handle, delimiter="\t")}
    assert ids and all(len(i) <= lc.CONCEPT_ID_MAX for i in ids)
    long_name = "393_" + "x" * 80
    cut = lc.concept_id(long_name)
    assert len(cut) == lc.CONCEPT_ID_MAX and cut == lc.concept_id(long_name)
    assert cut != lc.concept_id(long_name + "y")
    assert lc.concept_id("469_day") == "chen2012-469_day"


# The reference's table writes the retroflex stops and nasal zh ch nzh nch nh, but it records
# that the encyclopaedia text writes them dr tr ndr ntr nr: those rules are not settled.
RETROFLEX_RULES = {
    "init-zh": "zh",
    "init-ch": "ch",
    "init-nzh": "nzh",
    "init-nch": "nch",
    "init-nh": "nh",
}


def test_retroflex_rules_are_copied_from_the_tables_but_count_as_proposed() -> None:
    ortho = orthography()
    rules = lc.load_rules().rules
    for rule_id, letter in RETROFLEX_RULES.items():
        rule = rules[rule_id]
        assert rule.letter == letter and ortho.initial_ipa[letter] == rule.ipa, rule_id
        assert rule.status == "proposed", rule_id
        assert "dr tr ndr ntr nr" in rule.reason, rule_id


@needs_data
def test_retroflex_forms_are_flagged_inferred_with_the_ipa_kept(
    conversions: list[lc.Conversion],
) -> None:
    han = _by_id(conversions, "WesternXiangxi-41_hanchinese-1")  # Chen: qo³⁵ʈɑ²²
    assert han.ipa == "qo³⁵ʈɑ²²" and han.spelling == "ghob zhal"
    assert han.inferred and "init-zh" in han.rules
    retroflex = [c for c in conversions if c.converted and set(c.rules) & set(RETROFLEX_RULES)]
    assert retroflex and all(c.inferred for c in retroflex)
    rows = {r["source"]: r for r in lc.lexicon_rows(conversions) if r["language"] == "mmr"}
    for c in retroflex:
        row = rows.get(f"{lc.SOURCE}; form {c.form_id}")
        if row is None:  # a second form of the concept with the same spelling
            continue
        assert row["note"].startswith("spelling inferred (proposed rules: "), c.form_id
        assert any(r in row["note"] for r in RETROFLEX_RULES), c.form_id
        assert row["ipa"] == c.ipa and row["term"] == c.spelling


@needs_data
def test_reference_only_forms_drop_by_exactly_the_retroflex_forms(
    conversions: list[lc.Conversion],
) -> None:
    rep = lc.report(conversions)
    rules = lc.load_rules().rules
    # Forms whose only proposed rules are the retroflex ones: reference-only before.
    only_retroflex = [
        c
        for c in conversions
        if c.converted
        and set(RETROFLEX_RULES) & set(c.rules)
        and all(r in RETROFLEX_RULES for r in c.rules if rules[r].status == "proposed")
    ]
    assert len(only_retroflex) == 44
    assert rep.reference_only + len(only_retroflex) == 419
    assert rep.inferred - len(only_retroflex) == 477
    assert (rep.reference_only, rep.inferred, rep.not_converted) == (375, 521, 11)


@needs_data
def test_the_shipped_lexicon_flags_every_retroflex_form() -> None:
    with SHIPPED.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["language"] == "mmr"]
    retroflex = [r for r in rows if "ʈ" in r["ipa"] or "ɳ" in r["ipa"]]
    assert len(retroflex) == 66  # 44 of them said "by reference rules" before
    assert all(r["note"].startswith("spelling inferred") for r in retroflex)
    reference_only = [
        r for r in rows if r["note"] == "converted from Chen's IPA by reference rules"
    ]
    assert len(reference_only) == 416 - 44  # rows (a concept's repeated spelling is one row)


SOURCE_SLIPS = {
    ("570_tightlywovenfabric", "cmn"): ("蜜（稠）", "密（稠）"),
    ("717_repayadept", "eng"): ("repay (a dept)", "debt"),
    ("773_loosemoney", "eng"): ("loose money", "lose money"),
}


def _shipped_rows() -> list[dict[str, str]]:
    with SHIPPED.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@needs_data
def test_source_gloss_slips_keep_the_source_text_and_carry_a_note() -> None:
    with (DATA / "parameters.csv").open(encoding="utf-8", newline="") as f:
        params = {row["ID"]: row for row in csv.DictReader(f)}
    column = {"cmn": "Chinese_Gloss", "eng": "Name"}
    for rows in (lc.lexicon_rows(lc.read_forms(DATA, ["WesternXiangxi"])), _shipped_rows()):
        noted = {
            (r["concept_id"], r["language"]): r
            for r in rows
            if r["language"] in ("cmn", "eng") and r["note"]
        }
        assert len(noted) == len(SOURCE_SLIPS)
        for (param, language), (source_text, correction) in SOURCE_SLIPS.items():
            assert params[param][column[language]].strip() == source_text
            row = noted[(f"chen2012-{param}", language)]
            assert row["term"] == source_text  # kept as the source has it
            assert row["note"].startswith("来源") and correction in row["note"]
    assert set(lc.source_notes()) == set(SOURCE_SLIPS)


def test_a_note_whose_gloss_changed_in_the_source_stops_the_converter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixed = lc.convert_form(
        "f1", "717_repayadept", "WesternXiangxi", "pji³¹", "还帐", "repay (a debt)"
    )
    assert [n.parameter for n in lc.stale_source_notes([fixed])] == ["717_repayadept"]
    assert lc.stale_source_notes([]) == []  # a parameter without forms needs no note
    assert lc._gloss_note("717_repayadept", "eng", "repay (a debt)") == ""
    data = tmp_path / "data"
    data.mkdir()
    (data / "parameters.csv").write_text(
        "ID,Name,Concepticon_ID,Concepticon_Gloss,Chinese_Gloss\n"
        "717_repayadept,repay (a debt),,,还帐\n",
        encoding="utf-8",
    )
    (data / "forms.csv").write_text(
        "ID,Language_ID,Parameter_ID,Form\n"
        "WesternXiangxi-717_repayadept-1,WesternXiangxi,717_repayadept,pji³¹\n",
        encoding="utf-8",
    )
    out = tmp_path / "x.tsv"
    assert lc.main(["--data", str(data), "--out", str(out)]) == 2
    assert "717_repayadept" in capsys.readouterr().err
    assert not out.exists()
