"""The running clocks in a real browser: htmx loads them into the director's dashboard and
the relay board (chromium, screenshots at 1366 and 390 px)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.obligations.helpers import set_status
from tests.relay.factory import URL, declaration_body
from tests.web.helpers import PASSWORD, email_of
from tests.web.test_browser import ARTIFACTS, CHROMIUM, _serve

SHOTS = ARTIFACTS / "screenshots"


def test_the_dashboard_and_the_relay_board_count_down_the_clocks(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    for base, world, state in _serve(tmp_path):
        set_status(state, world, "E1", "essential")
        body = declaration_body(title="Rançongiciel sur l'imagerie")
        body["impacts"]["personal_data"] = True
        created = httpx.post(f"{base}{URL}", json=body, headers=world.auth("E1"))
        assert created.status_code == 201, created.text
        SHOTS.mkdir(parents=True, exist_ok=True)
        problems: list[str] = []
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            for key, path, name in (("so_E1", "/dashboard", "dashboard"),
                                    ("so_R1", "/relay", "relay-board")):  # fmt: skip
                for width in (1366, 390):
                    page = browser.new_page(
                        locale="fr-FR", viewport={"width": width, "height": 900}
                    )
                    page.on("pageerror", lambda e: problems.append(str(e)))  # noqa: B023
                    page.goto(f"{base}/signin")
                    page.fill("input[name=email]", email_of(key))
                    page.fill("input[name=password]", PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_url(f"{base}/inbox")
                    page.goto(f"{base}{path}")
                    page.wait_for_selector("#clocks-rows table.clocks tr.clock")
                    rows = page.locator("#clocks-rows tr.clock")
                    assert rows.count() == 4  # NIS2 warning and notification, CNIL, ARS
                    assert "encore 23 h" in rows.first.inner_text()
                    page.locator("#regulatory-clocks").scroll_into_view_if_needed()
                    page.screenshot(path=str(SHOTS / f"clocks-{name}-{width}.png"), full_page=True)
                    page.close()
            browser.close()
        assert problems == []
