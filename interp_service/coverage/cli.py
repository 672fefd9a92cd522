"""`interp-service speech export`: approved, consented recordings with their approved
transcripts, as a folder a CTC fine-tuning script reads (manifest.jsonl, audio/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from interp_service.config import Settings


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.coverage import speech_export
    from interp_service.db.session import make_engine, make_session_factory
    from interp_service.errors import AppError
    from interp_service.evidence.store import EvidenceStore
    from interp_service.users.repository import get_user_by_username
    from interp_service.users.service import actor_of

    engine = make_engine(settings)
    session = make_session_factory(engine)()
    try:
        user = get_user_by_username(session, args.as_user)
        if user is None or not user.is_active or not user.has_role("admin"):
            print(f"error: {args.as_user!r} is not an active admin account", file=sys.stderr)
            return 2
        store = EvidenceStore(settings.evidence_dir)
        result, selection = speech_export.export(
            session,
            store,
            actor_of(user),
            Path(args.out),
            args.language or None,
            args.variety or None,
        )
        session.commit()
    except AppError as exc:
        session.rollback()
        print(f"error: {exc.detail}; nothing was written", file=sys.stderr)
        return 1
    except OSError as exc:
        session.rollback()
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return 1
    finally:
        session.close()
        engine.dispose()
    print(
        f"exported {result.items} recordings ({result.audio_files} audio files) to "
        f"{result.folder}; manifest.jsonl sha256 {result.manifest_sha256}"
    )
    skipped = sum(result.skipped.values())
    print(f"skipped {skipped}" + (":" if skipped else ""))
    for reason, count in result.skipped.items():
        print(f"  {count:>5}  {reason} ({speech_export.REASONS.get(reason, reason)})")
    if args.verbose:
        for source, reason in selection.skipped:
            print(f"  skipped {source}: {reason}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    speech = sub.add_parser("speech", help="speech data for training a Miao speech model")
    s = speech.add_subparsers(dest="speech_command", required=True)
    exp = s.add_parser(
        "export",
        help="export approved, consented recordings with their transcripts",
        description=(
            "Writes DIR/audio/<sha256>.<ext>, DIR/manifest.jsonl (audio_filepath, duration, "
            "text, ...) and DIR/manifest.csv. Only recordings with recorded speaker consent, "
            "an approved recording and an approved transcript are exported; DIR must be new "
            "or empty, and nothing is written if anything fails."
        ),
    )
    exp.add_argument("--out", required=True, help="a new or empty folder")
    exp.add_argument("--language", help="ISO 639-3 code, e.g. mmr (default: all)")
    exp.add_argument("--variety", help="e.g. 花垣 (default: all)")
    exp.add_argument("--as-user", default="admin", help="admin account the export is made by")
    exp.add_argument("--verbose", action="store_true", help="list every skipped recording")
    exp.set_defaults(func=_export)
