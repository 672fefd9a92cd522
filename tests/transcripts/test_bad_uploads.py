"""Bad transcript uploads: each gets a clear Chinese problem+json and nothing is stored
(no transcript row, no evidence row, no file on disk)."""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.transcripts.conftest import Setting, counts, upload


def zip_bomb() -> bytes:
    """A small .docx-named zip whose document part inflates to 300 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * 1_048_576
            for _ in range(300):
                member.write(chunk)
    return buffer.getvalue()


BAD = [
    ("junk.txt", bytes(range(256)) * 40, (415, 422), "文本"),
    ("empty.txt", b"", (422,), "空"),
    ("notice.docx", b"PK\x03\x04 this is not a zip at all", (415, 422), "Word"),
    ("notes.docx", "问：你好？".encode(), (415, 422), "Word"),
    ("mixed.txt", "问：你好？\n".encode() + "答：我很好。\n".encode("gbk"), (422,), "第 2 行"),
    (
        "broken.srt",
        b"1\n00:00:01,000 --> 00:00:03,500\nok\n\n2\n00:00:xx --> 00:00:06\nbad\n",
        (422,),
        "字幕",
    ),
    ("program.exe", b"MZ\x90\x00\x03", (415,), "不支持"),
]


@pytest.mark.parametrize(("name", "data", "statuses", "says"), BAD, ids=[b[0] for b in BAD])
def test_bad_file_is_refused_plainly_and_leaves_nothing(
    client: TestClient,
    app: FastAPI,
    setting: Setting,
    name: str,
    data: bytes,
    statuses: tuple[int, ...],
    says: str,
) -> None:
    before = counts(app)
    r = upload(client, setting, name, data)
    assert r.status_code in statuses, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert says in r.json()["detail"], r.json()["detail"]
    assert counts(app) == before


def test_a_zip_bomb_named_docx_is_refused_before_it_is_unpacked(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    bomb = zip_bomb()
    assert len(bomb) < 2_000_000
    before = counts(app)
    r = upload(client, setting, "告知书.docx", bomb)
    assert r.status_code == 413, r.text
    assert "解压后过大" in r.json()["detail"]
    assert counts(app) == before


def test_a_50_mb_text_file_is_refused_with_the_limit(
    client: TestClient, app: FastAPI, setting: Setting
) -> None:
    before = counts(app)
    r = upload(client, setting, "huge.txt", "问：你好？\n".encode() * (50 * 1_048_576 // 16))
    assert r.status_code == 413, r.text
    assert "MiB" in r.json()["detail"] and "分成" in r.json()["detail"]
    assert counts(app) == before
