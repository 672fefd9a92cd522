"""Cost of the hash-chained audit append, against a plain insert measured in the same run.

    .venv/bin/python -m bench.audit_append [--count 2000] [--database-url URL]

Each append runs in its own transaction (as a request would): lock the chain head,
hash, insert. The baseline inserts the same row without the chain in its own
transaction. Prints appends per second for both and their ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from interp_service.audit.chain import Actor, record, verify
from interp_service.audit.orm import AuditEntry
from interp_service.config import Settings
from interp_service.db.base import utcnow
from interp_service.db.migrate import initialise
from interp_service.db.session import make_engine, make_session_factory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder),
            database_url=args.database_url,
            admin_password="bench-only-password",
        )
        initialise(settings)
        engine = make_engine(settings)
        factory = make_session_factory(engine)
        actor = Actor(1, "bench")

        start = time.perf_counter()
        for i in range(args.count):
            with factory() as s:
                record(s, actor, "bench.append", "bench", i, details={"n": i})
                s.commit()
        chained = time.perf_counter() - start

        start = time.perf_counter()
        for i in range(args.count):
            with factory() as s:
                s.execute(
                    insert(AuditEntry).values(
                        seq=10_000_000 + i,
                        at=utcnow(),
                        actor_id=1,
                        actor_name="bench",
                        action="bench.plain",
                        object_type="bench",
                        object_id=str(i),
                        case_id=None,
                        details={"n": i},
                        prev_hash="0" * 64,
                        entry_hash=f"{i:064x}",
                    )
                )
                s.commit()
        plain = time.perf_counter() - start

        with factory() as s:
            s.query(AuditEntry).filter(AuditEntry.action == "bench.plain").delete()
            s.commit()
            start = time.perf_counter()
            result = verify(s)
            verify_s = time.perf_counter() - start
        engine.dispose()

    print(f"database: {engine.dialect.name}, {args.count} appends, one transaction each")
    print(f"chained append : {args.count / chained:8.0f} /s")
    print(f"plain insert   : {args.count / plain:8.0f} /s   (baseline, same run)")
    print(f"ratio          : {chained / plain:8.2f}x the time of a plain insert")
    print(f"verify         : {result.entries_checked / verify_s:8.0f} entries/s (ok={result.ok})")


if __name__ == "__main__":
    main()
