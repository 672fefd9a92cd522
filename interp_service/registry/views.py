"""Read-side shapes shared by the API, the pages and the command line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from interp_service.registry import repository as repo
from interp_service.registry.orm import ModelVersion
from interp_service.registry.schemas import GateOut, VersionOut

# Card metric names of the test-split scores and of the baseline, first found wins.
HEADLINE_KEYS = {
    "chrf": ("test_chrf", "chrf"),
    "bleu": ("test_bleu", "bleu"),
    "baseline_chrf": ("baseline_chrf", "test_baseline_chrf"),
    "baseline_bleu": ("baseline_bleu", "test_baseline_bleu"),
}


def headline(metrics: dict[str, Any]) -> dict[str, float | None]:
    """Test chrF/BLEU and the baseline's, as the card states them (None when absent)."""
    out: dict[str, float | None] = {}
    for name, keys in HEADLINE_KEYS.items():
        found = next((metrics[k] for k in keys if isinstance(metrics.get(k), int | float)), None)
        out[name] = float(found) if found is not None else None
    return out


def gate_out(result: dict[str, Any] | None) -> GateOut | None:
    if not result:
        return None
    try:
        return GateOut.model_validate(result)
    except ValidationError:
        return None


def versions_out(session: Session, rows: Sequence[ModelVersion]) -> list[VersionOut]:
    previous_ids = [r.previous_id for r in rows if r.previous_id]
    previous = {pid: repo.get(session, pid) for pid in set(previous_ids)}
    names = repo.display_names(session, [r.promoted_by for r in rows if r.promoted_by])
    out = []
    for row in rows:
        before = previous.get(row.previous_id) if row.previous_id else None
        out.append(
            VersionOut.model_validate(row).model_copy(
                update={
                    "previous_label": before.label if before else None,
                    "promoted_by_name": names.get(row.promoted_by) if row.promoted_by else None,
                    "gate": gate_out(row.gate_result),
                }
            )
        )
    return out


def version_out(session: Session, row: ModelVersion) -> VersionOut:
    return versions_out(session, [row])[0]


def by_pair(versions: list[VersionOut]) -> dict[str, list[VersionOut]]:
    """Versions grouped by language pair (unreadable folders under ""), newest first."""
    groups: dict[str, list[VersionOut]] = {}
    for v in versions:
        groups.setdefault(v.pair, []).append(v)
    return dict(sorted(groups.items(), key=lambda item: (item[0] == "", item[0])))
