"""What `serve` puts in front of the routes (api/hardening.py, api/access_log.py): security headers on every kind of
response, 413 and 414 before the work is done, the per-client rate limit with Retry-After and recovery, request IDs,
a JSON access line per request, and errors logged with their traceback but never shown to the client."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import Engine

from helpers import cli
from stemtrials.api import create_app, hardening
from stemtrials.api.access_log import JsonFormatter, TextFormatter
from stemtrials.api.hardening import CONTENT_SECURITY_POLICY, HardeningSettings
from stemtrials.store import open_engine

PROBLEM = "application/problem+json"
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
}
SECRET = "db password is hunter2"  # what a failing route's exception says; must never reach the client


@pytest.fixture(scope="module")
def engine(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    db = tmp_path_factory.mktemp("hardening") / "seeds.db"
    run = cli(db, "import", str(shared / "seeds"))
    assert run.code in (0, 1) and "2 new" in run.stdout, run.stdout + run.stderr
    return open_engine(str(db))


class Note(BaseModel):
    text: str


def make_client(engine: Engine, **settings: float) -> TestClient:
    """The real app with the given settings, plus three routes only tests have: one that reads its body raw, one
    that takes a JSON model, one that fails."""
    app = create_app(engine=engine, hardening=HardeningSettings(**settings))  # type: ignore[arg-type]
    app.state.bodies_read = 0

    @app.post("/api/test-raw")
    async def raw(request: Request) -> dict[str, int]:
        app.state.bodies_read += 1
        return {"received": len(await request.body())}

    @app.post("/api/test-model")
    def model(note: Note) -> dict[str, int]:
        return {"length": len(note.text)}

    @app.get("/api/test-fail")
    def fail() -> None:
        raise RuntimeError(SECRET)

    return TestClient(app)


@pytest.fixture(scope="module")
def client(engine: Engine) -> TestClient:
    return make_client(engine, rate_limit=0, max_body_bytes=1000)


def _assert_security_headers(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.request.url)
    assert "camera=()" in response.headers["permissions-policy"]
    assert response.headers["x-request-id"]


# ---------------------------------------------------------------- security headers
@pytest.mark.parametrize(("path", "accept", "status", "media"), [
    ("/", "text/html", 200, "text/html"),
    ("/trials/NCT03123458", "text/html", 200, "text/html"),
    ("/trials/NCT00000000", "text/html", 404, "text/html"),
    ("/api/trials?q=mesenchymal", "application/json", 200, "application/json"),
    ("/api/trials/NCT00000000", "application/json", 404, PROBLEM),
    ("/api/trials?limit=0", "application/json", 422, PROBLEM),
    ("/static/app.css", "text/css", 200, "text/css"),
    ("/static/vendor/vega.min.js", "*/*", 200, "text/javascript"),
    ("/static/nothing-here.js", "*/*", 404, PROBLEM),
    ("/openapi.json", "application/json", 200, "application/json"),
    ("/api/test-fail", "application/json", 500, PROBLEM),
])
def test_security_headers_on_every_kind_of_response(client: TestClient, path: str, accept: str, status: int,
                                                    media: str):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == status
    assert response.headers["content-type"].startswith(media)
    _assert_security_headers(response)


def test_no_swagger_page_but_the_openapi_document(client: TestClient):
    assert client.get("/api/docs").status_code == 404
    assert client.get("/openapi.json").json()["info"]["title"] == "stemtrials API"


# ---------------------------------------------------------------- request sizes
def test_a_declared_large_body_is_refused_before_it_is_read(client: TestClient):
    before = client.app.state.bodies_read  # type: ignore[attr-defined]
    response = client.post("/api/test-raw", content=b"x" * 1001)
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["title"] == "Content Too Large" and "1000" in response.json()["detail"]
    _assert_security_headers(response)
    assert client.app.state.bodies_read == before  # type: ignore[attr-defined]  # the route never ran


def test_a_streamed_large_body_is_cut_off(client: TestClient):
    """No Content-Length (chunked): the bytes are counted as they arrive."""
    chunks = iter([b"y" * 600, b"y" * 600])
    response = client.post("/api/test-raw", content=chunks)
    assert response.status_code == 413 and response.json()["title"] == "Content Too Large"
    json_chunks = iter([b'{"text": "', b"z" * 990, b'"}'])
    response = client.post("/api/test-model", content=json_chunks, headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text  # not the 400 FastAPI gives for other read errors


def test_bodies_within_the_limit_pass(client: TestClient):
    assert client.post("/api/test-raw", content=b"x" * 1000).json() == {"received": 1000}
    assert client.post("/api/test-model", json={"text": "fine"}).json() == {"length": 4}


def test_an_over_long_url_is_refused(client: TestClient):
    response = client.get("/api/trials", params={"q": "a" * 9000})
    assert response.status_code == 414
    assert response.headers["content-type"] == PROBLEM and response.json()["title"] == "URI Too Long"
    _assert_security_headers(response)
    # Just under the limit the request reaches the route, whose own parameter check answers.
    assert client.get("/api/trials", params={"q": "a" * 8000}).json()["title"] == "Invalid request"


@pytest.mark.parametrize("url", ["/api/trials?status=W%40%00", "/api/trials?q=%00", "/api/trials/NCT%0003123458",
                                 "/?q=a%00b"])
def test_a_nul_in_the_url_is_a_bad_request(client: TestClient, url: str):
    # Found by schemathesis on PostgreSQL, which refuses NUL in any text value: answered before any query runs.
    response = client.get(url)
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM and "NUL" in response.json()["detail"]
    _assert_security_headers(response)


# ---------------------------------------------------------------- rate limit
class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    fake = Clock()
    monkeypatch.setattr(hardening.time, "monotonic", fake)
    yield fake


def test_rate_limit_answers_429_after_the_burst_and_recovers(engine: Engine, clock: Clock):
    limited = make_client(engine, rate_limit=0.5, rate_burst=3)
    assert [limited.get("/api/health").status_code for _ in range(5)] == [200] * 5  # health checks are exempt
    assert [limited.get("/static/app.css").status_code for _ in range(5)] == [200] * 5  # so are static files
    assert [limited.get("/api/trials?limit=1").status_code for _ in range(3)] == [200] * 3
    refused = limited.get("/api/trials?limit=1")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM and refused.json()["title"] == "Too Many Requests"
    assert refused.headers["retry-after"] == "2"  # one token at 0.5 per second
    _assert_security_headers(refused)
    assert limited.get("/", headers={"Accept": "text/html"}).status_code == 429  # pages count too
    other = TestClient(limited.app, client=("192.0.2.7", 5000))
    assert other.get("/api/trials?limit=1").status_code == 200  # per client
    clock.now += 2.0
    assert limited.get("/api/trials?limit=1").status_code == 200
    assert limited.get("/api/trials?limit=1").status_code == 429
    clock.now += 60
    assert [limited.get("/api/trials?limit=1").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_rate_limit_zero_turns_it_off(engine: Engine, clock: Clock):
    unlimited = make_client(engine, rate_limit=0, rate_burst=1)
    assert {unlimited.get("/api/trials?limit=1").status_code for _ in range(30)} == {200}


def test_settings_from_the_environment():
    assert HardeningSettings.from_env({}) == HardeningSettings()
    assert HardeningSettings.from_env({"STEMTRIALS_RATE_LIMIT": "0"}).rate_limit == 0
    env = HardeningSettings(rate_limit=2.5, rate_burst=7, max_body_bytes=10, max_url_bytes=99).to_env()
    assert HardeningSettings.from_env(env) == HardeningSettings(rate_limit=2.5, rate_burst=7, max_body_bytes=10,
                                                                max_url_bytes=99)
    with pytest.raises(ValueError, match=r"\$STEMTRIALS_RATE_LIMIT must be a number"):
        HardeningSettings.from_env({"STEMTRIALS_RATE_LIMIT": "lots"})
    with pytest.raises(ValueError, match="rate limit must be 0"):
        HardeningSettings(rate_limit=-1)
    assert hardening.settings_for_serve(0, None, {"STEMTRIALS_RATE_LIMIT": "9"}).rate_limit == 0
    assert hardening.settings_for_serve(None, None, {"STEMTRIALS_RATE_LIMIT": "9"}).rate_limit == 9


def test_serve_refuses_a_bad_log_format_or_rate(tmp_path: Path):
    run = cli(tmp_path / "t.db", "serve", "--log-format", "xml")
    assert run.code == 2 and "log format must be one of json, text" in run.stderr
    run = cli(tmp_path / "t.db", "serve", "--rate-limit", "-1")
    assert run.code == 2


# ---------------------------------------------------------------- request IDs, access log, errors
def test_one_json_access_line_per_request(client: TestClient, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger="stemtrials.access"):
        response = client.get("/api/trials?q=mesenchymal&limit=2")
    records = [r for r in caplog.records if r.name == "stemtrials.access"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["method"] == "GET" and line["path"] == "/api/trials" and line["status"] == 200
    assert line["query_length"] == len("q=mesenchymal&limit=2")
    assert "mesenchymal" not in json.dumps(line)  # the query text is not logged, only its length
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["client"] == "testclient" and line["ts"].endswith("Z")
    text = TextFormatter().format(records[0])
    assert "GET /api/trials 200" in text and response.headers["x-request-id"] in text


def test_request_ids_are_kept_when_sane_and_replaced_otherwise(client: TestClient):
    assert client.get("/api/health", headers={"X-Request-ID": "proxy-42.a"}).headers["x-request-id"] == "proxy-42.a"
    replaced = client.get("/api/health", headers={"X-Request-ID": "bad id\twith <tags>"}).headers["x-request-id"]
    assert replaced != "bad id\twith <tags>" and len(replaced) == 32
    assert client.get("/api/health").headers["x-request-id"] != client.get("/api/health").headers["x-request-id"]


def test_errors_are_logged_with_traceback_and_hidden_from_clients(client: TestClient,
                                                                  caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger="stemtrials"):
        response = client.get("/api/test-fail")
        page = client.get("/api/test-fail", headers={"Accept": "text/html"})
    assert response.status_code == 500 and response.headers["content-type"] == PROBLEM
    request_id = response.headers["x-request-id"]
    assert response.json()["request_id"] == request_id and request_id in response.json()["detail"]
    for body in (response.text, page.text):
        assert SECRET not in body and "Traceback" not in body and "RuntimeError" not in body
    errors = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "stemtrials.error"]
    assert len(errors) == 2
    assert errors[0]["request_id"] == request_id and errors[0]["level"] == "error"
    assert "Traceback" in errors[0]["traceback"] and SECRET in errors[0]["traceback"]
    access = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "stemtrials.access"]
    assert [a["status"] for a in access] == [500, 500]
