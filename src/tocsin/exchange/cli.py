"""`tocsin import`, `tocsin export` and `tocsin import-feed`, working on the database directly.

Each command owns its transaction (a feed import owns one per event).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tocsin.audit.service import Actor
from tocsin.errors import TocsinError

console = Console(stderr=True)

OrgOpt = Annotated[
    str | None, typer.Option("--org", help="organisation id acting (import) or viewing (export)")
]


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def _org(value: str | None, what: str = "organisation") -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        raise _fail(f"not an {what} id: {value}") from None


def _state() -> Any:
    from tocsin.settings import Settings
    from tocsin.state import build_state

    return build_state(Settings())


def import_command(
    file: Annotated[Path, typer.Argument(help="a STIX 2.1 bundle or a MISP event (JSON)")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="report, store nothing")] = False,
    org: OrgOpt = None,
) -> None:
    """Import a STIX bundle or a MISP event (detected) as draft alerts of an organisation."""
    from tocsin.db import transaction
    from tocsin.exchange.imports import import_document
    from tocsin.network import service as network_service

    org_id = _org(org)
    if org_id is None and not dry_run:
        raise _fail("--org is required to store drafts (or use --dry-run)")
    try:
        document = json.loads(file.read_bytes())
    except (OSError, ValueError) as exc:
        raise _fail(f"cannot read {file}: {exc}") from None
    state = _state()
    acting = org_id or uuid.UUID(int=0)
    try:
        with transaction(state.sessions) as session:
            report = import_document(
                session=session, document=document, org_id=acting, by=Actor(org_id=org_id),
                network=network_service.load_network(session=session),
                now=state.clock.now(), dry_run=dry_run,
            )  # fmt: skip
    except TocsinError as exc:
        raise _fail(str(exc)) from None
    table = Table("draft", "title", "tlp", "indicators", "steps", "countermeasures", "kept",
                  title=f"{report.format} import{' (dry run)' if dry_run else ''}")  # fmt: skip
    for d in report.drafts:
        table.add_row(str(d.id or "-"), d.title, d.tlp.value, str(d.indicators),
                      str(d.attack_steps), str(d.countermeasures), str(d.attachments))  # fmt: skip
    console.print(table)
    typer.echo(report.model_dump_json())


def export_command(
    alert: Annotated[str, typer.Argument(help="alert id")],
    format: Annotated[str, typer.Option("--format", help="stix or misp")] = "stix",
    org: OrgOpt = None,
) -> None:
    """Print an alert as a STIX bundle or a MISP event, as an organisation sees it."""
    from tocsin.alerts.models import Alert
    from tocsin.db import transaction
    from tocsin.exchange.imports import export_alert
    from tocsin.network import service as network_service

    if format not in ("stix", "misp"):
        raise _fail("--format is stix or misp")
    alert_id = _org(alert, "alert")
    state = _state()
    try:
        with transaction(state.sessions) as session:
            stored = session.get(Alert, alert_id)
            if stored is None:
                raise _fail(f"no alert {alert}")
            viewer_id = _org(org) or stored.source_org_id
            document = export_alert(
                session=session, alert_id=stored.id, viewer_id=viewer_id,
                by=Actor(org_id=viewer_id), network=network_service.load_network(session=session),
                now=state.clock.now(), format=format, door="cli",
            )  # fmt: skip
    except TocsinError as exc:
        raise _fail(str(exc)) from None
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


def import_feed_command(
    location: Annotated[str, typer.Argument(help="feed directory or URL (manifest.json inside)")],
    org: OrgOpt = None,
) -> None:
    """Import the new and changed events of a MISP feed as drafts; resumable."""
    from tocsin.exchange.misp_feed import import_feed, open_feed

    org_id = _org(org)
    if org_id is None:
        raise _fail("--org is required")
    state = _state()
    report = import_feed(
        sessions=state.sessions, source=open_feed(location), org_id=org_id,
        by=Actor(org_id=org_id), clock=state.clock,
    )  # fmt: skip
    console.print(f"{len(report.imported)} imported, {report.unchanged} unchanged")
    if report.failed:
        raise _fail(f"stopped at {report.failed[0]}: {report.failed[1]} (run again to resume)")


def register(app: typer.Typer) -> None:
    """Add the exchange commands to the `tocsin` command."""
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.command("import-feed")(import_feed_command)
