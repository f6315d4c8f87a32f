"""The crisis, walked in French in chromium at a desk's and a phone's width.

An establishment declares; its region qualifies with edits; a peer finds the critical alert
first with its banner on load, sees which hospital was hit, acknowledges; the director of a
silent establishment finds the escalation addressed to them; the region's update and its
closure reach the peer's open alert page live. Every step leaves a screenshot in
`test-artifacts/screenshots/` and no page scrolls sideways.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import ARTIFACTS, CHROMIUM, _serve, _sign_in
from tests.web.test_director_page import director_of
from tests.world import World
from tocsin.responses import escalation
from tocsin.state import AppState

SHOTS = ARTIFACTS / "screenshots"
TITLE = "Rançongiciel : PACS chiffré au CH Org E1"


class Walk:
    """Browsers of the people in the crisis, each in French at the same width."""

    def __init__(self, driver: Any, base: str, width: int) -> None:
        self.browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        self.base, self.width = base, width
        self.problems: list[str] = []

    def person(self, key: str) -> Any:
        context = self.browser.new_context(locale="fr-FR",
                                           viewport={"width": self.width, "height": 900})  # fmt: skip
        page = context.new_page()
        page.on("pageerror", lambda e: self.problems.append(f"{key}: {e}"))
        _sign_in(page, self.base, key)
        return page

    def shot(self, page: Any, name: str) -> None:
        scroll, inner = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll > inner:
            self.problems.append(f"{name} is {scroll}px wide at {inner}px")
        page.screenshot(path=str(SHOTS / f"walk-{name}-{self.width}.png"), full_page=True)


def _declare(walk: Walk) -> str:
    page = walk.person("so_E1")
    page.goto(f"{walk.base}/declare")
    page.get_by_label("Titre").first.fill("PACS chiffré cette nuit")
    page.locator("#f-category").select_option("4")
    page.locator("#f-severity").select_option("critical")
    page.locator("#f-description\\.summary").fill("Note de rançon sur les serveurs d'imagerie.")
    walk.shot(page, "1-declare")
    page.click("#declare-submit")
    page.wait_for_url(f"{walk.base}/declarations/*")
    return str(page.url.rstrip("/").split("/")[-1])


def _qualify(walk: Walk, declaration_id: str) -> tuple[Any, str]:
    from playwright.sync_api import expect

    relay = walk.person("so_R1")
    relay.goto(f"{walk.base}/relay")
    relay.locator(f"#waiting-{declaration_id} a").click()
    expect(relay.locator("#block-description")).to_contain_text("Note de rançon")
    relay.fill("#q-title", TITLE)
    relay.fill("#q-summary", "Les serveurs d'imagerie sont chiffrés ; bloquez les IOC joints.")
    relay.select_option("#q-severity", "critical")
    relay.select_option("#q-scope", "region")
    walk.shot(relay, "2-qualify")
    relay.click("#qualify-submit")
    relay.wait_for_url(f"{walk.base}/alerts/*")
    return relay, str(relay.url.rstrip("/").split("/")[-1])


def _peer_first_sight(walk: Walk, alert_id: str) -> Any:
    from playwright.sync_api import expect

    peer = walk.person("so_E2")
    banner = peer.locator("#urgent-banner")
    expect(banner).to_contain_text("1 alerte critique attend votre accusé de réception")
    expect(peer.locator("#inbox-rows tr").first).to_have_id(f"alert-{alert_id}")
    expect(peer.locator(f"#alert-{alert_id}")).to_contain_text("Org E1")
    walk.shot(peer, "3-inbox-critical-first")
    peer.locator(f"#alert-{alert_id} a").first.click()
    expect(peer.locator("#affected")).to_have_text("Org E1")
    expect(peer.locator("#urgent-banner")).to_be_visible()
    walk.shot(peer, "4-alert-banner-on-load")
    peer.click("#acknowledge")
    expect(peer.locator("#acknowledge")).to_have_count(0)
    expect(peer.locator("#urgent-banner")).to_have_count(0)
    return peer


def _director_sees_escalation(walk: Walk, state: AppState, world: World) -> None:
    from playwright.sync_api import expect

    time.sleep(1.5)  # past the short acknowledgement deadline: E3 stayed silent
    assert escalation.run_once(state), "no escalation fired"
    director = walk.person(director_of(state, world, "E3"))
    director.goto(f"{walk.base}/dashboard")
    expect(director.locator("#escalations")).to_contain_text(TITLE)
    walk.shot(director, "5-director")


def _relay_board(walk: Walk, relay: Any, alert_id: str, world: World) -> None:
    """The region sees E2 acknowledged and E3 overdue in its grid, and reminds E3."""
    from playwright.sync_api import expect

    relay.goto(f"{walk.base}/relay")
    expect(relay.locator(f"#grid-{world.ids['E2']} td.state-acknowledged")).to_have_count(1)
    expect(relay.locator(f"#grid-{world.ids['E3']} td.state-overdue")).to_have_count(1)
    walk.shot(relay, "6-relay-board")
    relay.click(f"#remind-{alert_id}")
    expect(relay.locator("#reminded")).to_contain_text("relancé")
    relay.goto(f"{walk.base}/alerts/{alert_id}")


def _update_and_close_live(
    walk: Walk, relay: Any, peer: Any, state: AppState, world: World
) -> None:
    from playwright.sync_api import expect

    hub = state.live_hub
    assert hub is not None
    deadline = time.monotonic() + 10
    while not hub.connection_count(world.ids["E2"]) and time.monotonic() < deadline:
        time.sleep(0.05)  # the peer's open alert page has opened its stream
    relay.fill("#update-note", "Deux autres établissements voient les mêmes IOC.")
    relay.click("#publish-update")
    expect(peer.locator("#revisions")).to_contain_text("Deux autres établissements",
                                                      timeout=10_000)  # fmt: skip
    expect(peer.locator("#live-banner")).to_be_visible()
    walk.shot(peer, "7-update-live")
    relay.goto(relay.url.split("#")[0])
    relay.click("#close-alert")
    expect(peer.locator(".label.status")).to_have_text("close", timeout=10_000)
    walk.shot(peer, "8-closed-live")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_crisis_walked_in_french(tmp_path: Path, width: int) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    serving = _serve(tmp_path, run_workers=True, ack_deadline_critical_minutes=0.02)
    base, world, state = next(serving)
    try:
        with sync_playwright() as driver:
            walk = Walk(driver, base, width)
            declaration_id = _declare(walk)
            relay, alert_id = _qualify(walk, declaration_id)
            peer = _peer_first_sight(walk, alert_id)
            _director_sees_escalation(walk, state, world)
            _relay_board(walk, relay, alert_id, world)
            _update_and_close_live(walk, relay, peer, state, world)
            walk.browser.close()
    finally:
        next(serving, None)  # past its yield: the server stops
    assert walk.problems == []
