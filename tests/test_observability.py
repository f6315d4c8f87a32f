"""Every response carries a request id, and JSON logs carry it too."""

from __future__ import annotations

import json
import logging

from tocsin.observability import JsonFormatter, request_id


def test_responses_carry_a_request_id_and_keep_a_sane_given_one(client):
    made = client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    kept = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert replaced.headers["x-request-id"] != "bad id\nwith newline"


def test_json_log_lines_carry_request_and_alert_ids():
    token = request_id.set("req-1")
    try:
        record = logging.LogRecord("tocsin", logging.INFO, __file__, 1, "published", None, None)
        record.request_id = request_id.get()
        record.alert_id = "a-1"
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "req-1" and line["alert_id"] == "a-1"
    assert line["message"] == "published" and line["level"] == "INFO"
