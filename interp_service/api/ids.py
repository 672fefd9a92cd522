"""The one type of a row id that arrives from outside: path, query, form or JSON body.

An id is at least 1 and at most 2**31 - 1. The bound is the smallest primary-key column
any id may address: every table's `id` is `Integer`, which PostgreSQL stores in 4 bytes
(the only `BigInteger` key, the audit trail's `seq`, is never addressed by a caller). A
larger number cannot name a row, but reaching the database it fails there (PostgreSQL:
integer out of range; SQLite past 2**63: too large for its INTEGER) and answered 500.
Validated here it answers 422 like any other malformed input, on both databases alike.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def parse_id(raw: object) -> int | None:
    """`raw` (a form or query value) as an id, or None when it is not a valid one."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10:
        value = int(raw)
    else:
        return None
    return value if 1 <= value <= MAX_ID else None
