"""The node's commands: links follow the port served; the demo credentials print whole."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from rich.console import Console

from tocsin.cli import node_settings, print_credentials


def test_the_public_url_follows_the_port_unless_it_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TOCSIN_PUBLIC_URL", raising=False)
    assert node_settings("127.0.0.1", 8080).public_url == "http://127.0.0.1:8080"
    assert node_settings("0.0.0.0", 9000).public_url == "http://127.0.0.1:9000"
    monkeypatch.setenv("TOCSIN_PUBLIC_URL", "https://tocsin.ars.example.fr")
    assert node_settings("0.0.0.0", 9000).public_url == "https://tocsin.ars.example.fr"


@dataclass
class Credential:
    organisation: str
    kind: str
    region: str
    user: str
    role: str
    password: str
    token: str


def test_the_credentials_table_is_not_wrapped_in_a_file() -> None:
    rows = [
        Credential("Centre hospitalier universitaire de Rouvray", "establishment", "Normandie",
                   f"rssi.{i}@chu-rouvray.example.fr", "security_officer",
                   "correct-horse-battery-staple", f"tcn_{i}_" + "x" * 40)
        for i in range(3)
    ]  # fmt: skip
    written = io.StringIO()
    print_credentials(rows, Console(file=written))
    lines = written.getvalue().splitlines()
    for row in rows:
        [line] = [line for line in lines if row.token in line]
        assert row.user in line and row.organisation in line
