"""Backups and restores of the hub's database: the recovery procedure in docs/operations.md.

SQLite uses the online backup API (consistent while the node runs); PostgreSQL uses pg_dump in
its custom format and pg_restore. A restore replaces everything: stop the nodes first.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools)")
    # The command and its arguments are built here from settings, never from a request.
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def backup(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the database to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if database_url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(database_url))
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()
    elif database_url.startswith("postgresql"):
        _run(["pg_dump", "--format=custom", f"--file={target}", _libpq_url(database_url)])
    else:
        raise BackupError(f"no backup method for {make_url(database_url).drivername}")
    return target


def restore(database_url: str, source: Path) -> None:
    """Replace the database's content with the backup at `source`."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if database_url.startswith("sqlite"):
        backup_db = sqlite3.connect(source)
        live = sqlite3.connect(_sqlite_path(database_url))
        try:
            backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
    elif database_url.startswith("postgresql"):
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url(database_url)}", str(source)])  # fmt: skip
    else:
        raise BackupError(f"no restore method for {make_url(database_url).drivername}")
