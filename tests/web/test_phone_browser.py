"""Every page fits a phone: at 360 and 390 px nothing scrolls sideways.

Each page is loaded in chromium at a phone's width, with data long enough to push a careless
layout wider (long indicators, long titles), and the document must be no wider than the
screen. A screenshot of each page at 390 px goes to `test-artifacts/screenshots/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.relay.factory import declaration_body
from tests.web.test_browser import ARTIFACTS, CHROMIUM, _publish, _serve, _sign_in
from tests.world import World

SHOTS = ARTIFACTS / "screenshots"
WIDTHS = (390, 360)
LONG = "c2-" + "beacon" * 9 + "." + "relay" * 10 + ".example.org"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, World, dict[str, str]]]:
    for base, world, _state in _serve(tmp_path):
        alert = _publish(base, world, title="Chiffrement des serveurs d'imagerie " * 3,
                         indicators=[{"type": "domain", "value": LONG},
                                     {"type": "sha256", "value": "a" * 64}])  # fmt: skip
        with httpx.Client(base_url=base, headers=world.auth("E1"), timeout=60) as api:
            answer = api.post("/api/v1/declarations", json=declaration_body())
            assert answer.status_code == 201, answer.text
        yield base, world, {"alert": alert, "declaration": answer.json()["id"]}


def _pages(world: World, made: dict[str, str]) -> dict[str, list[str]]:
    """Per signed-in user, the pages that user opens."""
    alert, declaration = made["alert"], made["declaration"]
    return {
        "so_E1": ["/inbox", f"/alerts/{alert}", f"/alerts/{alert}/notice", "/compose",
                  "/declare", f"/declarations/{declaration}",
                  f"/declarations/{declaration}/edit", "/dashboard",
                  "/dashboard/report/monthly", "/organisation", "/account/security",
                  "/account/sessions", "/account/notifications"],
        "admin": ["/dashboard", "/inbox"],
        "so_R1": ["/relay", f"/declarations/{declaration}", f"/dashboard/{world.ids['E1']}",
                  "/inbox"],
    }  # fmt: skip


def _shot_name(path: str, made: dict[str, str], world: World) -> str:
    for label, value in (*made.items(), ("E1", str(world.ids["E1"]))):
        path = path.replace(value, label)
    return path.strip("/").replace("/", "_") or "home"


def _too_wide(page: Any) -> str:
    """The widest elements past the screen's edge, to say what overflows."""
    found: str = page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
             .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
             .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
               Math.round(e.getBoundingClientRect().right)).join(', ')"""
    )
    return found


def test_every_page_fits_a_phone_without_sideways_scrolling(
    served: tuple[str, World, dict[str, str]],
) -> None:
    from playwright.sync_api import sync_playwright

    base, world, made = served
    SHOTS.mkdir(parents=True, exist_ok=True)
    overflowing: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        signin = browser.new_page(locale="fr-FR", viewport={"width": 390, "height": 800})
        signin.goto(f"{base}/signin")
        signin.screenshot(path=str(SHOTS / "signin-390.png"), full_page=True)
        for user, paths in _pages(world, made).items():
            context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 800})
            page = context.new_page()
            _sign_in(page, base, user)
            for path in paths:
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 800})
                    answer = page.goto(f"{base}{path}")
                    assert answer is not None and answer.ok, f"{path}: {answer and answer.status}"
                    scroll, inner = page.evaluate(
                        "() => [document.documentElement.scrollWidth, window.innerWidth]"
                    )
                    if scroll > inner:
                        overflowing.append(f"{user} {path} @{width}: {scroll}px {_too_wide(page)}")
                    if width == 390:
                        name = _shot_name(path, made, world)
                        page.screenshot(path=str(SHOTS / f"{user}-{name[:60]}-390.png"),
                                        full_page=True)  # fmt: skip
            context.close()
        browser.close()
    assert overflowing == [], "\n".join(overflowing)
