"""The offline inbox in Debian's chromium: with the network cut, the inbox and the alerts
this browser already had still show, marked offline; signing out forgets them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.helpers import PASSWORD, email_of
from tests.web.test_browser import ARTIFACTS, CHROMIUM, _publish, _serve
from tests.world import World

KEPT = "caches.open('tocsin-pages-v1').then(c => c.keys()).then(k => k.map(r => r.url))"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, World]]:
    for base, world, _ in _serve(tmp_path):
        yield base, world


def _kept(page: Any, wanted: str, timeout: float = 15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    urls: list[str] = []
    while time.monotonic() < deadline:
        urls = page.evaluate(KEPT)
        if any(u.endswith(wanted) for u in urls):
            return urls
        time.sleep(0.2)
    return urls


@pytest.mark.parametrize("width", [1366, 390])
def test_with_the_network_down_the_inbox_and_its_alerts_still_show(
    live: tuple[str, World], width: int
) -> None:
    from playwright.sync_api import sync_playwright

    base, world = live
    shared = _publish(base, world, title="Phishing wave on the region", tlp="amber")
    strict = _publish(base, world, title="Wiper on the lab network", tlp="amber+strict")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/signin")
        page.fill("input[name=email]", email_of("so_E1"))
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/inbox")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now the worker controls the page and keeps it
        kept = _kept(page, f"/alerts/{shared}")
        assert any(u.endswith(f"/alerts/{shared}") for u in kept), kept
        assert not any(u.endswith(f"/alerts/{strict}") for u in kept), "strict is never prefetched"
        page.goto(f"{base}/alerts/{strict}")  # opened by the person: kept as they saw it
        assert any(u.endswith(f"/alerts/{strict}") for u in _kept(page, f"/alerts/{strict}"))

        context.set_offline(True)
        page.goto(f"{base}/inbox")
        banner = page.locator("#offline-banner")
        assert banner.is_visible() and banner.inner_text().startswith("Offline, as of")
        assert page.locator(f"#alert-{shared}").is_visible()
        page.screenshot(path=str(ARTIFACTS / f"offline-inbox-{width}.png"), full_page=True)
        page.goto(f"{base}/alerts/{shared}")
        assert "Phishing wave on the region" in page.locator("h1").inner_text()
        assert page.locator("#offline-banner").is_visible()
        page.screenshot(path=str(ARTIFACTS / f"offline-alert-{width}.png"), full_page=True)
        page.goto(f"{base}/dashboard")  # never opened here: said plainly
        assert "not opened on this device" in page.locator(".offline-banner").inner_text()

        context.set_offline(False)
        page.goto(f"{base}/inbox")
        page.locator("form[action='/signout'] button").click()
        page.wait_for_url(f"{base}/signin")
        deadline = time.monotonic() + 10
        while page.evaluate(KEPT) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert page.evaluate(KEPT) == [], "signing out forgets what was kept"
        browser.close()
