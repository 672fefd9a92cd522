"""Legal terms are recognised where they matter: with the shipped criminal-procedure glossary
(a draft, no Miao terms) and the Chen 2012 lexicon imported, the longest glossary match wins
over the word segmentation, a legal term is marked even without a Miao equivalent, and the
lexicon's everyday words (你, 的 …) are told apart (`kind`) and never overlap a legal term,
in the gloss, memory and model paths and on the interview page.

Miao text here is placeholder tokens (zz-NNNN) or comes from the shipped lexicon."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import html  # type: ignore[import-untyped]

from interp_service.glossary.search.match_records import IndexedTerm, TermKind
from interp_service.glossary.search.recognition import TermRecogniser
from interp_service.glossary.search.searching import build_index
from interp_service.translation.pipeline import Request, TranslationContext, translate
from interp_service.translation.receipts import GlossToken, TermFired
from interp_service.translation.segment import glossary_segmenter
from tests.conftest import Account, bearer, sign_in
from tests.interview_setup import interview_world

GLOSSARIES = Path(__file__).parents[2] / "glossaries"
LEGAL_FILE = GLOSSARIES / "criminal-procedure.tsv"
LEXICON_FILE = GLOSSARIES / "xiangxi-lexicon-chen2012.tsv"

TEXT = "你同意认罪认罚吗？你的辩护人会到场，依照刑事诉讼法的规定。"
LEGAL = ("认罪认罚", "辩护人", "刑事诉讼法")


def _import(client: TestClient, admin: Account, path: Path) -> None:
    r = client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
    )
    assert r.status_code == 200, r.text


@pytest.fixture
def glossaries(client: TestClient, admin: Account) -> None:
    """Both shipped files imported, as the README's five commands do."""
    _import(client, admin, LEGAL_FILE)
    _import(client, admin, LEXICON_FILE)


def _translate(client: TestClient, who: Account, text: str = TEXT) -> list[dict[str, Any]]:
    r = client.post(
        "/api/v1/translate",
        headers=bearer(who),
        json={
            "texts": [text],
            "source_language": "cmn",
            "target_language": "mmr",
            "target_variety": "花垣",
        },
    )
    assert r.status_code == 200, r.text
    sentences: list[dict[str, Any]] = r.json()["results"][0]["sentences"]
    return sentences


