"""Edge cases of curation and import found in review; each failed before its fix."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Account, bearer
from tests.glossary.test_glossary_api import lexicon_spelling

HEADER = (
    "concept_id\tsubject_field\tlanguage\tvariety\tterm\tpart_of_speech\tstatus\t"
    "definition\tcitations\tnote\tsource\tverification\tipa\n"
)
ROWS = (
    "t-1\toffences\tcmn\t\t盗窃\tnoun\tpreferred\t释义草稿\t\t\t\tunverified\t\n"
    "t-1\toffences\tcmn\t\t偷窃\tnoun\tadmitted\t释义草稿\t\t\t\tunverified\t\n"
)


def _setup(client: TestClient, admin: Account) -> dict[str, Any]:
    r = client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": ("g.tsv", (HEADER + ROWS).encode(), "text/plain")},
    )
    assert r.status_code == 200, r.text
    return dict(client.get("/api/v1/glossary/concepts", headers=bearer(admin)).json()["items"][0])


def _approved_miao_term(client: TestClient, concept: dict[str, Any], miao_admin: Account) -> Any:
    spelling, _ = lexicon_spelling()
    pid = client.post(
        "/api/v1/glossary/proposals",
        headers=bearer(miao_admin),
        json={
            "kind": "new_term",
            "concept_id": concept["id"],
            "term": {"language": "mmr", "text": spelling},
        },
    ).json()["id"]
    ok = client.post(
        f"/api/v1/glossary/proposals/{pid}/approve", json={}, headers=bearer(miao_admin)
    )
    assert ok.status_code == 200
    detail = client.get(
        f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(miao_admin)
    ).json()
    term = next(t for t in detail["terms"] if t["language"] == "mmr")
    assert term["verification"] == "approved"
    return term


def test_revert_refuses_to_overwrite_later_edits(client: TestClient, admin: Account) -> None:
    concept = _setup(client, admin)
    term = next(t for t in concept["terms"] if t["text"] == "盗窃")
    base = {k: term[k] for k in ("language", "variety", "text", "part_of_speech", "source")}
    first = client.put(
        f"/api/v1/glossary/terms/{term['id']}",
        headers=bearer(admin),
        json={**base, "status": "deprecated", "version": term["version"]},
    ).json()
    client.put(
        f"/api/v1/glossary/terms/{term['id']}",
        headers=bearer(admin),
        json={**base, "status": "forbidden", "usage_note": "新说明", "version": first["version"]},
    )
    revs = client.get(
        "/api/v1/glossary/revisions", params={"concept_id": concept["id"]}, headers=bearer(admin)
    ).json()["items"]
    older = revs[1]  # the change to "deprecated"
    r = client.post(f"/api/v1/glossary/revisions/{older['id']}/revert", headers=bearer(admin))
    assert r.status_code == 409
    now = client.get(f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(admin)).json()
    kept = next(t for t in now["terms"] if t["id"] == term["id"])
    assert (kept["status"], kept["usage_note"]) == ("forbidden", "新说明")


def test_no_competence_cannot_rewrite_miao_text_as_chinese(
    client: TestClient, admin: Account, make_user: Any
) -> None:
    concept = _setup(client, admin)
    term = _approved_miao_term(client, concept, make_user("ma", "admin", competences=("mmr",)))
    r = client.put(
        f"/api/v1/glossary/terms/{term['id']}",
        headers=bearer(admin),
        json={"language": "cmn", "text": "改写", "status": "admitted", "version": term["version"]},
    )
    assert r.status_code == 403


def test_reimport_by_admin_without_competence_keeps_miao_approval(
    client: TestClient, admin: Account, make_user: Any
) -> None:
    concept = _setup(client, admin)
    term = _approved_miao_term(client, concept, make_user("ma", "admin", competences=("mmr",)))
    exported = client.get(
        "/api/v1/glossary/export", params={"format": "tsv"}, headers=bearer(admin)
    ).content
    downgraded = exported.decode().replace("\tapproved\t", "\tunverified\t").encode()
    for data in (exported, downgraded):
        client.post(
            "/api/v1/glossary/import",
            headers=bearer(admin),
            files={"file": ("g.tsv", data, "text/plain")},
        )
        now = client.get(f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(admin)).json()
        kept = next(t for t in now["terms"] if t["id"] == term["id"])
        assert kept["verification"] == "approved"


def test_partial_table_changes_only_its_columns(client: TestClient, admin: Account) -> None:
    concept = _setup(client, admin)
    partial = "concept_id\tlanguage\tterm\tstatus\nt-1\tcmn\t盗窃\tdeprecated\n"
    r = client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": ("g.tsv", partial.encode(), "text/plain")},
    )
    assert r.status_code == 200 and r.json()["terms_changed"] == 1
    now = client.get(f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(admin)).json()
    assert now["definition"] == "释义草稿" and now["subject_field"] == "offences"
    assert next(t for t in now["terms"] if t["text"] == "盗窃")["status"] == "deprecated"


def test_overlong_term_is_a_problem_not_a_crash(client: TestClient, admin: Account) -> None:
    row = "t-9\toffences\tcmn\t\t" + "长" * 301 + "\tnoun\tpreferred\t\t\t\t\tunverified\t\n"
    r = client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": ("g.tsv", (HEADER + row).encode(), "text/plain")},
    )
    assert r.status_code == 422 and r.json()["problems"][0]["line"] == 2


def test_change_into_a_sibling_is_a_conflict(
    client: TestClient, admin: Account, make_user: Any
) -> None:
    concept = _setup(client, admin)
    term = next(t for t in concept["terms"] if t["text"] == "盗窃")
    clerk = make_user("clerk", "clerk")
    proposed = client.post(
        "/api/v1/glossary/proposals",
        headers=bearer(clerk),
        json={
            "kind": "change_term",
            "term_id": term["id"],
            "term": {"language": "cmn", "text": "偷窃"},
        },
    )
    assert proposed.status_code == 409


def test_decided_proposal_cannot_be_decided_again(
    client: TestClient, admin: Account, make_user: Any
) -> None:
    concept = _setup(client, admin)
    clerk = make_user("clerk", "clerk")
    pid = client.post(
        "/api/v1/glossary/proposals",
        headers=bearer(clerk),
        json={
            "kind": "new_term",
            "concept_id": concept["id"],
            "term_id": 987654,
            "term": {"language": "cmn", "text": "扒窃"},
        },
    )
    assert pid.status_code == 201 and pid.json()["term_id"] is None
    url = f"/api/v1/glossary/proposals/{pid.json()['id']}"
    assert client.post(f"{url}/approve", json={}, headers=bearer(admin)).status_code == 200
    assert client.post(f"{url}/reject", json={}, headers=bearer(admin)).status_code == 409


def test_citation_with_semicolon_is_refused(client: TestClient, admin: Account) -> None:
    concept = _setup(client, admin)
    r = client.put(
        f"/api/v1/glossary/concepts/{concept['id']}",
        headers=bearer(admin),
        json={
            "subject_field": "offences",
            "definition": "x",
            "note": "",
            "citations": ["《刑法》第二百六十四条；《刑法》第二百六十五条"],
            "version": concept["version"],
        },
    )
    assert r.status_code == 422
    assert (
        client.get(
            "/api/v1/glossary/export", params={"format": "tsv"}, headers=bearer(admin)
        ).status_code
        == 200
    )
