"""Shared set-up for translation and interview tests: the shipped glossary with one Miao
term approved by a competent admin (a spelling from the licensed Chen 2012 lexicon), and a
case with a Miao-speaking party and an interview."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Account, bearer, engage_external_interpreter, new_case
from tests.glossary.test_glossary_api import lexicon_spelling

SHIPPED = Path(__file__).parents[1] / "glossaries" / "criminal-procedure.tsv"
TERM_CMN = "取保候审"


@dataclass
class World:
    spelling: str  # approved Miao equivalent of 取保候审 (variety 花垣)
    lexicon_cmn: str  # the Chinese gloss of that spelling in the lexicon
    miao_admin: Account
    lead: Account
    case_id: int
    party_id: int
    interview_id: int
    interpreter_ref: str = ""  # an external interpreter of the case, declared on paper

    @property
    def interpreter_id(self) -> int:
        return int(self.interpreter_ref.split(":")[1])

    @property
    def interview_api(self) -> str:
        return f"/api/v1/cases/{self.case_id}/interviews/{self.interview_id}"


def approve_miao_term(
    client: TestClient, admin: Account, make_user: Any
) -> tuple[str, str, Account]:
    """Import the shipped glossary and approve a Miao term for 取保候审."""
    r = client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": (SHIPPED.name, SHIPPED.read_bytes(), "application/octet-stream")},
    )
    assert r.status_code == 200, r.text
    spelling, gloss = lexicon_spelling()
    miao_admin = make_user("longadmin", "admin", competences=("mmr",))
    hits = client.get(
        "/api/v1/glossary/lookup", params={"q": TERM_CMN, "language": "cmn"}, headers=bearer(admin)
    ).json()
    concept_id = next(h["term"]["concept_id"] for h in hits if h["term"]["text"] == TERM_CMN)
    proposal = client.post(
        "/api/v1/glossary/proposals",
        headers=bearer(miao_admin),
        json={
            "kind": "new_term",
            "concept_id": concept_id,
            "term": {"language": "mmr", "variety": "花垣", "text": spelling, "status": "preferred"},
            "comment": "测试：拼写取自 Chen 2012 词表",
        },
    )
    assert proposal.status_code == 201, proposal.text
    ok = client.post(
        f"/api/v1/glossary/proposals/{proposal.json()['id']}/approve",
        json={},
        headers=bearer(miao_admin),
    )
    assert ok.status_code == 200, ok.text
    return spelling, gloss, miao_admin


def interview_world(client: TestClient, admin: Account, make_user: Any) -> World:
    spelling, gloss, miao_admin = approve_miao_term(client, admin, make_user)
    lead = make_user("wu", "prosecutor", competences=("mmr",))
    case = new_case(client, lead)
    party = client.post(
        f"/api/v1/cases/{case['id']}/parties",
        headers=bearer(lead),
        json={
            "name": "龙某某",
            "role": "suspect",
            "language": "mmr",
            "variety": "花垣",
            "needs_interpreter": True,
        },
    )
    assert party.status_code == 201, party.text
    interview = client.post(
        f"/api/v1/cases/{case['id']}/interviews",
        headers=bearer(lead),
        json={
            "party_id": party.json()["id"],
            "scheduled_at": "2026-11-20T02:00:00Z",
            "place": "保靖县人民检察院询问室",
            "participants": ["书记员 田某"],
        },
    )
    assert interview.status_code == 201, interview.text
    external = engage_external_interpreter(client, lead, case["id"])
    return World(
        spelling,
        gloss,
        miao_admin,
        lead,
        case["id"],
        party.json()["id"],
        interview.json()["id"],
        f"external:{external['id']}",
    )
