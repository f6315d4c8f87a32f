"""In chromium: a participant sees the exercise banner and the marked title; the organiser
reads the report page with its chart. Screenshots at 1366 and 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.exercises.helpers import exercise_body
from tests.web.helpers import PASSWORD, email_of
from tests.web.test_browser import ARTIFACTS, CHROMIUM, _serve
from tests.world import World

SHOTS = ARTIFACTS / "screenshots"
WIDTHS = (1366, 390)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, World]]:
    for base, world, _ in _serve(tmp_path):
        yield base, world


def _run_exercise(base: str, world: World) -> dict[str, Any]:
    with httpx.Client(base_url=base, headers=world.auth("R1"), timeout=180) as api:
        created = api.post("/api/v1/exercises", json=exercise_body())
        assert created.status_code == 201, created.text
        started = api.post(f"/api/v1/exercises/{created.json()['id']}/start")
        assert started.status_code == 200, started.text
    with httpx.Client(base_url=base, headers=world.auth("E2"), timeout=60) as api:
        alert_id = started.json()["alert_id"]
        acked = api.put(f"/api/v1/alerts/{alert_id}/response", json={"acknowledged": True})
        assert acked.status_code == 200, acked.text
    result: dict[str, Any] = started.json()
    return result


def _sign_in(page: Any, base: str, who: str) -> None:
    page.goto(f"{base}/signin")
    page.fill("input[name=email]", email_of(who))
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/inbox")


def _shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def test_the_banner_on_the_alert_and_the_report_page_with_its_chart(
    live: tuple[str, World],
) -> None:
    from playwright.sync_api import sync_playwright

    base, world = live
    exercise = _run_exercise(base, world)
    problems: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        participant = browser.new_page(locale="fr-FR")
        participant.on("pageerror", lambda e: problems.append(str(e)))
        _sign_in(participant, base, "so_E2")
        row = participant.locator(f"#alert-{exercise['alert_id']}")
        assert row.inner_text().count("EXERCICE") == 1
        participant.goto(f"{base}/alerts/{exercise['alert_id']}")
        assert participant.locator("#exercise-banner").is_visible()
        assert participant.locator("h1").inner_text().startswith("EXERCICE · ")
        _shoot(participant, "exercise-alert")
        organiser = browser.new_page(locale="fr-FR")
        organiser.on("pageerror", lambda e: problems.append(str(e)))
        _sign_in(organiser, base, "so_R1")
        organiser.goto(f"{base}/exercises/{exercise['id']}/report")
        assert organiser.locator("#exercise-report h1").inner_text().startswith("Rapport")
        assert organiser.locator("#participants").inner_text() == "4"
        assert organiser.locator("#acknowledged").inner_text().startswith("1 ")
        assert organiser.locator("svg.ack-chart rect").count() == 4
        _shoot(organiser, "exercise-report")
        browser.close()
    assert problems == []
