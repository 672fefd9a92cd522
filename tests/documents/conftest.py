"""Fixtures of the document-translation tests: a case with its staff, an approved memory
entry for one sentence and a glossary term with a Miao equivalent (placeholders only)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account, bearer, new_case
from tests.documents.build import MEMORY_SENTENCE

# One concept, its Chinese term and a Miao equivalent (a placeholder, unverified).
GLOSSARY_TSV = (
    "concept_id\tsubject_field\tlanguage\tvariety\tterm\tpart_of_speech\tstatus\t"
    "definition\tcitations\tnote\tsource\tverification\tipa\n"
    "t-bail\tcoercive-measures\tcmn\t\t取保候审\tnoun\tpreferred\t\t\t\t\tunverified\t\n"
    "t-bail\tcoercive-measures\tmmr\t\tzz-0002\tnoun\tpreferred\t\t\t\t\tunverified\t\n"
)


@pytest.fixture
def world(client: TestClient, admin: Account, make_user: Any) -> dict[str, Any]:
    """A case led by a prosecutor with a clerk on it, the memory entry and the term."""
    lead = make_user("lead", "prosecutor")
    clerk = make_user("clerk", "clerk")
    miao_admin = make_user("miaoadmin", "admin", competences=("mmr",))
    case = new_case(client, lead)
    r = client.post(
        f"/api/v1/cases/{case['id']}/assignments",
        headers=bearer(lead),
        json={"user_id": clerk.id, "role_on_case": "clerk"},
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/memory/entries",
        headers=bearer(miao_admin),
        json={
            "source_language": "cmn",
            "source_text": MEMORY_SENTENCE,
            "target_language": "mmr",
            "target_text": "zz-0001",
        },
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": ("g.tsv", GLOSSARY_TSV.encode(), "text/plain")},
    )
    assert r.status_code == 200, r.text
    return {"case_id": case["id"], "lead": lead, "clerk": clerk, "admin": admin}
