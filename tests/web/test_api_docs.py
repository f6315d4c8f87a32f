"""In the browser: the API docs page (Swagger UI from the npm package swagger-ui-dist,
served by the hub, so it renders with no network beyond it) and the notifications page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.test_browser import ARTIFACTS, CHROMIUM, _sign_in, live
from tests.world import World

__all__ = ["live"]


def test_the_docs_page_loads_only_the_hubs_own_assets(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for asset in ("/static/vendor/swagger-ui-bundle.js", "/static/vendor/swagger-ui.css",
                  "/static/api-docs.js"):  # fmt: skip
        assert asset in page.text
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 100, asset


def test_swagger_ui_renders_with_every_outside_address_blocked(live: tuple[str, World]) -> None:
    from playwright.sync_api import sync_playwright

    base, _ = live
    outside: list[str] = []

    def only_the_hub(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page()
        page.route("**/*", only_the_hub)
        page.goto(f"{base}/api/v1/docs")
        title = page.locator(".swagger-ui .info .title")
        title.wait_for(timeout=15000)
        assert "tocsin" in title.inner_text()
        assert page.locator(".opblock").count() > 50
        Path(ARTIFACTS).mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
        browser.close()
    assert outside == []


@pytest.mark.parametrize("width", [1366, 390])
def test_the_notifications_page_in_the_browser_saves_and_fits_a_phone(
    live: tuple[str, World], width: int
) -> None:
    from playwright.sync_api import sync_playwright

    base, _ = live
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": 900}, locale="fr-FR")
        _sign_in(page, base, "so_E1")
        page.goto(f"{base}/account/notifications")
        assert page.locator("input[name=email_critical]").is_checked()
        page.check("input[name=sms_high]")
        page.fill("#phone", "+33 6 12 34 56 78")
        page.click("#notifications button[type=submit]")
        page.wait_for_selector("#saved")
        assert page.input_value("#phone") == "+33612345678"
        assert page.locator("input[name=sms_high]").is_checked()
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{wide} px wide at {width} px"
        Path(ARTIFACTS, "screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"notifications-{width}.png"),
                        full_page=True)  # fmt: skip
        browser.close()
