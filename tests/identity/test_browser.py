"""Identity in a real browser (Playwright driving Debian's chromium): enrol an authenticator
app and sign in with it (and fail with a wrong code), register a virtual passkey through the
DevTools WebAuthn domain and sign in with it, sign in through a real OpenID provider, and
end a session from another browser. Screenshots at 1366 and 390 px.

The node listens on http://localhost (a passkey's relying party must be a domain name) and
runs on a manual clock set to the real time: the tests step it past the 30-second window of
a code instead of sleeping, and ID tokens from the provider still carry times it accepts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.identity.helpers import code_at
from tests.identity.provider import free_port, provider_body, running_provider
from tests.web.helpers import PASSWORD, email_of
from tests.web.test_browser import CHROMIUM, _require_chromium
from tests.world import World, build_world
from tocsin.app import create_app
from tocsin.clock import ManualClock
from tocsin.db import load_all_models, make_engine, make_sessionmaker, migrate
from tocsin.settings import Settings
from tocsin.state import AppState

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WIDTHS = {"1366": (1366, 900), "390": (390, 844)}


class Live:
    def __init__(self, base: str, world: World, state: AppState, clock: ManualClock) -> None:
        self.base, self.world, self.state, self.clock = base, world, state, clock


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    _require_chromium()
    load_all_models()
    url = f"sqlite:///{tmp_path / 'identity.db'}"
    engine = make_engine(url)
    migrate(engine)
    port = free_port()
    base = f"http://localhost:{port}"
    settings = Settings(environment="test", data_dir=tmp_path, database_url=url,
                        run_workers=False, public_url=base, mfa_required="privileged")  # fmt: skip
    clock = ManualClock(datetime.now(UTC))
    state = AppState(settings=settings, engine=engine, sessions=make_sessionmaker(engine),
                     clock=clock)  # fmt: skip
    world = build_world(state)
    server = uvicorn.Server(uvicorn.Config(create_app(state=state), host="127.0.0.1", port=port,
                                           log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the live server did not start"
    try:
        yield Live(base, world, state, clock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


def shoot(page: Any, name: str) -> None:
    """The page at both widths, then back to the desktop width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in (("390", WIDTHS["390"]), ("1366", WIDTHS["1366"])):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)


def _browser(driver: Any) -> Any:
    return driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])


def _error(message: Any) -> bool:
    """A script or console error of the hub's pages; a refusal the page itself shows (401)
    is not one, nor what the test provider's bare pages lack (a favicon)."""
    where = str(message.location.get("url", ""))
    hub = where.startswith("http://localhost:") and "/favicon.ico" not in where
    return message.type == "error" and hub and "status of 401" not in message.text


def _page(browser: Any, problems: list[str]) -> Any:
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if _error(m) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page


def _password(page: Any, base: str, key: str) -> None:
    page.goto(f"{base}/signin")
    page.fill("input[name=email]", email_of(key))
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/signin'] button[type=submit]")


def _arrive(page: Any, path: str) -> None:
    """Wait for a navigation made by the page's script (or for its error to show)."""
    page.wait_for_function(
        "path => location.pathname === path || "
        "!(document.getElementById('passkey-error') || {hidden: true}).hidden",
        arg=path,
    )
    error = page.locator("#passkey-error")
    assert not error.count() or error.is_hidden(), error.inner_text()
    page.wait_for_load_state()


def _sign_out(page: Any) -> None:
    page.click("form[action='/signout'] button")
    page.wait_for_url("**/signin")


