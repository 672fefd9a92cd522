"""A clerk's transcript end to end through the API: upload a GB18030 file, see what
clean-up removed, segments with speakers and suggested translations (never confirmed
ones), restore a line, correct segments (every edit kept), submit reviewed pairs to the
memory review queue, export with the file's hash; the same file again links to it."""

from __future__ import annotations

import hashlib
import io

import docx
import pypdfium2 as pdfium
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.jobs.orm import QueuedJob
from interp_service.transcripts.orm import Transcript
from tests.conftest import bearer
from tests.transcripts.conftest import (
    INTERVIEW_TEXT,
    Setting,
    counts,
    upload,
    uploaded,
    wait_done,
)

GB = INTERVIEW_TEXT.encode("gb18030")


def test_a_gb18030_transcript_becomes_segments_with_speakers_and_suggestions(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    assert "\u4dae".encode("gb18030") != "\u4dae".encode("gbk", errors="replace")
    t = uploaded(client, app, setting, "讯问笔录.txt", GB)
    assert t["state"] == "ready" and t["encoding"] == "gb18030"
    assert t["sha256"] == hashlib.sha256(GB).hexdigest()
    removed = {c["line"]: c for c in t["changes"] if c["after"] == ""}
    assert set(removed) == {1, 6}, t["changes"]
    assert all(c["reason"] for c in removed.values())
    texts = [s["source_text"] for s in t["segments"]]
    assert texts == [
        "你叫什么名字？",
        "我叫龙䶮。",
        "你住在哪里？",
        "你做什么工作？",
        "zz-0001 zz-0002",
    ]
    assert [s["speaker_label"] for s in t["segments"]] == ["问", "答", "问", "问", "答"]
    assert {(s["label"], s["role"], s["guessed"]) for s in t["speakers"]} == {
        ("问", "interviewer", True),
        ("答", "party", True),
    }
    for segment in t["segments"][:4]:
        assert (segment["source_language"], segment["target_language"]) == ("cmn", "mmr")
        assert segment["target_variety"] == "花垣"
        # A suggestion says how it was made and is never the confirmed translation.
        assert segment["suggestion_provenance"] in ("memory", "model", "gloss")
        assert segment["receipt"]["sentences"]
        assert segment["translation_text"] is None and segment["reviewed"] is False


def test_the_same_file_again_links_to_the_transcript_and_stores_nothing(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    first = upload(client, setting, "笔录.txt", GB)
    assert first.status_code == 202
    wait_done(app, first.json()["job_id"])
    before = counts(app)
    again = upload(client, setting, "笔录（副本）.txt", GB)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"] and again.json()["already_uploaded"]
    assert counts(app) == before


def test_restoring_a_removed_line_processes_the_file_again_with_it(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    t = uploaded(client, app, setting, "笔录.txt", GB)
    r = client.post(
        setting.url(t["id"], "/restore"), json={"lines": [6]}, headers=bearer(setting.clerk)
    )
    assert r.status_code == 202, r.text
    wait_done(app, r.json()["job_id"])
    again = client.get(setting.url(t["id"]), headers=bearer(setting.clerk)).json()
    assert again["kept_lines"] == [6]
    assert {c["line"] for c in again["changes"] if c["after"] == ""} == {1}
    assert any("版权所有" in s["source_text"] for s in again["segments"])
    # A line clean-up did not remove cannot be "restored".
    bad = client.post(
        setting.url(t["id"], "/restore"), json={"lines": [2]}, headers=bearer(setting.clerk)
    )
    assert bad.status_code == 422 and "第 2 行" in bad.json()["detail"]


def test_edits_are_kept_stale_versions_refused_and_reviewed_pairs_submitted(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    t = uploaded(client, app, setting, "笔录.txt", GB)
    first, second = t["segments"][0], t["segments"][2]
    url = setting.url(t["id"], f"/segments/{first['id']}")
    r = client.patch(
        url,
        json={"version": first["version"], "translation_text": "zz-0101", "reviewed": True},
        headers=bearer(setting.clerk),
    )
    assert r.status_code == 200, r.text
    assert r.json()["translation_text"] == "zz-0101" and r.json()["reviewed"]
    stale = client.patch(
        url,
        json={"version": first["version"], "speaker_label": "答"},
        headers=bearer(setting.clerk),
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == r.json()["version"]
    fixed = client.patch(
        setting.url(t["id"], f"/segments/{second['id']}"),
        json={
            "version": second["version"],
            "source_text": "你现在住在哪里？",
            "speaker_label": "讯问人",
        },
        headers=bearer(setting.clerk),
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["source_provenance"] == "human"
    role = client.put(
        setting.url(t["id"], "/speakers"),
        json={"label": "答", "role": "party"},
        headers=bearer(setting.clerk),
    )
    assert role.status_code == 200 and role.json()["guessed"] is False
    edits = client.get(setting.url(t["id"], "/edits"), headers=bearer(setting.clerk)).json()
    assert {(e["segment_id"], e["field"], e["before"], e["after"]) for e in edits} == {
        (first["id"], "translation_text", "", "zz-0101"),
        (first["id"], "reviewed", "false", "true"),
        (second["id"], "source_text", "你住在哪里？", "你现在住在哪里？"),
        (second["id"], "speaker_label", "问", "讯问人"),
    }
    assert {e["edited_by"] for e in edits} == {setting.clerk.id}
    sent = client.post(setting.url(t["id"], "/submit"), headers=bearer(setting.clerk))
    assert sent.status_code == 200, sent.text
    [submission_id] = sent.json()["submission_ids"]
    queue = client.get("/api/v1/memory/submissions", headers=bearer(setting.clerk)).json()
    items = queue["items"] if isinstance(queue, dict) else queue
    mine = next(i for i in items if i["id"] == submission_id)
    assert (mine["source_text"], mine["target_text"], mine["origin"]) == (
        "你叫什么名字？",
        "zz-0101",
        "transcript",
    )
    again = client.post(setting.url(t["id"], "/submit"), headers=bearer(setting.clerk))
    assert again.status_code == 422
    # Segments a person edited would be lost by processing again: restoring is refused.
    refused = client.post(
        setting.url(t["id"], "/restore"), json={"lines": [1]}, headers=bearer(setting.clerk)
    )
    assert refused.status_code == 409


def test_a_translation_in_miao_needs_competence_in_it(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    t = uploaded(client, app, setting, "笔录.txt", GB)
    segment = t["segments"][0]
    r = client.patch(
        setting.url(t["id"], f"/segments/{segment['id']}"),
        json={"version": segment["version"], "translation_text": "zz-0101"},
        headers=bearer(setting.lead),
    )
    assert r.status_code == 403 and "语言能力" in r.json()["detail"]


def test_someone_not_on_the_case_sees_nothing(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    t = uploaded(client, app, setting, "笔录.txt", GB)
    assert client.get(setting.url(t["id"]), headers=bearer(setting.outsider)).status_code == 404
    r = upload(client, setting, "别的.txt", "问：你好？".encode(), who=setting.outsider)
    assert r.status_code == 404
    export = client.get(setting.url(t["id"], "/export.pdf"), headers=bearer(setting.outsider))
    assert export.status_code == 404


def test_the_pdf_export_carries_the_source_hash_on_every_page(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    t = uploaded(client, app, setting, "笔录.txt", GB)
    r = client.get(setting.url(t["id"], "/export.pdf"), headers=bearer(setting.clerk))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    pdf = pdfium.PdfDocument(io.BytesIO(r.content))
    for page in pdf:
        assert t["sha256"] in page.get_textpage().get_text_range()
    docx = client.get(setting.url(t["id"], "/export.docx"), headers=bearer(setting.clerk))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    data = client.get(setting.url(t["id"], "/export.json"), headers=bearer(setting.clerk)).json()
    assert [s["source_text"] for s in data["segments"]] == [s["source_text"] for s in t["segments"]]
    # A text file has no times: no subtitles, said plainly.
    srt = client.get(setting.url(t["id"], "/export.srt"), headers=bearer(setting.clerk))
    assert srt.status_code == 422 and "时间" in srt.json()["detail"]


def test_a_subtitle_file_keeps_its_times_and_exports_as_subtitles(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:03,500\n问：你叫什么名字？\n\n"
        "2\n00:00:04,000 --> 00:00:06,250\n答：zz-0001\n"
    ).encode()
    t = uploaded(client, app, setting, "讯问.srt", srt)
    assert [(s["start_s"], s["end_s"]) for s in t["segments"]] == [(1.0, 3.5), (4.0, 6.25)]
    out = client.get(setting.url(t["id"], "/export.vtt"), headers=bearer(setting.clerk))
    assert out.status_code == 200 and out.text.startswith("WEBVTT")
    assert "00:00:04.000 --> 00:00:06.250" in out.text


def test_a_job_cancelled_before_it_ran_leaves_the_transcript_cancelled_not_waiting(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    r = upload(client, setting, "笔录.txt", GB)
    assert r.status_code == 202
    wait_done(app, r.json()["job_id"])
    # As if the job had been cancelled while still queued: its task never ran.
    with app.state.services.session_factory() as session:
        job = session.get(QueuedJob, r.json()["job_id"])
        assert job is not None
        job.state, job.error = "cancelled", ""
        item = session.get(Transcript, r.json()["id"])
        assert item is not None
        item.state = "queued"
        session.commit()
    t = client.get(setting.url(r.json()["id"]), headers=bearer(setting.clerk)).json()
    assert t["state"] == "cancelled" and t["error"] == "处理已取消"
    listed = client.get(setting.upload_url, headers=bearer(setting.clerk)).json()
    assert [x["state"] for x in listed] == ["cancelled"]


def test_a_docx_transcript_reads_paragraphs_and_table_cells_in_order(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    document = docx.Document()
    document.add_paragraph("问：你叫什么名字？")
    document.add_paragraph("答：zz-0001")
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "问：你住在哪里？"
    buffer = io.BytesIO()
    document.save(buffer)
    t = uploaded(client, app, setting, "讯问笔录.docx", buffer.getvalue())
    assert t["kind"] == "docx" and t["encoding"] == "docx"
    assert [(s["speaker_label"], s["source_text"]) for s in t["segments"]] == [
        ("问", "你叫什么名字？"),
        ("答", "zz-0001"),
        ("问", "你住在哪里？"),
    ]
