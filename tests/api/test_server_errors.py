"""An unhandled error answers 500 problem+json and leaves the keep-alive connection usable."""

from __future__ import annotations

import http.client
import json
import logging
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Account, bearer
from tests.translation.conftest import serve


def test_a_500_keeps_the_connection_and_logs_the_traceback(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/api/v1/test-only/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: /srv/db password=hunter2")

    caplog.set_level(logging.ERROR, logger="interp_service")
    with serve(app) as url:
        where = urlsplit(url)
        conn = http.client.HTTPConnection(where.hostname or "", where.port, timeout=30)
        try:
            conn.request("GET", "/api/v1/test-only/boom")
            failed = conn.getresponse()
            body = failed.read()
            sock = conn.sock
            assert failed.status == 500
            assert failed.getheader("content-type") == "application/problem+json"
            assert failed.getheader("connection") != "close"
            problem = json.loads(body)
            assert problem["title"] == "服务器内部错误"
            assert problem["detail"] == "处理请求时出错，已记录。"
            assert b"hunter2" not in body and b"RuntimeError" not in body
            # The security headers are on the 500 too.
            assert failed.getheader("x-content-type-options") == "nosniff"

            conn.request("GET", "/healthz")
            ok = conn.getresponse()
            ok.read()
            assert ok.status == 200
            assert sock is not None and conn.sock is sock  # the same connection, not a new one
        finally:
            conn.close()
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
    assert len(logged) == 1
    assert "/api/v1/test-only/boom" in logged[0].getMessage()


def test_a_body_that_is_not_utf8_gets_a_chinese_400(client: TestClient, admin: Account) -> None:
    r = client.post(
        "/api/v1/cases",
        content=b'{"case_number": "\xff\xfe", "title": "x"}',
        headers={**bearer(admin), "content-type": "application/json"},
    )
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "请求内容无法解析，请检查编码（UTF-8）与格式"