def test_enrol_an_authenticator_app_sign_in_with_it_and_fail_with_a_wrong_code(
    live: Live,
) -> None:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as driver:
        browser = _browser(driver)
        page = _page(browser, problems)
        _password(page, live.base, "so_E1")  # a security officer: the policy binds them
        page.wait_for_url(f"{live.base}/account/security")
        assert page.locator("#enrol-first").is_visible()
        shoot(page, "enrol-required")
        page.click("#start-totp")
        page.wait_for_selector("#totp-qr")
        secret = page.locator("#totp-secret").inner_text()
        assert page.locator("#totp-uri").inner_text().startswith("otpauth://totp/tocsin:")
        shoot(page, "totp-qr")
        page.fill("#totp input[name=code]", code_at(secret, live.clock.now()))
        page.click("#totp button[type=submit]")
        page.wait_for_selector("#recovery-codes")
        assert page.locator("#recovery-codes code").count() == 10
        shoot(page, "recovery-codes")
        page.click("#recovery-codes a.button")
        page.wait_for_url(f"{live.base}/inbox")
        _sign_out(page)

        _password(page, live.base, "so_E1")
        page.wait_for_url(f"{live.base}/signin/verify")
        shoot(page, "second-step")
        live.clock.advance(timedelta(seconds=30))
        right = code_at(secret, live.clock.now())
        page.fill("input[name=code]", "000000" if right != "000000" else "111111")
        page.click("#code-form button[type=submit]")
        page.wait_for_selector("#verify-error")
        assert "wrong" in page.locator("#verify-error").inner_text()
        shoot(page, "second-step-wrong")
        page.fill("input[name=code]", right)
        page.click("#code-form button[type=submit]")
        page.wait_for_url(f"{live.base}/inbox")
        assert page.locator("h1").inner_text() == "Inbox"
        browser.close()
    assert problems == [], problems


def test_register_a_virtual_passkey_and_sign_in_with_it(live: Live) -> None:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as driver:
        browser = _browser(driver)
        page = _page(browser, problems)
        devtools = page.context.new_cdp_session(page)
        devtools.send("WebAuthn.enable")
        authenticator = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
            "hasUserVerification": True, "isUserVerified": True,
            "automaticPresenceSimulation": True}})["authenticatorId"]  # fmt: skip
        _password(page, live.base, "so_E2")
        page.wait_for_url(f"{live.base}/account/security")
        page.fill("#passkey-name", "Badge reader")
        page.click("#add-passkey")
        _arrive(page, "/inbox")  # enrolled: the session may act now
        page.goto(f"{live.base}/account/security")
        assert "Badge reader" in page.locator("#passkey-list").inner_text()
        shoot(page, "passkey-added")
        held = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
        assert [c["rpId"] for c in held["credentials"]] == ["localhost"]  # the key holds it
        _sign_out(page)

        _password(page, live.base, "so_E2")
        page.wait_for_url(f"{live.base}/signin/verify")
        assert page.locator("#use-passkey").is_visible()
        page.click("#use-passkey")
        _arrive(page, "/inbox")
        assert page.locator("h1").inner_text() == "Inbox"
        browser.close()
    assert problems == [], problems


def test_sign_in_through_the_organisations_openid_provider(live: Live) -> None:
    from playwright.sync_api import sync_playwright

    with running_provider(live.base) as provider:
        added = httpx.post(
            f"{live.base}/api/v1/organisations/{live.world.ids['E1']}/identity-providers",
            json=provider_body(provider), headers=live.world.auth("admin"), timeout=10)  # fmt: skip
        assert added.status_code == 201, added.text
        problems: list[str] = []
        with sync_playwright() as driver:
            browser = _browser(driver)
            page = _page(browser, problems)
            page.goto(f"{live.base}/signin")
            shoot(page, "signin-sso")
            page.click("#sso-chu-idp")
            page.wait_for_selector("#provider-submit")
            page.fill("input[name=login]", "rssi@chu-e1.example.org")
            page.fill("input[name=password]", "anything")
            page.check("input[name=mfa]")
            page.click("#provider-submit")
            page.wait_for_url(f"{live.base}/inbox", timeout=15_000)
            assert "Person rssi" in page.locator("header .who").inner_text()
            shoot(page, "sso-inbox")
            browser.close()
    assert problems == [], problems


def test_see_and_end_a_session_from_another_browser(live: Live) -> None:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as driver:
        browser = _browser(driver)
        laptop, phone = _page(browser, problems), _page(browser, problems)
        for page in (laptop, phone):
            _password(page, live.base, "viewer_E3")  # the policy does not bind a viewer
            page.wait_for_url(f"{live.base}/inbox")
        laptop.goto(f"{live.base}/account/sessions")
        rows = laptop.locator("#sessions tbody tr")
        assert rows.count() == 2
        shoot(laptop, "sessions")
        laptop.locator("#sessions tbody tr:not(.current) button").click()
        laptop.wait_for_url(f"{live.base}/account/sessions")
        assert laptop.locator("#sessions tbody tr").count() == 1
        phone.goto(f"{live.base}/inbox")
        phone.wait_for_url(f"{live.base}/signin?next=/inbox")
        browser.close()
    assert problems == [], problems
