"""The gate's rule on its own: the margin is a floor on both differences; a version without
a held-out test split cannot pass (an admin may still force it, with a reason)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from interp_service.config import Settings
from interp_service.engine.fake import write_fake_model
from interp_service.errors import ValidationFailed
from interp_service.registry import service
from interp_service.registry.gate import Evaluated, judge
from interp_service.users.repository import get_user_by_username
from tests.registry.conftest import audit_actions


def _scores(chrf: float) -> Evaluated:
    return Evaluated(chrf, 0.0, 20, [])


def test_margin_applies_to_the_baseline_and_the_promoted_model() -> None:
    assert judge(_scores(51.0), _scores(50.0), None, 1.0) == []
    assert judge(_scores(50.9), _scores(50.0), None, 1.0) != []
    assert judge(_scores(60.0), _scores(50.0), _scores(59.5), 1.0, "m@1") == [
        "候选模型 chrF 60.0 未比现用模型 m@1（59.5）高出 1 分"
    ]
    assert len(judge(_scores(10.0), _scores(50.0), _scores(59.5), 0.0)) == 2


def test_without_a_test_split_the_gate_refuses_and_only_a_reasoned_force_promotes(
    settings: Settings, db: Session
) -> None:
    write_fake_model(settings.trained_models_dir, "fake-cmn-mmr")
    admin = get_user_by_username(db, "admin")
    assert admin is not None
    outcome = service.promote(db, settings, admin, "fake-cmn-mmr", "1")
    assert outcome.promoted is False
    assert outcome.result["reasons"] == ["没有留出的测试集（data/test.tsv），无法评估"]
    with pytest.raises(ValidationFailed):
        service.promote(db, settings, admin, "fake-cmn-mmr", "1", "   短   ")
    forced = service.promote(db, settings, admin, "fake-cmn-mmr", "1", "规则集尚未建立，先行上线")
    assert forced.promoted and forced.forced and forced.version.status == "promoted"
    db.commit()
    assert [a for a, _ in audit_actions(db)][-2:] == ["model.promote.refused", "model.promote"]
    pointer = settings.trained_models_dir / "mt" / "promoted.toml"
    assert pointer.read_text() == '"cmn-mmr" = "fake-cmn-mmr"\n'
