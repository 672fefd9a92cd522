"""The glossary through the API: import, curation with competence, releases, revisions,
lookup, term recognition, export round trip and bad input."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account, bearer

GLOSSARIES = Path(__file__).parents[2] / "glossaries"
SHIPPED = GLOSSARIES / "criminal-procedure.tsv"
LEXICON = GLOSSARIES / "xiangxi-lexicon-chen2012.tsv"


def _import(client: TestClient, admin: Account, data: bytes, name: str, **params: Any) -> Any:
    return client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        params=params,
        files={"file": (name, data, "application/octet-stream")},
    )


def _release(client: TestClient, who: Account) -> int:
    return int(client.get("/api/v1/glossary/release", headers=bearer(who)).json()["release"])


def lexicon_spelling() -> tuple[str, str]:
    """A real Miao spelling from the licensed Chen (2012) lexicon that passes the
    orthography check, with its Chinese gloss."""
    with LEXICON.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    by_concept: dict[str, dict[str, str]] = {}
    for row in rows:
        by_concept.setdefault(row["concept_id"], {})[row["language"]] = row["term"]
    for terms in by_concept.values():
        mmr, cmn = terms.get("mmr", ""), terms.get("cmn", "")
        if mmr and cmn and " " not in mmr and len(mmr) >= 3:
            from interp_service.glossary.lexicon.orthography import validate

            if validate(mmr).ok:
                return mmr, cmn
    raise AssertionError("no convertible lexicon entry")


@pytest.fixture
def imported(client: TestClient, admin: Account) -> dict[str, Any]:
    r = _import(client, admin, SHIPPED.read_bytes(), SHIPPED.name)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_shipped_glossary_imports_once(
    client: TestClient, admin: Account, imported: dict[str, Any]
) -> None:
    assert imported["ok"] and imported["concepts_created"] >= 150
    release = _release(client, admin)
    assert release == imported["release"] >= 1
    again = _import(client, admin, SHIPPED.read_bytes(), SHIPPED.name).json()
    assert (
        again["concepts_created"],
        again["concepts_changed"],
        again["terms_created"],
        again["terms_changed"],
        again["release"],
    ) == (0, 0, 0, 0, None)
    assert _release(client, admin) == release
    concepts = client.get(
        "/api/v1/glossary/concepts", params={"q": "取保候审"}, headers=bearer(admin)
    ).json()
    assert concepts["total"] >= 1
    assert all(c["verification"] == "unverified" for c in concepts["items"])


def test_tbx_export_reimports_with_nothing_changed(
    client: TestClient, admin: Account, imported: dict[str, Any]
) -> None:
    for fmt in ("tbx", "tsv", "csv"):
        exported = client.get(
            "/api/v1/glossary/export", params={"format": fmt}, headers=bearer(admin)
        )
        assert exported.status_code == 200
        r = _import(client, admin, exported.content, f"g.{fmt}").json()
        assert (r["concepts_changed"], r["terms_created"], r["terms_changed"]) == (0, 0, 0), fmt


def test_bad_file_is_refused_whole_with_every_line(client: TestClient, admin: Account) -> None:
    header = (
        "concept_id\tsubject_field\tlanguage\tvariety\tterm\tpart_of_speech\tstatus\t"
        "definition\tcitations\tnote\tsource\tverification\tipa\n"
    )
    rows = [
        "x-1\toffences\tcmn\t\t盗窃\tnoun\tpreferred\t释义\t\t\t\tunverified\t\n",
        "x-2\toffences\tmiao\t\t诈骗\tnoun\tpreferred\t释义\t\t\t\tunverified\t\n",
        "x-3\toffences\tcmn\t\t\tnoun\tpreferred\t释义\t\t\t\tunverified\t\n",
        "x-4\toffences\tcmn\t\t抢劫\tnoun\tsometimes\t释义\t\t\t\tunverified\t\n",
    ]
    r = _import(client, admin, (header + "".join(rows)).encode(), "bad.tsv")
    assert r.status_code == 422
    lines = sorted(p["line"] for p in r.json()["problems"])
    assert lines == [3, 4, 5]
    assert client.get("/api/v1/glossary/concepts", headers=bearer(admin)).json()["total"] == 0
    assert _release(client, admin) == 0


def test_clerk_proposes_miao_term_competent_admin_approves(
    client: TestClient, admin: Account, make_user: Any, imported: dict[str, Any]
) -> None:
    spelling, _gloss = lexicon_spelling()
    clerk = make_user("clerk", "clerk")
    miao_admin = make_user("longadmin", "admin", competences=("mmr",))
    concept = client.get(
        "/api/v1/glossary/concepts", params={"q": "取保候审"}, headers=bearer(clerk)
    ).json()["items"][0]
    proposal = client.post(
        "/api/v1/glossary/proposals",
        headers=bearer(clerk),
        json={
            "kind": "new_term",
            "concept_id": concept["id"],
            "term": {"language": "mmr", "variety": "花垣", "text": spelling, "status": "admitted"},
            "comment": "测试用拼写取自 Chen 2012 词表",
        },
    )
    assert proposal.status_code == 201
    pid = proposal.json()["id"]
    before = _release(client, admin)
    # Approving Miao text needs competence in it; the plain admin has none.
    refused = client.post(
        f"/api/v1/glossary/proposals/{pid}/approve", json={}, headers=bearer(admin)
    )
    assert refused.status_code == 403
    ok = client.post(
        f"/api/v1/glossary/proposals/{pid}/approve", json={}, headers=bearer(miao_admin)
    )
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    assert _release(client, admin) == before + 1
    hits = client.get(
        "/api/v1/glossary/lookup", params={"q": spelling, "language": "mmr"}, headers=bearer(clerk)
    ).json()
    assert hits[0]["term"]["text"] == spelling
    assert hits[0]["term"]["verification"] == "approved"
    found = client.post(
        "/api/v1/glossary/recognise",
        headers=bearer(clerk),
        json={"text": f"{spelling} zz-9", "language": "mmr"},
    ).json()
    assert [m["surface"] for m in found["matches"]] == [spelling]
    assert found["release"] == before + 1


def test_misspelt_miao_term_is_kept_unverified_with_the_reason(
    client: TestClient, admin: Account, make_user: Any, imported: dict[str, Any]
) -> None:
    miao_admin = make_user("longadmin", "admin", competences=("mmr",))
    concept = client.get(
        "/api/v1/glossary/concepts", params={"q": "逮捕"}, headers=bearer(admin)
    ).json()["items"][0]
    pid = client.post(
        "/api/v1/glossary/proposals",
        headers=bearer(miao_admin),
        json={
            "kind": "new_term",
            "concept_id": concept["id"],
            "term": {"language": "mmr", "text": "zz-0001"},
        },
    ).json()["id"]
    approved = client.post(
        f"/api/v1/glossary/proposals/{pid}/approve", json={}, headers=bearer(miao_admin)
    )
    assert approved.status_code == 200
    detail = client.get(f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(admin)).json()
    term = next(t for t in detail["terms"] if t["language"] == "mmr")
    assert term["text"] == "zz-0001"  # never silently "fixed"
    assert term["verification"] == "unverified" and term["orthography_issues"]


def test_revision_can_be_reverted(
    client: TestClient, admin: Account, imported: dict[str, Any]
) -> None:
    concept = client.get(
        "/api/v1/glossary/concepts", params={"q": "盗窃"}, headers=bearer(admin)
    ).json()["items"][0]
    term = next(t for t in concept["terms"] if t["language"] == "cmn")
    edit = {
        k: term[k]
        for k in ("language", "variety", "text", "part_of_speech", "usage_note", "source")
    }
    r = client.put(
        f"/api/v1/glossary/terms/{term['id']}",
        headers=bearer(admin),
        json={**edit, "status": "deprecated", "version": term["version"]},
    )
    stale = client.put(
        f"/api/v1/glossary/terms/{term['id']}",
        headers=bearer(admin),
        json={**edit, "status": "forbidden", "version": term["version"]},
    )
    assert stale.status_code == 409
    assert r.status_code == 200 and r.json()["status"] == "deprecated"
    revs = client.get(
        "/api/v1/glossary/revisions", params={"concept_id": concept["id"]}, headers=bearer(admin)
    ).json()["items"]
    latest = revs[0]
    assert latest["before"]["status"] == term["status"]
    assert latest["after"]["status"] == "deprecated"
    undo = client.post(f"/api/v1/glossary/revisions/{latest['id']}/revert", headers=bearer(admin))
    assert undo.status_code == 200 and undo.json()["reverts"] == latest["id"]
    again = client.get(f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(admin)).json()
    assert next(t for t in again["terms"] if t["id"] == term["id"])["status"] == term["status"]


def test_concurrent_concept_edits_conflict(
    client: TestClient, admin: Account, imported: dict[str, Any]
) -> None:
    concept = client.get(
        "/api/v1/glossary/concepts", params={"q": "拘传"}, headers=bearer(admin)
    ).json()["items"][0]
    body = {k: concept[k] for k in ("subject_field", "definition", "citations", "note")}
    first = client.put(
        f"/api/v1/glossary/concepts/{concept['id']}",
        headers=bearer(admin),
        json={**body, "note": "第一位编辑", "version": concept["version"]},
    )
    assert first.status_code == 200
    second = client.put(
        f"/api/v1/glossary/concepts/{concept['id']}",
        headers=bearer(admin),
        json={**body, "note": "第二位编辑", "version": concept["version"]},
    )
    assert second.status_code == 409
    now = client.get(f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(admin))
    assert now.json()["note"] == "第一位编辑"


def test_lookup_by_pinyin_and_traditional(
    client: TestClient, admin: Account, imported: dict[str, Any]
) -> None:
    for query in ("qubaohoushen", "qu3bao3hou4shen3", "取保候審", "取保"):
        hits = client.get(
            "/api/v1/glossary/lookup", params={"q": query}, headers=bearer(admin)
        ).json()
        assert "取保候审" in [h["term"]["text"] for h in hits[:3]], query
    found = client.post(
        "/api/v1/glossary/recognise",
        headers=bearer(admin),
        json={"text": "犯罪嫌疑人申请取保候審，人民检察院决定逮捕。", "language": "cmn"},
    ).json()
    surfaces = [m["surface"] for m in found["matches"]]
    assert "取保候審" in surfaces and "逮捕" in surfaces


def test_only_admins_import_and_decide(client: TestClient, make_user: Any) -> None:
    clerk = make_user("clerk", "clerk")
    r = client.post(
        "/api/v1/glossary/import",
        headers=bearer(clerk),
        files={"file": ("g.tsv", b"x", "text/plain")},
    )
    assert r.status_code == 403
