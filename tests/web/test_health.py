"""/healthz (alive), /readyz (ready, with reasons) and /metrics (for the machine itself only)."""

from __future__ import annotations

import re


def test_alive(client):
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_ready_says_why_for_each_part(client):
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "ready"
    assert {"content", "search", "geodata"} <= set(body["checks"])
    assert all(check["ready"] and check["reason"] == "ok" for check in body["checks"].values())
    assert response.headers["Cache-Control"] == "no-store"


def test_not_ready_without_geodata_and_says_so(make_app, tmp_path):
    response = make_app(TOWNHALL_GEODATA=str(tmp_path / "none")).test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "not ready"
    assert not body["checks"]["geodata"]["ready"] and body["checks"]["geodata"]["reason"] != "ok"
    assert body["checks"]["content"]["ready"]


def test_metrics_count_requests_by_route_and_time_answers(client):
    client.get("/search?q=bins")
    client.get("/your-area?postcode=BK1+1AA")
    client.get("/services/report-a-missed-bin")
    text = client.get("/metrics").get_data(as_text=True)
    assert re.search(r'townhall_requests_total\{route="/services/<slug>",status="200"\} [1-9]', text)
    assert re.search(r'townhall_answer_seconds_count\{kind="search"\} [1-9]', text)
    assert re.search(r'townhall_answer_seconds_count\{kind="postcode"\} [1-9]', text)
    assert "BK1" not in text and "bins" not in text  # routes by name: nothing a resident typed


def test_metrics_are_for_the_machine_itself_only(client):
    assert client.get("/metrics", environ_overrides={"REMOTE_ADDR": "203.0.113.7"}).status_code == 404
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 404
