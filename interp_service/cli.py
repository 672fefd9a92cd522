"""The `interp-service` console command: serve, db upgrade, user create, audit verify."""

from __future__ import annotations

import argparse
import getpass
import sys

from interp_service.config import Settings


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from interp_service.app import create_app
    from interp_service.db.migrate import initialise

    _print_first_admin(settings, initialise(settings))
    host = args.host or settings.host
    port = args.port or settings.port
    print(f"服务地址 / serving on http://{host}:{port}  (data: {settings.data_dir.resolve()})")
    uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=False, log_level="info")
    return 0


def _print_first_admin(settings: Settings, generated: str | None) -> None:
    if generated:
        name = settings.admin_username or "admin"
        print("=" * 60)
        print(f"First admin created: username {name!r}, password {generated!r}")
        print("This password is shown only once. Log in and change it under 我的账户.")
        print("=" * 60, flush=True)


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.db.migrate import initialise

    _print_first_admin(settings, initialise(settings))
    print("database is at the newest schema")
    return 0


def _user_create(settings: Settings, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from interp_service.audit.chain import Actor
    from interp_service.db.session import make_engine, make_session_factory
    from interp_service.errors import AppError
    from interp_service.users.schemas import UserCreate
    from interp_service.users.service import create_user

    password = args.password or getpass.getpass("password: ")
    competences = [
        dict(zip(("language", "variety"), c.split(":", 1), strict=False)) for c in args.competence
    ]
    try:
        data = UserCreate(
            username=args.username,
            display_name=args.display_name or args.username,
            password=password,
            roles=args.role,
            competences=competences,
        )
    except ValidationError as exc:
        print(f"invalid user: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings)
    with make_session_factory(engine)() as session:
        try:
            user = create_user(session, Actor(None, "cli"), data)
            session.commit()
        except AppError as exc:
            print(f"error: {exc.detail}", file=sys.stderr)
            return 1
        print(f"created user {user.username} (id {user.id}) with roles {sorted(user.role_names)}")
    engine.dispose()
    return 0


def _audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.audit.chain import verify
    from interp_service.db.session import make_engine, make_session_factory

    engine = make_engine(settings)
    with make_session_factory(engine)() as session:
        result = verify(session)
    engine.dispose()
    if result.ok:
        print(f"audit trail intact: {result.entries_checked} entries verified")
        return 0
    print(
        f"audit trail BROKEN at entry {result.first_bad_seq}: {result.reason} "
        f"({result.entries_checked} entries verified before it)"
    )
    return 1


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.jobs.worker import run_worker

    return run_worker(settings, processes=args.processes, threads=args.threads)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="interp-service", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate the database, then run the web service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=_serve)

    worker = sub.add_parser("worker", help="run queued jobs from Redis (INTERP_REDIS_URL)")
    worker.add_argument("--processes", type=int, default=1, help="worker processes")
    worker.add_argument("--threads", type=int, default=1, help="jobs at once per process")
    worker.set_defaults(func=_worker)

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="migrate to the newest schema").set_defaults(func=_db_upgrade)

    user = sub.add_parser("user", help="user commands")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    create = user_sub.add_parser("create", help="create a user")
    create.add_argument("username")
    create.add_argument("--display-name")
    create.add_argument(
        "--role", action="append", required=True, choices=["prosecutor", "clerk", "admin"]
    )
    create.add_argument(
        "--competence", action="append", default=[], help="language[:variety], e.g. mmr:花垣"
    )
    create.add_argument("--password", help="omit to be asked")
    create.set_defaults(func=_user_create)

    audit = sub.add_parser("audit", help="audit trail commands")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="check the hash chain").set_defaults(func=_audit_verify)

    from interp_service.glossary.cli import add_commands as add_glossary_commands

    add_glossary_commands(sub)
    from interp_service.coverage.cli import add_commands as add_speech_commands

    add_speech_commands(sub)
    from interp_service.registry.cli import add_commands as add_model_commands

    add_model_commands(sub)
    from interp_service.training.cli import add_commands as add_training_commands

    add_training_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    code: int = args.func(settings, args)
    return code


if __name__ == "__main__":
    sys.exit(main())
