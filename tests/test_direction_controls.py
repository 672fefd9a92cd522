"""Names and titles refuse direction controls (U+202E RIGHT-TO-LEFT OVERRIDE …), which make a
name display in another order than the one stored; the message is plain Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from interp_service.cases.schemas import (
    CaseCreate,
    DeadlineCreate,
    ExternalInterpreterCreate,
    PartyCreate,
)
from interp_service.glossary.schemas import ConceptFields, TermFields
from interp_service.invisible import BIDI_CONTROLS, BIDI_MESSAGE
from interp_service.users.schemas import TokenCreate, UserCreate, UserUpdate
from tests.conftest import Account, bearer, new_case

USER = {"username": "wu", "display_name": "吴", "password": "p" * 12, "roles": ["clerk"]}
CASE = {"case_number": "A-1", "title": "吴某某盗窃案", "opened_on": "2026-11-10"}
PARTY = {"name": "吴某某", "role": "suspect", "language": "mmr"}
SCHEMAS: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (UserCreate, USER, "display_name"),
    (UserUpdate, {}, "display_name"),
    (TokenCreate, {}, "name"),
    (CaseCreate, CASE, "title"),
    (CaseCreate, CASE, "case_number"),
    (PartyCreate, PARTY, "name"),
    (ExternalInterpreterCreate, {"name": "龙某", "language": "mmr"}, "name"),
    (DeadlineCreate, {"starts_on": "2026-11-01", "due_on": "2026-12-01"}, "title"),
    (TermFields, {"language": "cmn", "text": "逮捕"}, "text"),
    (TermFields, {"language": "mmr", "text": "zz-0001"}, "variety"),
    (ConceptFields, {}, "subject_field"),
]


@pytest.mark.parametrize(("model", "base", "field"), SCHEMAS)
@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_names_and_titles_refuse_direction_controls(
    model: type[BaseModel], base: dict[str, Any], field: str, control: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({**base, field: f"吴某{control}某"})
    (error,) = caught.value.errors()
    assert error["loc"] == (field,) and BIDI_MESSAGE in error["msg"]


@pytest.mark.parametrize(("model", "base", "field"), SCHEMAS)
def test_plain_names_still_pass(model: type[BaseModel], base: dict[str, Any], field: str) -> None:
    # zero-width characters are not refused (they are dropped where text is compared)
    assert getattr(model.model_validate({**base, field: "吴某\u200b某"}), field) == "吴某\u200b某"


def test_api_answers_in_chinese(client: TestClient, admin: Account, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    r = client.post(
        "/api/v1/cases", headers=bearer(lead), json={**CASE, "title": "吴某某\u202e案窃盗"}
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "title", "message": BIDI_MESSAGE}]
    case = new_case(client, lead)
    r = client.post(
        f"/api/v1/cases/{case['id']}/parties",
        headers=bearer(lead),
        json={**PARTY, "name": "\u2067吴某某\u2069"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == BIDI_MESSAGE
    r = client.post(
        "/api/v1/users", headers=bearer(admin), json={**USER, "display_name": "\u200f吴"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "display_name"
