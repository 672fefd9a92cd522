"""`interp-service models …`: list, show, promote (through the gate, or forced with a
reason) and roll back, as a named admin (audited under that name).

A promotion made here rewrites the pointer file; a running service picks it up through
``Engine.refresh_if_changed()``, without a restart.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from interp_service.config import Settings


def _open(settings: Settings) -> tuple[Any, Any]:
    from interp_service.db.session import make_engine, make_session_factory

    engine = make_engine(settings)
    return engine, make_session_factory(engine)()


def _admin(session: Any, username: str) -> Any:
    from interp_service.users.repository import get_user_by_username

    user = get_user_by_username(session, username)
    if user is None or not user.has_role("admin") or not user.is_active:
        print(f"error: {username!r} is not an active admin account", file=sys.stderr)
        return None
    return user


def _scores(scores: dict[str, Any] | None) -> str:
    if not scores:
        return "—"
    return f"chrF {scores['chrf']:.1f}  BLEU {scores['bleu']:.1f}  (n={scores['n']})"


def _print_gate(result: dict[str, Any] | None) -> None:
    if not result:
        print("gate: not evaluated yet")
        return
    print(f"gate: {result.get('decision')} (margin {result.get('margin_chrf')} chrF)")
    print(f"  candidate  {_scores(result.get('candidate'))}")
    print(f"  baseline   {_scores(result.get('baseline'))}")
    incumbent = result.get("incumbent")
    if incumbent:
        print(f"  promoted   {_scores(incumbent)}  [{incumbent.get('label')}]")
    for reason in result.get("reasons", []):
        print(f"  reason: {reason}")


def _run(settings: Settings, args: argparse.Namespace, job: Any) -> int:
    from interp_service.errors import AppError

    engine, session = _open(settings)
    try:
        admin = _admin(session, args.as_user)
        if admin is None:
            return 2
        code: int = job(session, admin)
        return code
    except AppError as exc:
        session.rollback()
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        session.close()
        engine.dispose()


def _list(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.registry import service, views

    def job(session: Any, admin: Any) -> int:
        rows, total = service.list_versions(
            session, settings, admin, pair=args.pair or None, limit=1000
        )
        session.commit()
        for v in views.versions_out(session, rows):
            h = views.headline(v.metrics)
            chrf = "—" if h["chrf"] is None else f"{h['chrf']:.1f}"
            base = "—" if h["baseline_chrf"] is None else f"{h['baseline_chrf']:.1f}"
            print(
                f"{v.pair or '?':<8} {v.name:<28} {v.version or '-':<8} {v.status:<9} "
                f"chrF {chrf:>5} (baseline {base:>5})  {v.folder}"
                + (f"  [{v.problem[:80]}]" if v.problem else "")
            )
        print(f"{total} version(s)")
        return 0

    return _run(settings, args, job)


def _show(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.registry import repository as repo
    from interp_service.registry import service, views

    def job(session: Any, admin: Any) -> int:
        if args.version is None:
            service.refresh_registry(session, settings, admin)
            session.commit()
            rows = [r for r in repo.list_versions(session, limit=1000)[0] if r.name == args.name]
            if not rows:
                print(f"error: no model named {args.name!r}", file=sys.stderr)
                return 1
            for v in views.versions_out(session, rows):
                print(f"{v.name} {v.version or '-'}  {v.status}  {v.pair}  {v.folder}")
            return 0
        row = service.show(session, settings, admin, args.name, args.version)
        session.commit()
        v = views.version_out(session, row)
        print(f"{v.name} version {v.version}  [{v.status}]  pair {v.pair}  folder {v.folder}")
        if v.problem:
            print(f"refused: {v.problem}")
        print(f"card sha256 {v.card_sha256 or '—'}  data {v.data_hash or '—'}")
        print(f"parent {v.parent or '—'}  previously promoted {v.previous_label or '—'}")
        if v.promoted_at:
            forced = f"  FORCED: {v.force_reason}" if v.forced else ""
            print(
                f"promoted {v.promoted_at.isoformat()} by {v.promoted_by_name or 'system'}{forced}"
            )
        for key, value in sorted(v.metrics.items()):
            print(f"  {key} = {value:g}")
        _print_gate(row.gate_result)
        return 0

    return _run(settings, args, job)


def _promote(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.registry import service

    if args.force and not args.reason:
        print("error: --force needs --reason TEXT (at least 10 characters)", file=sys.stderr)
        return 2

    def job(session: Any, admin: Any) -> int:
        outcome = service.promote(
            session, settings, admin, args.name, args.version, args.reason if args.force else None
        )
        session.commit()
        _print_gate(outcome.result)
        if not outcome.promoted:
            print(f"refused: {outcome.version.label} was not promoted", file=sys.stderr)
            return 1
        how = "FORCED (reason recorded in the audit trail)" if outcome.forced else "gate passed"
        print(f"promoted {outcome.version.label} for {outcome.version.pair}: {how}")
        return 0

    return _run(settings, args, job)


def _rollback(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.registry import service

    def job(session: Any, admin: Any) -> int:
        row = service.rollback(session, settings, admin, args.pair)
        session.commit()
        print(f"rolled back {args.pair}: {row.label} serves again")
        return 0

    return _run(settings, args, job)


def _retire(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.registry import service

    def job(session: Any, admin: Any) -> int:
        row = service.retire(session, settings, admin, args.name, args.version)
        session.commit()
        print(f"retired {row.label}")
        return 0

    return _run(settings, args, job)


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    models = sub.add_parser("models", help="model registry: list, show, promote, roll back")
    m = models.add_subparsers(dest="models_command", required=True)
    lst = m.add_parser("list", help="model versions per pair (syncs the models folder)")
    lst.add_argument("--pair", help="e.g. cmn-mmr")
    lst.set_defaults(func=_list)
    show = m.add_parser("show", help="a model's versions, or one version with its gate result")
    show.add_argument("name")
    show.add_argument("version", nargs="?")
    show.set_defaults(func=_show)
    promote = m.add_parser("promote", help="promote through the gate (exit 1 when refused)")
    promote.add_argument("name")
    promote.add_argument("version")
    promote.add_argument("--force", action="store_true", help="promote although refused")
    promote.add_argument("--reason", help="why it is forced (at least 10 characters)")
    promote.set_defaults(func=_promote)
    back = m.add_parser("rollback", help="promote again the previously promoted version")
    back.add_argument("--pair", required=True, help="e.g. cmn-mmr")
    back.set_defaults(func=_rollback)
    retire = m.add_parser("retire", help="set a candidate aside for good")
    retire.add_argument("name")
    retire.add_argument("version")
    retire.set_defaults(func=_retire)
    for cmd in (lst, show, promote, back, retire):
        cmd.add_argument("--as-user", default="admin", help="admin account acting (audited)")
