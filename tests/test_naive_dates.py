"""Every date field of the API refuses a time without a time zone: 422 naming the field.

The test walks the OpenAPI document itself, so a date field added later is covered the day
it is added: for every operation, every `date-time` query parameter and every `date-time`
property reachable in the request body (through objects, arrays, unions and references) is
sent alone with a naive value.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tocsin.app import create_app
from tocsin.pagination import encode_cursor

NAIVE = "2026-03-01T10:00:00"
Schema = dict[str, Any]


def _resolve(document: Schema, schema: Schema) -> Schema:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _date_paths(
    document: Schema, schema: Schema, seen: frozenset[str] = frozenset()
) -> Iterator[tuple[tuple[str | int, ...], Schema]]:
    """Each path from the body's root to a date-time value, with the object holding it."""
    ref = schema.get("$ref", "")
    if ref in seen:
        return
    seen = seen | {ref} if ref else seen
    schema = _resolve(document, schema)
    if schema.get("format") == "date-time":
        yield (), schema
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from _date_paths(document, branch, seen)
    if "items" in schema and isinstance(schema["items"], dict):
        for path, held in _date_paths(document, schema["items"], seen):
            yield (0, *path), held
    for name, prop in schema.get("properties", {}).items():
        for path, held in _date_paths(document, prop, seen):
            yield (name, *path), held


def _body_holding(path: tuple[str | int, ...]) -> Any:
    if not path:
        return NAIVE
    head, rest = path[0], path[1:]
    return [_body_holding(rest)] if head == 0 else {head: _body_holding(rest)}


def _cases(document: Schema) -> Iterator[tuple[str, str, str, Any, dict[str, str]]]:
    for route, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and any(
                    path == () for path, _ in _date_paths(document, parameter["schema"])
                ):
                    yield (
                        method,
                        route,
                        f"query.{parameter['name']}",
                        None,
                        {parameter["name"]: NAIVE},
                    )
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            if body is None:
                continue
            for path, _ in _date_paths(document, body):
                field = ".".join(str(p) for p in path)
                yield method, route, field, _body_holding(path), {}


def test_the_walk_finds_the_date_fields_the_audit_named(client):
    found = {
        (route, field)
        for _, route, field, _, _ in _cases(client.get("/api/v1/openapi.json").json())
    }
    assert ("/api/v1/alerts", "first_seen") in found
    assert ("/api/v1/alerts", "indicators.0.first_seen") in found
    assert ("/api/v1/alerts", "indicators.0.valid_until") in found
    assert ("/api/v1/alerts", "query.since") in found
    assert ("/api/v1/audit", "query.since") in found
    assert any("sightings" in route for route, _ in found)


def test_every_date_field_of_every_operation_refuses_a_naive_time(state, world):
    # A crash must be reported as a 500 among the others, not stop the walk.
    client = TestClient(create_app(state=state), raise_server_exceptions=False)
    document = client.get("/api/v1/openapi.json").json()
    headers = world.auth("admin")
    accepted = []
    for method, route, field, body, query in _cases(document):
        url = route
        while "{" in url:
            start, end = url.index("{"), url.index("}")
            url = url[:start] + str(uuid.uuid4()) + url[end + 1 :]
        answer = client.request(method.upper(), url, json=body, params=query, headers=headers)
        named = (
            [e for e in (answer.json().get("errors") or []) if e["field"] == field]
            if answer.status_code == 422
            else []
        )
        if not named or not all("timezone" in e["reason"] for e in named):
            accepted.append((method, route, field, answer.status_code, answer.text[:200]))
    assert not accepted, "\n".join(map(str, accepted))


@pytest.mark.parametrize("since", [NAIVE, "2026-03-01T10:00:00+01:00"])
def test_since_on_the_alert_list_is_read_as_an_aware_time(client, world, since):
    answer = client.get("/api/v1/alerts", params={"since": since}, headers=world.auth("E1"))
    assert answer.status_code == (422 if since == NAIVE else 200)


def test_a_crafted_cursor_with_a_naive_time_is_a_422_on_the_cursor(state, world):
    client = TestClient(create_app(state=state), raise_server_exceptions=False)
    crafted = encode_cursor(datetime.fromisoformat(NAIVE), uuid.uuid4())
    answer = client.get("/api/v1/alerts", params={"cursor": crafted}, headers=world.auth("E1"))
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["cursor"]
