"""A real OpenID Provider for the tests (`oidc_provider.mjs`, the npm `oidc-provider`
package under Node.js) on a loopback port, and a walk through its pages."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from tests.services import in_ci

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID, CLIENT_SECRET = "tocsin-hub", "a client secret only the tests know"


@dataclass(frozen=True)
class Provider:
    issuer: str
    redirect_uri: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _require_node() -> None:
    missing = []
    if shutil.which("node") is None:
        missing.append("node")
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        missing.append("node_modules/oidc-provider (run `npm ci`)")
    if not missing:
        return
    message = f"the test OpenID provider needs {', '.join(missing)}"
    if in_ci():
        pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
    pytest.skip(message)


@contextmanager
def running_provider(
    public_url: str, roles: dict[str, list[str]] | None = None, *, userinfo_only: bool = False
) -> Iterator[Provider]:
    """The provider on a free loopback port, its client redirecting to `public_url`."""
    _require_node()
    port = free_port()
    redirect_uri = public_url.rstrip("/") + "/signin/sso/callback"
    env = os.environ | {"OIDC_PORT": str(port), "OIDC_CLIENT_ID": CLIENT_ID,
                        "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_REDIRECT_URI": redirect_uri,
                        "OIDC_ROLES": json.dumps(roles or {}),
                        "OIDC_CONFORM": "1" if userinfo_only else "0"}  # fmt: skip
    process = subprocess.Popen(["node", str(SCRIPT)], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline and not line.startswith("ready"):
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
        assert line.startswith("ready"), f"the OpenID provider did not start: {line!r}"
        yield Provider(issuer=line.split()[1], redirect_uri=redirect_uri)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def provider_body(provider: Provider, **changes: object) -> dict[str, object]:
    """The body that adds this provider to an organisation."""
    return {"slug": "chu-idp", "name": "CHU directory", "issuer": provider.issuer,
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "scopes": "openid email profile roles", "roles_claim": "roles",
            "role_map": {"rssi": "security_officer", "staff": "viewer"},
            "allowed_domains": ["chu-e1.example.org"]} | changes  # fmt: skip


def walk_provider(start_url: str, email: str, *, mfa: bool, stop_at: str) -> str:
    """Follow the provider from an authorization URL, sign in as `email` on its page, and
    return the URL it finally sends the browser to (which starts with `stop_at`)."""
    url = start_url
    with httpx.Client(timeout=10) as browser:
        for _ in range(20):
            if url.startswith(stop_at):
                return url
            answer = browser.get(url)
            if answer.status_code in (302, 303):
                url = urljoin(url, answer.headers["location"])
                continue
            assert answer.status_code == 200 and "provider-submit" in answer.text, answer.text
            form = {"login": email, "password": "anything"} | ({"mfa": "1"} if mfa else {})
            action = urljoin(url, answer.text.split('action="')[1].split('"')[0])
            posted = browser.post(action, data=form)
            assert posted.status_code in (302, 303), posted.text
            url = urljoin(action, posted.headers["location"])
    raise AssertionError("the provider never sent the browser back")
