"""Every setting and every command is documented in the README (so users can find them)."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from tocsin.cli import app
from tocsin.settings import Settings

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_setting_is_documented():
    missing = [
        f"TOCSIN_{name.upper()}" for name in Settings.model_fields
        if f"`TOCSIN_{name.upper()}`" not in README
    ]  # fmt: skip
    assert missing == []


def _commands(group, prefix=""):
    for name, command in getattr(group, "commands", {}).items():
        full = f"{prefix}{name}"
        if getattr(command, "commands", None):
            yield from _commands(command, f"{full} ")
        else:
            yield full


def test_every_command_is_documented():
    missing = [c for c in _commands(get_command(app)) if f"`tocsin {c}" not in README]
    assert missing == []


def test_readme_gives_the_two_set_up_commands():
    assert "make demo" in README and "make test" in README