def _spans(sentences: list[dict[str, Any]], kind: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of the marked terms of `kind`, in offsets of the whole text."""
    found = []
    for s in sentences:
        offset = s["receipt"]["source_start"]
        for t in s["receipt"]["terms"]:
            assert s["source"][t["source_start"] : t["source_end"]] == t["source_text"]
            if t["kind"] == kind:
                found.append(
                    (offset + t["source_start"], offset + t["source_end"], t["source_text"])
                )
    return found


def _overlapping(a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]) -> list[Any]:
    return [(x, y) for x in a for y in b if x[0] < y[1] and y[0] < x[1]]


def test_legal_terms_are_marked_whole_in_the_gloss_memory_and_model_paths(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any, glossaries: None
) -> None:
    """One import of both files (seconds) serves the three paths."""
    _check_gloss(_translate(client, admin))
    _check_memory(client, admin, make_user)
    _check_model(app)


def _check_gloss(sentences: list[dict[str, Any]]) -> None:
    assert [s["receipt"]["path"] for s in sentences] == ["gloss", "gloss"]
    legal = _spans(sentences, "legal")
    lexicon = _spans(sentences, "lexicon")
    for term in LEGAL:
        start = TEXT.index(term)
        assert (start, start + len(term), term) in legal, (term, legal)
    # Draft legal terms without a Miao equivalent are marked all the same.
    by_text = {t["source_text"]: t for s in sentences for t in s["receipt"]["terms"]}
    for term in LEGAL:
        assert by_text[term]["target_text"] is None and by_text[term]["target_term_id"] is None
        assert by_text[term]["verification"] == "unverified"
        assert by_text[term]["output_start"] is None
    # Everyday words from the lexicon are marked as such, and never inside a legal term.
    assert (0, 1, "你") in lexicon
    assert by_text["你"]["kind"] == by_text["的"]["kind"] == "lexicon"
    assert _overlapping(legal, lexicon) == []
    # The gloss keeps each legal term as one unit, of the same kind.
    tokens = [g for s in sentences for g in s["receipt"]["gloss"]]
    units = {g["source_text"]: g for g in tokens}
    assert all(units[t]["kind"] == "legal" and units[t]["concept_id"] for t in LEGAL)
    assert units["你"]["kind"] == "lexicon"
    # Nothing of the source is lost from the gloss.
    assert "".join(g["source_text"] for g in tokens) == "".join(
        ch for ch in TEXT if ch not in "？，。"
    )


def _check_memory(client: TestClient, admin: Account, make_user: Any) -> None:
    """An approved memory pair whose Miao side holds no glossary equivalent."""
    miao_admin = make_user("longadmin", "admin", competences=("mmr",))
    first = TEXT[: TEXT.index("？") + 1]
    entry = client.post(
        "/api/v1/memory/entries",
        headers=bearer(miao_admin),
        json={
            "source_language": "cmn",
            "source_text": first,
            "target_language": "mmr",
            "target_variety": "花垣",
            "target_text": "zz-0001 zz-0002 zz-0003",
        },
    )
    assert entry.status_code == 201, entry.text
    sentence = _translate(client, admin)[0]
    assert sentence["receipt"]["path"] == "memory-exact"
    terms = sentence["receipt"]["terms"]
    [term] = [t for t in terms if t["kind"] == "legal"]
    assert (term["source_text"], term["source_start"], term["source_end"]) == ("认罪认罚", 3, 7)
    assert term["target_text"] is None and term["output_start"] is None
    # The lexicon's 你 (its Miao word is not in this translation) is not claimed there.
    assert all(t["kind"] == "legal" for t in terms)


@dataclass
class _Hypothesis:
    text: str


@dataclass
class _Card:
    name: str = "fake"
    version: str = "1"


@dataclass
class _FakeModel:
    """A promoted model that answers every sentence with the same placeholder words."""

    output: str
    card: _Card = field(default_factory=_Card)
    seen: list[str] = field(default_factory=list)

    async def translate(self, text: str, **_: Any) -> list[_Hypothesis]:
        self.seen.append(text)
        return [_Hypothesis(self.output)]


@dataclass
class _Models:
    model: _FakeModel

    async def model_for(self, source_language: str, target_language: str) -> Any:
        return self.model

    def promoted(self, source_language: str, target_language: str) -> Any:
        return self.model

    async def refresh_if_changed(self) -> None:
        return None


def _check_model(app: FastAPI) -> None:
    """A promoted model (a fake answering placeholder words) for a sentence whose terms have
    no approved equivalent to enforce."""
    with app.state.services.session_factory() as session:
        index = build_index(session)
    model = _FakeModel("zz-0001 zz-0002")
    ctx = TranslationContext(
        glossary=index, segmenter=glossary_segmenter(index), memory=None, models=_Models(model)
    )
    result = asyncio.run(translate(ctx, Request(TEXT, "cmn", "mmr", "花垣")))
    assert [s.receipt.path for s in result.sentences] == ["model", "model"]
    terms = [t for s in result.sentences for t in s.receipt.terms]
    legal = [t for t in terms if t.kind == "legal"]
    assert [t.source_text for t in legal] == list(LEGAL)
    assert all(t.target_text is None and not t.enforced for t in legal)
    # No placeholder: nothing had an approved equivalent to enforce.
    assert model.seen == [s.source for s in result.sentences]
    assert all(t.kind == "legal" for t in terms)  # no lexicon word is in this output


def _term(
    term_id: int, text: str, status: str = "preferred", kind: TermKind = "legal"
) -> IndexedTerm:
    return IndexedTerm(term_id, term_id, "cmn", "", text, status, "unverified", kind)


def test_narrowing_comes_before_overlaps_are_resolved() -> None:
    """A term left out (forbidden, or of the other kind) no longer hides the one that counts."""
    recogniser = TermRecogniser(
        [
            _term(1, "刑事诉讼法规", "forbidden"),
            _term(2, "刑事诉讼法"),
            _term(3, "事", kind="lexicon"),
        ]
    )
    sentence = "依照刑事诉讼法规定"
    assert [m.text for m in recogniser.find(sentence, "cmn")] == ["刑事诉讼法规"]
    usable = recogniser.find(sentence, "cmn", accept=lambda t: t.status != "forbidden")
    assert [(m.text, m.start) for m in usable] == [("刑事诉讼法", 2)]
    lexicon = recogniser.find(
        sentence,
        "cmn",
        accept=lambda t: t.kind == "lexicon",
        span_ok=lambda start, end: not (start < 7 and end > 2),
    )
    assert lexicon == []


def test_kind_defaults_to_legal_for_receipts_stored_before_it() -> None:
    old_term = {
        "concept_id": 1,
        "source_term_id": 2,
        "source_text": "取保候审",
        "source_start": 0,
        "source_end": 4,
        "target_term_id": None,
        "target_text": None,
    }
    assert TermFired.model_validate(old_term).kind == "legal"
    old_token = {"source_start": 0, "source_end": 1, "source_text": "你", "gloss": None}
    assert GlossToken.model_validate({**old_token, "verification": None}).kind == "legal"


def test_interview_page_marks_legal_terms_prominently_and_lexicon_words_quietly(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    _import(client, admin, LEXICON_FILE)
    said = client.post(
        f"{world.interview_api}/exchanges",
        headers=bearer(world.lead),
        json={
            "speaker_role": "prosecutor",
            "source_language": "cmn",
            "target_language": "mmr",
            "target_variety": "花垣",
            "text": TEXT,
        },
    )
    assert said.status_code == 201, said.text
    sign_in(client, app, world.lead)
    page = client.get(f"/cases/{world.case_id}/interviews/{world.interview_id}")
    assert page.status_code == 200, page.text
    tree = html.fromstring(page.text)
    marks = tree.xpath('//*[@data-testid="pane-cmn"]//mark[@data-testid="term"]')

    def shown(mark: Any) -> str:
        return str(mark.text or "")  # the term itself, before its card

    def classes(mark: Any) -> set[str]:
        return set(str(mark.get("class", "")).split())

    legal = {shown(m): m for m in marks if "legal" in classes(m)}
    lexicon = [shown(m) for m in marks if "lexicon" in classes(m)]
    for term in LEGAL:
        assert term in legal, (term, [shown(m) for m in marks])
        card = legal[term].xpath('.//span[contains(@class, "term-card")]')[0].text_content()
        assert card.startswith("法律术语") and "（无对应词）" in card
    assert "你" in lexicon and "你" not in legal
    lexicon_mark = next(m for m in marks if shown(m) == "你")
    assert "lexicon" in classes(lexicon_mark) and "legal" not in classes(lexicon_mark)
    card = lexicon_mark.xpath('.//span[contains(@class, "term-card")]')[0].text_content()
    assert card.startswith("词表词语")
    css = client.get("/static/app.css").text
    assert "mark.term.lexicon" in css
