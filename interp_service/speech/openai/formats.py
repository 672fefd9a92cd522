"""The response formats of the OpenAI-style transcription route: json, text, srt, vtt and
verbose_json. Only segments the language gate confirmed as Mandarin carry text."""

from __future__ import annotations

import math
import zlib
from typing import Any

from fastapi.responses import JSONResponse, PlainTextResponse, Response

from interp_service.speech import pipeline

LANGUAGE_NAME = "chinese"


def compression_ratio(text: str) -> float:
    """Whisper's measure: UTF-8 bytes over their zlib-compressed size."""
    data = text.encode()
    return round(len(data) / len(zlib.compress(data)), 3) if data else 0.0


def segment_json(number: int, result: pipeline.SegmentResult) -> dict[str, Any]:
    """One segment in OpenAI's verbose shape, plus `kind` and `language_unconfirmed`.

    Segments the gate held back keep their times but have empty text and no
    log-probability (nothing was decoded for them)."""
    r = result.recognition
    mandarin = result.kind == "mandarin"
    text = (r.text or "").strip() if mandarin else ""
    return {
        "id": number,
        "seek": int(round(result.span.start_s * 100)),
        "start": round(result.span.start_s, 3),
        "end": round(result.span.end_s, 3),
        "text": text,
        "tokens": [],
        "temperature": 0.0,
        "avg_logprob": round(r.avg_logprob, 4) if mandarin and r.avg_logprob is not None else None,
        "compression_ratio": compression_ratio(text),
        "no_speech_prob": (
            round(r.no_speech_probability, 4) if r.no_speech_probability is not None else None
        ),
        "kind": result.kind,
        "language_unconfirmed": not mandarin,
    }


def mandarin_segments(results: list[pipeline.SegmentResult]) -> list[tuple[float, float, str]]:
    return [
        (r.span.start_s, r.span.end_s, (r.recognition.text or "").strip())
        for r in results
        if r.kind == "mandarin" and (r.recognition.text or "").strip()
    ]


def _timestamp(seconds: float, separator: str) -> str:
    millis = int(round(max(0.0, seconds) * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def srt(results: list[pipeline.SegmentResult]) -> str:
    cues = [
        f"{n}\n{_timestamp(start, ',')} --> {_timestamp(end, ',')}\n{text}\n"
        for n, (start, end, text) in enumerate(mandarin_segments(results), start=1)
    ]
    return "\n".join(cues) + ("\n" if cues else "")


def vtt(results: list[pipeline.SegmentResult]) -> str:
    cues = [
        f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}\n{text}\n"
        for start, end, text in mandarin_segments(results)
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def render(
    response_format: str,
    granularities: set[str],
    results: list[pipeline.SegmentResult],
    duration_s: float,
) -> Response:
    text = "".join(text for _, _, text in mandarin_segments(results))
    usage = {"type": "duration", "seconds": math.ceil(duration_s)}
    if response_format == "text":
        return PlainTextResponse(text + "\n")
    if response_format == "srt":
        return PlainTextResponse(srt(results))
    if response_format == "vtt":
        return PlainTextResponse(vtt(results), media_type="text/vtt")
    if response_format == "json":
        return JSONResponse({"text": text, "usage": usage})
    body: dict[str, Any] = {
        "task": "transcribe",
        "language": LANGUAGE_NAME,
        "duration": round(duration_s, 3),
        "text": text,
        "segments": [segment_json(n, r) for n, r in enumerate(results)],
    }
    if "word" in granularities:
        body["words"] = [
            {"word": w.text.strip(), "start": round(w.start_s, 3), "end": round(w.end_s, 3)}
            for r in results
            if r.kind == "mandarin"
            for w in r.recognition.words
            if w.text.strip()
        ]
    body["usage"] = usage
    return JSONResponse(body)
