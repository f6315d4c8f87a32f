"""Browser tests: Playwright driving Debian's chromium against a live node.

Skipped locally when chromium is absent; under CI=true its absence is a failure.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.alerts.factory import alert_body
from tests.services import in_ci
from tests.web.helpers import PASSWORD, email_of
from tests.world import World, build_world
from tocsin.app import create_app
from tocsin.clock import SystemClock
from tocsin.db import load_all_models, make_engine, make_sessionmaker, migrate
from tocsin.settings import Settings
from tocsin.state import AppState

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    if in_ci():
        pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(
    tmp_path: Path, *, run_workers: bool = False, **overrides: Any
) -> Iterator[tuple[str, World, AppState]]:
    """A node serving on a free port, on its own SQLite file, with the test network;
    `overrides` are further settings (e.g. a short acknowledgement deadline)."""
    _require_chromium()
    load_all_models()
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    engine = make_engine(url)
    migrate(engine)
    settings = Settings(environment="test", data_dir=tmp_path, database_url=url,
                        run_workers=run_workers, **overrides)  # fmt: skip
    state = AppState(settings=settings, engine=engine, sessions=make_sessionmaker(engine),
                     clock=SystemClock())  # fmt: skip
    world = build_world(state)
    port = _free_port()
    app = create_app(state=state)
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the live server did not start"
    try:
        yield f"http://127.0.0.1:{port}", world, state
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, World]]:
    for base, world, _ in _serve(tmp_path):
        yield base, world


def _publish(base: str, world: World, **changes: Any) -> str:
    with httpx.Client(base_url=base, headers=world.auth("E2"), timeout=60) as api:
        created = api.post("/api/v1/alerts", json=alert_body(**changes))
        assert created.status_code == 201, created.text
        alert_id: str = created.json()["id"]
        assert api.post(f"/api/v1/alerts/{alert_id}/publish").status_code == 200
    return alert_id


def test_sign_in_read_the_inbox_and_an_alert_without_console_errors(
    live: tuple[str, World],
) -> None:
    from playwright.sync_api import sync_playwright

    base, world = live
    alert_id = _publish(base, world, title="Ransomware on the imaging network")
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(locale="en-GB")
        page.on(
            "console",
            lambda m: problems.append(f"{m.text} {m.location}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{base}/signin")
        page.fill("input[name=email]", email_of("so_E1"))
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/inbox")
        assert page.locator(f"#alert-{alert_id}").is_visible()
        assert page.locator("h1").inner_text() == "Inbox"
        page.screenshot(path=str(ARTIFACTS / "inbox.png"), full_page=True)

        page.click(f"#alert-{alert_id} a")
        page.wait_for_url(f"{base}/alerts/{alert_id}")
        assert page.locator("#alert-page h1").inner_text() == "Ransomware on the imaging network"
        assert page.locator("a.technique").first.get_attribute("href", timeout=5000)
        page.screenshot(path=str(ARTIFACTS / "alert.png"), full_page=True)

        page.goto(f"{base}/compose")
        page.fill("#paste", "Beacon to hxxp://c2[.]example[.]net/x from 198.51.100[.]7")
        page.click("#extract")
        page.wait_for_selector("#extracted table.extracted")
        assert page.locator("#extracted input[name=indicator]").count() == 2
        page.screenshot(path=str(ARTIFACTS / "composer.png"), full_page=True)

        page.goto(f"{base}/dashboard")
        assert page.locator("#posture-score").inner_text() == "0"
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        browser.close()
    assert problems == []


def test_a_new_critical_alert_appears_live_with_a_banner(tmp_path: Path) -> None:
    """The whole live path: publish through the API, the outbox, the dispatcher, the bus,
    the stream opened by the signed-in browser, and the row fetched into the inbox; then
    the recipient acknowledges and the relay, in a second browser, sees it on its board."""
    from playwright.sync_api import sync_playwright

    serving = _serve(tmp_path, run_workers=True)
    base, world, state = next(serving)
    problems: list[str] = []
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            page = browser.new_page(locale="en-GB")
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{base}/signin")
            page.fill("input[name=email]", email_of("so_E1"))
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/inbox")
            hub = state.live_hub
            deadline = time.monotonic() + 10
            while not hub.connection_count(world.ids["E1"]) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert hub.connection_count(world.ids["E1"]) == 1, "the inbox did not open the stream"
            alert_id = _publish(base, world, title="Live critical alert", severity="critical")
            page.wait_for_selector(f"#alert-{alert_id}", timeout=10_000)
            assert page.locator("#live-banner").is_visible()
            assert "Live critical alert" in page.locator("#live-banner").inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "inbox-live.png"), full_page=True)
            # The recipient acknowledges from the alert page...
            page.click(f"#alert-{alert_id} a")
            page.wait_for_url(f"{base}/alerts/{alert_id}")
            page.click("#acknowledge")
            page.wait_for_url(f"{base}/alerts/{alert_id}#response")
            assert page.locator("#acknowledge").count() == 0
            # ...and the region's analyst, in a second browser, sees it on the relay board.
            relay = browser.new_context(locale="en-GB").new_page()
            relay.on("pageerror", lambda e: problems.append(str(e)))
            _sign_in(relay, base, "so_R1")
            relay.goto(f"{base}/relay")
            section = relay.locator(f"#relay-{alert_id}")
            acknowledged = section.locator("tr:not(.silent)", has_text="Org E1")
            assert acknowledged.count() == 1
            assert section.locator("tr.silent", has_text="Org E3").count() == 1
            relay.screenshot(path=str(ARTIFACTS / "relay-board.png"), full_page=True)
            browser.close()
    finally:
        serving.close()
    assert problems == []


def _sign_in(page: Any, base: str, key: str) -> None:
    page.goto(f"{base}/signin")
    page.fill("input[name=email]", email_of(key))
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/inbox")


def test_a_declaration_autosaves_survives_a_reload_and_waits_on_the_relay_board(
    live: tuple[str, World],
) -> None:
    """Declare under stress: type a title and a category, let autosave keep it, reload,
    then the region's analyst finds it waiting for qualification on the relay board."""
    from playwright.sync_api import expect, sync_playwright

    base, _ = live
    problems: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(locale="en-GB")
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        _sign_in(page, base, "so_E1")
        page.click("nav >> text=Declare an incident")
        page.wait_for_url(f"{base}/declare")
        page.get_by_label("Title").fill("Imaging servers encrypted")
        page.get_by_label("Regulatory category").select_option("4")
        page.get_by_label("Malicious or accidental").select_option("malicious")
        page.get_by_label("Summary", exact=True).fill("Ransom note on the PACS.")
        expect(page.locator("#autosave-state [data-saved=true]")).to_be_visible(timeout=10_000)
        page.wait_for_url(f"{base}/declarations/*/edit")
        draft_url = page.url
        page.reload()
        expect(page.get_by_label("Title")).to_have_value("Imaging servers encrypted")
        expect(page.get_by_label("Summary", exact=True)).to_have_value("Ransom note on the PACS.")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "declare.png"), full_page=True)
        declaration_id = draft_url.rstrip("/").split("/")[-2]

        relay = browser.new_context(locale="en-GB").new_page()
        relay.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        relay.on("pageerror", lambda e: problems.append(str(e)))
        _sign_in(relay, base, "so_R1")
        relay.click("nav >> text=Relay board")
        row = relay.locator(f"#waiting-{declaration_id}")
        expect(row).to_contain_text("Imaging servers encrypted")
        expect(row).to_contain_text("left")
        relay.screenshot(path=str(ARTIFACTS / "relay-waiting.png"), full_page=True)
        row.get_by_role("link", name="Imaging servers encrypted").click()
        expect(relay.locator("#declaration-page h1")).to_have_text("Imaging servers encrypted")
        browser.close()
    assert problems == []
