"""Updates and closures reach an open alert page and an open inbox live, in the browser."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.web.test_browser import ARTIFACTS, CHROMIUM, _publish, _serve, _sign_in


def test_an_update_and_a_closure_reach_the_open_pages_live(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    serving = _serve(tmp_path, run_workers=True)
    base, world, state = next(serving)
    problems: list[str] = []
    try:
        alert_id = _publish(base, world, title="Imaging servers encrypted", severity="high")
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            reader = browser.new_page(locale="fr-FR")
            reader.on("pageerror", lambda e: problems.append(str(e)))
            _sign_in(reader, base, "so_E1")
            inbox = browser.new_context(locale="fr-FR").new_page()
            inbox.on("pageerror", lambda e: problems.append(str(e)))
            _sign_in(inbox, base, "so_E1")
            reader.goto(f"{base}/alerts/{alert_id}")
            hub = state.live_hub
            assert hub is not None
            deadline = time.monotonic() + 10
            while hub.connection_count(world.ids["E1"]) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert hub.connection_count(world.ids["E1"]) == 2, "a page did not open the stream"

            with httpx.Client(base_url=base, headers=world.auth("E2"), timeout=60) as api:
                patch = {"severity": "critical", "note": "Le PACS est aussi touché"}
                assert api.patch(f"/api/v1/alerts/{alert_id}", json=patch).status_code == 200
                history = reader.locator("#revisions")
                expect(history).to_contain_text("Le PACS est aussi touché", timeout=10_000)
                expect(history).to_contain_text("Gravité relevée de haute à critique")
                expect(reader.locator("#live-banner")).to_be_visible()
                row = inbox.locator(f"#alert-{alert_id}")
                expect(row).to_contain_text("critique")

                assert api.post(f"/api/v1/alerts/{alert_id}/close").status_code == 200
            expect(reader.locator(".label.status")).to_have_text("close", timeout=10_000)
            expect(reader.locator("#acknowledge")).to_have_count(0)
            expect(inbox.locator(f"#alert-{alert_id}")).to_have_attribute(
                "data-status", "closed", timeout=10_000
            )
            (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / "screenshots" / "alert-closed-live-1366.png"
            reader.screenshot(path=str(shot), full_page=True)
            browser.close()
    finally:
        next(serving, None)  # past its yield: the server stops
    assert problems == []
