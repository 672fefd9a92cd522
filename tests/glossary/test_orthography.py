"""The 1956 Xiangxi orthography module: parsing, validation and normalisation.

Apart from Dut Xonb (the language's name, from the reference), the syllables below are
placeholders assembled from the tables to exercise the rules; they are not Miao words.
"""

from __future__ import annotations

import pytest

from interp_service.glossary.lexicon.orthography import (
    SyllableError,
    lookup_key,
    normalise,
    orthography,
    parse_syllable,
    strip_tones,
    tone_numbers,
    validate,
    variant_keys,
)


def test_tables_load_with_the_reference_sizes() -> None:
    ortho = orthography()
    assert len([k for k, v in ortho.initials.items() if k == v]) == 48 + len(ortho.extra_initials)
    assert len(ortho.final_ipa) == 35
    assert ortho.tones == {"b": 35, "x": 31, "d": 44, "l": 22, "t": 53, "s": 42}


def test_dut_xonb_parses_right_to_left() -> None:
    dut, xonb = (parse_syllable(s) for s in ("Dut", "Xonb"))
    assert (dut.initial, dut.final, dut.tone, dut.tone_value) == ("d", "u", "t", 53)
    assert (xonb.initial, xonb.final, xonb.tone, xonb.tone_value) == ("x", "on", "b", 35)
    result = validate("Dut Xonb")
    assert result.ok
    assert result.errors == []


@pytest.mark.parametrize(
    ("text", "initial", "final"),
    [("nzhab", "nzh", "a"), ("nggab", "ngg", "a"), ("ngab", "ng", "a"), ("ub", "", "u")],
)
def test_longest_initial_wins(text: str, initial: str, final: str) -> None:
    syl = parse_syllable(text)
    assert (syl.initial, syl.final) == (initial, final)


def test_a_syllable_without_tone_letter_is_an_error() -> None:
    result = validate("dut xon")
    assert not result.ok
    assert len(result.errors) == 1
    assert "xon" in result.errors[0] and "缺少声调字母" in result.errors[0]
    with pytest.raises(SyllableError):
        parse_syllable("xon")


@pytest.mark.parametrize("bad", ["b", "qqqb", "du53", "dut35", "dü"])
def test_malformed_syllables_are_errors(bad: str) -> None:
    assert not validate(bad).ok


def test_tone_number_error_names_the_letter() -> None:
    assert "应写声调字母 t" in validate("du53").errors[0]


def test_uncertain_rule_gives_a_warning_not_an_error() -> None:
    result = validate("jab")
    assert result.ok
    assert any("palatal-before-i" in w for w in result.warnings)
    assert validate("jib").warnings == []


def test_uncertain_on_final_warns() -> None:
    result = validate("xonb")
    assert result.ok
    assert any("韵母 on " in w for w in result.warnings)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("drab", "zhab"),
        ("trab", "chab"),
        ("ndrab", "nzhab"),
        ("ntrab", "nchab"),
        ("nrab", "nhab"),
        ("Dut Xongb", "dut xonb"),
    ],
)
def test_variant_spellings_normalise_to_the_canonical_form(variant: str, canonical: str) -> None:
    assert normalise(variant) == canonical
    assert normalise(canonical) == canonical
    result = validate(variant)
    assert result.ok
    assert any("变体写法" in w for w in result.warnings)


def test_extra_initials_are_accepted_with_a_warning() -> None:
    for text in ("dlab", "tlab", "ndlab", "ntlab", "hggab"):
        result = validate(text)
        assert result.ok, text
        assert any("48 个标准声母" in w for w in result.warnings)
        assert normalise(text) == text


def test_case_and_full_width_are_folded() -> None:
    assert normalise("ＤＵＴ　Ｘｏｎｂ") == "dut xonb"
    assert validate("Ｄｕｔ Ｘｏｎｂ").ok


@pytest.mark.parametrize("typed", ["dut53 xonb35", "du53 xon35", "du⁵³ xon³⁵", "DU53 XONG35"])
def test_tone_numbers_become_tone_letters(typed: str) -> None:
    assert normalise(typed) == "dut xonb"


def test_tone_letters_become_tone_numbers_and_back() -> None:
    assert tone_numbers("Dut Xonb") == "du53 xon35"
    for letter, value in orthography().tones.items():
        spelled = f"ga{letter}"
        assert tone_numbers(spelled) == f"ga{value}"
        assert normalise(tone_numbers(spelled)) == spelled


def test_conflicting_tone_number_is_left_for_review() -> None:
    assert normalise("dut35") == "dut35"


def test_hyphens_and_spaces_separate_syllables() -> None:
    result = validate("dut-xonb  dut")
    assert [s.text for s in result.syllables] == ["dut", "xonb", "dut"]
    assert normalise("Dut-Xonb") == "dut-xonb"


def test_tone_insensitive_keys() -> None:
    assert strip_tones("Dut Xonb") == "du xon"
    keys = {lookup_key(t) for t in ("Dut Xonb", "du53 xon35", "dut-xongb", "dud xonx.")}
    assert keys == {"du xon"}
    assert variant_keys("Dut Xongb") == ("dut xonb", "du xon")


def test_unparseable_text_is_kept() -> None:
    assert normalise("Hello, 你好") == "hello, 你好"
    assert not validate("").ok
