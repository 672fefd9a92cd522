"""How paragraph texts become renderings: pieces of long paragraphs, a bounded number in
flight, one provenance mark per paragraph (its weakest sentence). The pipeline itself is
replaced here by a stand-in; test_translate_api runs the real one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from interp_service.documents import batch
from interp_service.documents.batch import PIECES_IN_FLIGHT, translate_texts
from interp_service.documents.docx_translate import Rendering
from interp_service.documents.provenance import provenance_of
from interp_service.translation.pipeline import Request
from interp_service.translation.receipts import (
    GlossToken,
    SentenceReceipt,
    SentenceResult,
    TranslationResult,
)


def result(*sentences: tuple[str, str, bool]) -> TranslationResult:
    """(path, output, whether a gloss token had an equivalent) per sentence."""
    out = []
    for path, output, glossed in sentences:
        tokens = [
            GlossToken(
                source_start=0,
                source_end=1,
                source_text="词",
                gloss="zz-0009" if glossed else None,
                verification=None,
            )
        ]
        receipt = SentenceReceipt(
            path=path,
            label=path,
            source_start=0,
            source_end=1,
            glossary_release=None,
            gloss=tokens if path == "gloss" else [],
        )
        out.append(SentenceResult(source="句", output=output, receipt=receipt))
    return TranslationResult(
        source_language="cmn",
        target_language="mmr",
        target_variety="",
        text="句",
        output=" ".join(o for _, o, _ in sentences),
        sentences=out,
        glossary_release=None,
    )


@pytest.mark.parametrize(
    ("results", "mark"),
    [
        ([result(("memory-exact", "zz-0001", False))], "memory-exact"),
        ([result(("memory-exact", "zz-0001", False), ("model", "zz-0002", False))], "model"),
        (
            [result(("memory-exact", "a", False)), result(("memory-fuzzy", "b", False))],
            "memory-fuzzy",
        ),
        ([result(("model", "zz-0001", False), ("gloss", "[词]", False))], "gloss"),
        ([result(("gloss", "zz-0009", True))], "gloss"),
        ([result(("gloss", "[词]", False)), result(("gloss", "[句]", False))], "none"),
        ([], "none"),
    ],
)
def test_a_paragraph_is_marked_by_its_weakest_sentence(
    results: list[TranslationResult], mark: str
) -> None:
    assert provenance_of(results) == mark


def test_long_paragraphs_come_back_whole_and_few_pieces_are_in_flight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    in_flight = peak = 0
    seen: list[str] = []

    async def fake_run(ctx: Any, request: Request) -> TranslationResult:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        seen.append(request.text)
        await asyncio.sleep(0)  # let every other piece start if the gate allowed it
        in_flight -= 1
        path = "memory-exact" if request.text.startswith("记") else "model"
        return result((path, f"<{request.text}>", False))

    monkeypatch.setattr(batch, "run", fake_run)
    long_text = "".join(f"第{i}句。" for i in range(10, 40))  # 30 sentences of 5 characters
    texts = ["记忆句。", long_text, *(f"短段{i}。" for i in range(40))]
    renderings = asyncio.run(translate_texts(None, texts, "mmr", "", 40))  # type: ignore[arg-type]
    assert renderings[0] == Rendering("<记忆句。>", "memory-exact")
    pieces = [s for s in seen if s.startswith("第")]
    assert "".join(pieces) == long_text and all(len(p) <= 40 for p in pieces)
    assert renderings[1] == Rendering(" ".join(f"<{p}>" for p in pieces), "model")
    assert [r.text for r in renderings[2:]] == [f"<短段{i}。>" for i in range(40)]
    assert peak == PIECES_IN_FLIGHT


def test_the_first_failure_cancels_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    finished: list[str] = []

    async def fake_run(ctx: Any, request: Request) -> TranslationResult:
        if request.text == "坏。":
            raise RuntimeError("engine gone")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        finished.append(request.text)
        return result(("model", "x", False))

    async def main() -> None:
        texts = ["坏。", *(f"段{i}。" for i in range(100))]
        with pytest.raises(RuntimeError):
            await translate_texts(None, texts, "mmr", "", 1000)  # type: ignore[arg-type]
        for _ in range(1000):  # time enough for every piece, had any been left running
            await asyncio.sleep(0)

    monkeypatch.setattr(batch, "run", fake_run)
    asyncio.run(main())
    assert len(finished) < PIECES_IN_FLIGHT
