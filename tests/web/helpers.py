"""Driving the pages like a browser: read the CSRF token from the form, post it back."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.world import PASSWORD

__all__ = ["PASSWORD", "csrf_of", "email_of", "page_token", "sign_in"]

_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def email_of(key: str) -> str:
    return f"{key.lower()}@test.example.org"


def sign_in(client: TestClient, key: str, password: str = PASSWORD, **headers: str) -> Any:
    """Sign in as a world user (e.g. 'so_E1'); returns the response to the form post."""
    page = client.get("/signin", headers=headers)
    assert page.status_code == 200, page.text
    return client.post(
        "/signin",
        data={"email": email_of(key), "password": password, "csrf_token": csrf_of(page.text)},
        headers=headers,
        follow_redirects=False,
    )


def page_token(client: TestClient, path: str = "/inbox") -> str:
    """The CSRF token bound to the current session, as a page shows it."""
    return csrf_of(client.get(path).text)
