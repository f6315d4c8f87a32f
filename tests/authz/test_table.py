"""Every operation and page, tried by every role of every kind of organisation (tests/authz/table.py).

For alerts of each TLP published by E2, a declaration of E1 and everything else, each actor
calls each operation; the answer's class (refused 401/403/404, or past authorisation) must be
the one the table expects, and a refusal never carries the alert's title. One assertion
lists every mismatch. SQLite only: authorisation does not depend on the database, and the
run is some thousands of requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.authz.actors import ANONYMOUS, build_actors, headers
from tests.authz.calls import BODY_MADE_UP, MADE_UP, answer_class, bodies, call, fill
from tests.authz.rules import Actor, Check, Target, expected
from tests.authz.table import API, PAGES
from tests.relay.factory import URL as DECLARATIONS
from tests.relay.factory import declaration_body
from tests.sharing.oracle import expected_readers
from tests.web.helpers import sign_in
from tests.world import World
from tocsin.alerts.models import Alert
from tocsin.alerts.projection import facts
from tocsin.app import ROUTERS, create_app
from tocsin.db import transaction
from tocsin.network import service as network_service
from tocsin.settings import Settings
from tocsin.sharing.rules import recipients
from tocsin.state import AppState

SECRET = "Wiper on the maternity ward network"
CASES: dict[str, dict[str, Any]] = {
    "CLEAR, region": {"tlp": "clear", "scope": {"kind": "region"}},
    "GREEN, group": {"tlp": "green", "scope": {"kind": "group"}},
    "AMBER, group": {"tlp": "amber", "scope": {"kind": "group"}},
    "AMBER+STRICT, region": {"tlp": "amber+strict", "scope": {"kind": "region"}},
    "RED, E1 named": {"tlp": "red", "scope": {"kind": "explicit", "organisations": ["E1"]}},
}
Row = tuple[str, str, tuple[Check, ...]]


def _routes(router: Any) -> Iterator[Any]:
    for route in router.routes:  # FastAPI ≥ 0.165 nests included routers
        if hasattr(route, "original_router"):
            yield from _routes(route.original_router)
        elif hasattr(route, "methods"):
            yield route


def test_the_table_has_a_row_for_every_operation_and_page_and_no_other() -> None:
    document = create_app(Settings(database_url="sqlite://", run_workers=False)).openapi()
    operations = {(m.upper(), p) for p, item in document["paths"].items() for m in item}
    pages = {(m, r.path) for router in ROUTERS for r in _routes(router)
             if not r.include_in_schema for m in r.methods - {"HEAD"}}  # fmt: skip
    problems = [f"no row for {m} {p}" for m, p in sorted(operations - set(API))]
    problems += [f"no row for page {m} {p}" for m, p in sorted(pages - set(PAGES))]
    problems += [f"row for a gone operation {m} {p}" for m, p in sorted(set(API) - operations)]
    problems += [f"row for a gone page {m} {p}" for m, p in sorted(set(PAGES) - pages)]
    assert problems == [], "\n".join(problems)


def _alert(client: TestClient, world: World, case: str) -> str:
    changes = dict(CASES[case])
    names = changes["scope"].get("organisations")
    if names:
        changes["scope"] = {**changes["scope"], "organisations": [str(world.ids[n]) for n in names]}
    return str(publish(client, world, "E2", **changes, title=SECRET)["id"])


def _target(state: AppState, world: World, alert_id: str | None) -> Target:
    names = {v: k for k, v in world.ids.items()}
    with transaction(state.sessions) as session:
        network = network_service.load_network(session=session)
        alert = session.get(Alert, uuid.UUID(alert_id)) if alert_id else None
        readers = expected_readers(network, facts(alert)) if alert else set()
        to = recipients(facts(alert), network) if alert else frozenset()
        tlp = alert.tlp.value if alert else ""
    cell = network.relays_of(world.ids["E1"]) | {world.ids["E1"]}
    relays = {"group", "region", "national"}  # they oversee the answers, they owe none
    responders = {i for i in to if network.orgs[i].kind not in relays}
    return Target(network, dict(world.ids), alert_tlp=tlp,
                  alert_readers=frozenset(names[i] for i in readers if i in names),
                  alert_recipients=frozenset(names[i] for i in to if i in names),
                  alert_responders=frozenset(names[i] for i in responders if i in names),
                  cell=frozenset(names[i] for i in cell))  # fmt: skip


def _ordered(rows: list[Row]) -> list[Row]:
    """Reads first, and the writes that end a thing (close, retract) last."""
    return sorted(rows, key=lambda r: (r[0] != "GET", r[1].endswith(("/close", "/retract"))))


def _rows(table: dict[tuple[str, str], Any], bound: str | None) -> list[Row]:
    params = ("{alert_id}", "{declaration_id}")
    return _ordered([(m, p, checks) for (m, p), checks in table.items()
                     if checks is not None
                     and (bound in p if bound else not any(b in p for b in params))])  # fmt: skip


class Run:
    """Calls rows as actors against one target and keeps every mismatch."""

    def __init__(self, client: TestClient, world: World, indicator: str) -> None:
        self.client, self.world = client, world
        self.bodies = bodies(str(world.ids["E1"]), indicator)
        self.indicator = indicator
        self.wrong: list[str] = []
        self.calls = 0

    def api(self, actor: Actor, rows: list[Row], target: Target, known: dict[str, str]) -> None:
        for method, template, checks in rows:
            writes_to = self.world.ids[actor.org] if actor.org and method != "GET" else None
            ids = {"org_id": str(self.world.ids["E1"]), "indicator_id": self.indicator}
            path = fill(template, known | ids, writes_to)
            body = self.bodies.get((method, template))
            answer = call(self.client, method, path, body, headers(actor))
            self._judge(actor, method, template, checks, target, answer, known)

    def _judge(self, actor: Actor, method: str, template: str, checks: tuple[Check, ...],
               target: Target, answer: Any, known: dict[str, str]) -> None:  # fmt: skip
        self.calls += 1
        made_up = any(f"{{{p}" in template for p in MADE_UP) or (method, template) in BODY_MADE_UP
        want = expected(checks, actor, target)
        got = answer_class(answer.status_code, made_up, want)
        if answer.status_code >= 500 or got != want:
            why = next((c.__name__ for c in checks if c(actor, target) == want), "all checks")
            self.wrong.append(f"{method} {template} {known.get('case', '')} as {actor.label}: "
                              f"{answer.status_code}, expected {want or 'allowed'} ({why})")  # fmt: skip
        elif want is not None and SECRET in answer.text:
            self.wrong.append(f"{method} {template} as {actor.label}: refused but shows the title")


def test_every_actor_gets_the_answer_the_table_expects_from_the_api(
    client: TestClient, world: World, state: AppState
) -> None:
    actors = build_actors(state, world)
    alerts = {case: _alert(client, world, case) for case in CASES}
    created = client.post(DECLARATIONS, json=declaration_body(), headers=world.auth("E1"))
    assert created.status_code == 201, created.text
    clear = client.get(f"/api/v1/alerts/{alerts['CLEAR, region']}", headers=world.auth("E2"))
    run = Run(client, world, clear.json()["indicators"][0]["id"])
    plain = _target(state, world, None)
    for actor in actors:
        run.api(actor, _rows(API, None), plain, {})
    declaration = {"declaration_id": created.json()["id"], "case": "[declaration of E1]"}
    for actor in actors:
        run.api(actor, _rows(API, "{declaration_id}"), plain, declaration)
    for case, alert_id in alerts.items():
        target = _target(state, world, alert_id)
        for actor in actors:
            run.api(actor, _rows(API, "{alert_id}"), target,
                    {"alert_id": alert_id, "case": f"[{case}]"})  # fmt: skip
    print(f"{run.calls} calls: {len(actors)} actors")
    if run.wrong:
        pytest.fail(f"{len(run.wrong)} of {run.calls} answers differ:\n" + "\n".join(run.wrong))


class PageRun(Run):
    """Pages as a signed-in person (or an anonymous browser, sent to sign in)."""

    def pages(self, actor: Actor, rows: list[Row], target: Target, known: dict[str, str]) -> None:
        for method, template, checks in rows:
            if method == "POST" and actor.org is not None:
                continue  # signed-in posts are the forms' business (see table.py)
            ids = {"org_id": str(self.world.ids["E1"]), "kind": "stix"}
            path = fill(template, known | ids, None)
            answer = self.client.request(method, path, follow_redirects=False)
            self._judge(
                actor,
                method,
                template,
                checks,
                target,
                _as_api(answer, method, actor.org is None),
                known,
            )


@dataclass
class _Answer:
    status_code: int
    text: str


def _as_api(answer: Any, method: str, anonymous: bool) -> _Answer:
    """Sent to sign in, or refused by CSRF for want of a session, reads as 401."""
    to_sign_in = answer.status_code == 303 and "/signin" in answer.headers.get("location", "")
    no_session = anonymous and method == "POST" and answer.status_code == 403
    return _Answer(401 if to_sign_in or no_session else answer.status_code, answer.text)


def test_every_person_gets_the_answer_the_table_expects_from_the_pages(
    client: TestClient, world: World, state: AppState
) -> None:
    actors = [a for a in build_actors(state, world) if a.email or a is ANONYMOUS]
    alerts = {case: _alert(client, world, case) for case in CASES}
    created = client.post(DECLARATIONS, json=declaration_body(), headers=world.auth("E1"))
    declaration = {"declaration_id": created.json()["id"], "case": "[declaration of E1]"}
    targets = {case: _target(state, world, alert_id) for case, alert_id in alerts.items()}
    plain = _target(state, world, None)
    run = PageRun(client, world, "")
    for actor in actors:
        client.cookies.clear()
        if actor.email:
            signed = sign_in(client, actor.email.split("@")[0])
            assert signed.status_code == 303, (actor.label, signed.text)
        run.pages(actor, _rows(PAGES, None), plain, {})
        run.pages(actor, _rows(PAGES, "{declaration_id}"), plain, declaration)
        for case, alert_id in alerts.items():
            run.pages(actor, _rows(PAGES, "{alert_id}"), targets[case],
                      {"alert_id": alert_id, "case": f"[{case}]"})  # fmt: skip
    print(f"{run.calls} page calls: {len(actors)} people and anonymous")
    if run.wrong:
        pytest.fail(f"{len(run.wrong)} of {run.calls} answers differ:\n" + "\n".join(run.wrong))
