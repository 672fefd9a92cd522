"""`interp-service glossary …`: import, export, lookup and recognise from the shell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from interp_service.config import Settings


def _session(settings: Settings):  # type: ignore[no-untyped-def]
    from interp_service.db.session import make_engine, make_session_factory

    engine = make_engine(settings)
    return engine, make_session_factory(engine)()


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.errors import AppError
    from interp_service.glossary.exchange import importing
    from interp_service.users.repository import get_user_by_username

    engine, session = _session(settings)
    try:
        admin = get_user_by_username(session, args.as_user)
        if admin is None or not admin.has_role("admin"):
            print(f"error: {args.as_user!r} is not an admin account", file=sys.stderr)
            return 2
        path = Path(args.file)
        fmt = args.format or importing.guess_format(path.name)
        outcome = importing.import_glossary(
            session, admin, path.read_bytes(), fmt, dry_run=args.dry_run
        )
        report = importing.report(outcome, fmt, args.dry_run)
        for problem in report.problems:
            print(f"line {problem['line']}: {problem['message']}")
        for warning in report.warnings:
            print(f"warning: {warning}")
        if not report.ok:
            print(f"{len(report.problems)} problems; nothing imported")
            return 1
        if not args.dry_run:
            session.commit()
        print(
            f"{'checked' if args.dry_run else 'imported'} {report.concepts_in_file} concepts: "
            f"{report.concepts_created} new, {report.concepts_changed} changed; "
            f"terms {report.terms_created} new, {report.terms_changed} changed; "
            f"release {report.release if report.release else 'unchanged'}"
        )
        return 0
    except AppError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        session.close()
        engine.dispose()


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.glossary.exchange import importing

    engine, session = _session(settings)
    try:
        data = importing.export_glossary(session, args.format)
    finally:
        session.close()
        engine.dispose()
    if args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(args.out).write_bytes(data)
        print(f"wrote {len(data)} bytes to {args.out}")
    return 0


def _lookup(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.glossary.search import searching

    engine, session = _session(settings)
    try:
        hits = searching.lookup_in(session, args.query, args.language, args.limit)
    finally:
        session.close()
        engine.dispose()
    for hit in hits:
        t = hit.term
        print(
            f"{hit.score:5.1f} {hit.how:<16} {t.language} {t.text}  [{t.status}, "
            f"{t.verification}]  {hit.concept_external_id}"
        )
    return 0 if hits else 1


def _recognise(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.glossary.search import searching

    engine, session = _session(settings)
    try:
        result = searching.recognise_in(session, args.text, args.language)
    finally:
        session.close()
        engine.dispose()
    print(f"glossary release {result.release}")
    for m in result.matches:
        print(
            f"{m.start:>4}-{m.end:<4} {m.surface}  → {m.term.text} [{m.term.status}, "
            f"{m.term.verification}] {m.concept_external_id}"
        )
    return 0


def _decide(settings: Settings, args: argparse.Namespace) -> int:
    """approve / reject / revert / propose as a named user (audited under that name)."""
    from interp_service.errors import AppError
    from interp_service.glossary import editing, service
    from interp_service.glossary.releases import current_release
    from interp_service.glossary.schemas import ProposalCreate, TermFields
    from interp_service.users.repository import get_user_by_username

    engine, session = _session(settings)
    try:
        user = get_user_by_username(session, args.as_user)
        if user is None or not user.is_active:
            print(f"error: no active user {args.as_user!r}", file=sys.stderr)
            return 2
        if args.glossary_command in ("approve", "reject", "revert") and not user.has_role("admin"):
            print(f"error: {args.as_user!r} is not an admin", file=sys.stderr)
            return 2
        if args.glossary_command == "approve":
            service.approve(session, user, args.id, args.note)
        elif args.glossary_command == "reject":
            service.reject(session, user, args.id, args.note)
        elif args.glossary_command == "revert":
            editing.revert(session, user, args.id)
        else:
            term = TermFields(
                language=args.language, variety=args.variety, text=args.text, status=args.status
            )
            proposal = service.propose(
                session,
                user,
                ProposalCreate(
                    kind="new_term", concept_id=args.concept, term=term, comment=args.note
                ),
            )
            print(f"proposal {proposal.id} recorded")
        session.commit()
        print(f"glossary release {current_release(session)}")
        return 0
    except AppError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        session.close()
        engine.dispose()


def _proposals(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.glossary import repository as repo

    engine, session = _session(settings)
    try:
        rows, total = repo.proposals(session, state=args.state, limit=200)
        for p in rows:
            term = p.payload.get("term", {})
            print(
                f"{p.id:>5} {p.kind:<12} concept {p.concept_id} {term.get('language', '')} "
                f"{term.get('text', '')}  by user {p.proposed_by}  [{p.state}]"
            )
        print(f"{total} {args.state or ''} proposals")
        return 0
    finally:
        session.close()
        engine.dispose()


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    glossary = sub.add_parser("glossary", help="legal glossary and lexicon")
    g = glossary.add_subparsers(dest="glossary_command", required=True)
    imp = g.add_parser("import", help="check and import a TBX, TSV or CSV file")
    imp.add_argument("file")
    imp.add_argument("--format", choices=["tbx", "tsv", "csv"])
    imp.add_argument("--dry-run", action="store_true", help="check only")
    imp.add_argument("--as-user", default="admin", help="admin account the import is made by")
    imp.set_defaults(func=_import)
    exp = g.add_parser("export", help="export the glossary")
    exp.add_argument("--format", choices=["tbx", "tsv", "csv"], default="tbx")
    exp.add_argument("--out", default="-")
    exp.set_defaults(func=_export)
    look = g.add_parser("lookup", help="look a term up")
    look.add_argument("query")
    look.add_argument("--language")
    look.add_argument("--limit", type=int, default=10)
    look.set_defaults(func=_lookup)
    rec = g.add_parser("recognise", help="find glossary terms in a sentence")
    rec.add_argument("text")
    rec.add_argument("--language", default="cmn")
    rec.set_defaults(func=_recognise)
    lst = g.add_parser("proposals", help="list proposals")
    lst.add_argument("--state", default="pending", choices=["pending", "approved", "rejected"])
    lst.set_defaults(func=_proposals)
    prop = g.add_parser("propose", help="propose a new term for a concept")
    prop.add_argument("--concept", type=int, required=True, help="concept id")
    prop.add_argument("--language", required=True)
    prop.add_argument("--variety", default="")
    prop.add_argument("--status", default="admitted")
    prop.add_argument("--note", default="")
    prop.add_argument("--as-user", required=True)
    prop.add_argument("text")
    prop.set_defaults(func=_decide)
    for name, what in (
        ("approve", "proposal id"),
        ("reject", "proposal id"),
        ("revert", "revision id"),
    ):
        cmd = g.add_parser(name, help=f"{name} ({what})")
        cmd.add_argument("id", type=int)
        cmd.add_argument("--note", default="")
        cmd.add_argument("--as-user", default="admin")
        cmd.set_defaults(func=_decide)
