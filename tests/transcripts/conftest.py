"""A case with a Miao-speaking party, an interview and a clerk on the case; helpers to
upload a transcript and wait for its job. Miao text is only ever a zz-0001 placeholder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interp_service.evidence.orm import EvidenceFile
from interp_service.jobs.queue import installed_dispatcher
from interp_service.transcripts.orm import Transcript
from tests.conftest import Account, bearer, new_case

# A Chinese interview transcript as a scraped web page leaves it: a navigation line at the
# top and a copyright line at the foot; 䶮 is a GB18030 four-byte character.
INTERVIEW_TEXT = (
    "首页 | 新闻 | 公告 | 联系我们\n"
    "问：你叫什么名字？\n"
    "答：我叫龙䶮。\n"
    "问：你住在哪里？你做什么工作？\n"
    "答：zz-0001 zz-0002\n"
    "版权所有 © 2026 某某网 湘ICP备12345678号\n"
)


@dataclass
class Setting:
    lead: Account
    clerk: Account
    outsider: Account
    case_id: int
    interview_id: int

    @property
    def upload_url(self) -> str:
        return f"/api/v1/cases/{self.case_id}/interviews/{self.interview_id}/transcripts"

    def url(self, transcript_id: int, tail: str = "") -> str:
        return f"/api/v1/cases/{self.case_id}/transcripts/{transcript_id}{tail}"


@pytest.fixture
def setting(client: TestClient, make_user: Any) -> Setting:
    lead = make_user("wu", "prosecutor")
    clerk = make_user("tian", "clerk", competences=("mmr",))
    outsider = make_user("shi", "clerk", competences=("mmr",))
    case = new_case(client, lead)
    r = client.post(
        f"/api/v1/cases/{case['id']}/assignments",
        headers=bearer(lead),
        json={"user_id": clerk.id, "role_on_case": "clerk"},
    )
    assert r.status_code == 201, r.text
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
    return Setting(lead, clerk, outsider, case["id"], interview.json()["id"])


def upload(
    client: TestClient, s: Setting, name: str, data: bytes, who: Account | None = None, **form: str
) -> Any:
    return client.post(
        s.upload_url,
        headers=bearer(who or s.clerk),
        files={"file": (name, data, "application/octet-stream")},
        data=form,
    )


def wait_done(app: FastAPI, job_id: str) -> None:
    """Block until the queued job has run in this process (no sleeping)."""
    dispatcher = installed_dispatcher(app.state.services.session_factory)
    assert dispatcher is not None
    assert dispatcher.wait(job_id, 300), "the job did not finish"


def uploaded(client: TestClient, app: FastAPI, s: Setting, name: str, data: bytes) -> Any:
    """Upload, wait for processing, return the transcript's detail."""
    r = upload(client, s, name, data)
    assert r.status_code == 202, r.text
    wait_done(app, r.json()["job_id"])
    detail = client.get(s.url(r.json()["id"]), headers=bearer(s.clerk))
    assert detail.status_code == 200, detail.text
    return detail.json()


def counts(app: FastAPI) -> tuple[int, int, int]:
    """(transcript rows, evidence rows, stored files)."""
    services = app.state.services
    with services.session_factory() as session:
        transcripts = session.scalar(select(func.count()).select_from(Transcript)) or 0
        evidence = session.scalar(select(func.count()).select_from(EvidenceFile)) or 0
    root: Path = services.evidence_store.root
    files = sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    return transcripts, evidence, files
