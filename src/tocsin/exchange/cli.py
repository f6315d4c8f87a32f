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
from tocsin.errors import InvalidInput, TocsinError

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


def _print_report(report: Any, dry_run: bool) -> None:
    table = Table("draft", "title", "tlp", "indicators", "steps", "countermeasures", "kept",
                  title=f"{report.format} import{' (dry run)' if dry_run else ''}")  # fmt: skip
    for d in report.drafts:
        table.add_row(str(d.id or "-"), d.title, d.tlp.value, str(d.indicators),
                      str(d.attack_steps), str(d.countermeasures), str(d.attachments))  # fmt: skip
    console.print(table)
    if report.refused:
        refusals = Table("refused object", "reason", title=f"{len(report.refused)} refused")
        for refusal in report.refused:
            refusals.add_row(refusal.object, refusal.reason)
        console.print(refusals)


def import_command(
    file: Annotated[Path, typer.Argument(help="a STIX 2.1 bundle or object, or a MISP event")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="report, store nothing")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="all or nothing: any refused object refuses the file")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="print only the report as JSON, refusals included")
    ] = False,
    org: OrgOpt = None,
) -> None:
    """Import a STIX bundle or a MISP event (detected) as draft alerts of an organisation.

    The valid objects are imported and each refused one is reported with its reason; exits 0
    when something was imported, 2 when nothing could be (or, with --strict, on any refusal).
    """
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
                now=state.clock.now(), dry_run=dry_run, strict=strict,
            )  # fmt: skip
    except InvalidInput as exc:
        if as_json:
            refused = [{"object": e.field, "reason": e.reason} for e in exc.errors]
            typer.echo(json.dumps({"drafts": [], "refused": refused}))
        raise _fail(str(exc)) from None
    except TocsinError as exc:
        raise _fail(str(exc)) from None
    if not as_json:
        _print_report(report, dry_run)
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
    """Import the new and changed events of a MISP feed as drafts; resumable.

    A refused event is reported and skipped, the others imported; exits 2 only when the
    feed's manifest cannot be read.
    """
    from tocsin.exchange.misp_feed import import_feed, open_feed

    org_id = _org(org)
    if org_id is None:
        raise _fail("--org is required")
    state = _state()
    report = import_feed(
        sessions=state.sessions, source=open_feed(location), org_id=org_id,
        by=Actor(org_id=org_id), clock=state.clock,
    )  # fmt: skip
    console.print(
        f"{len(report.imported)} imported, {report.unchanged} unchanged, "
        f"{len(report.refused)} refused, {len(report.unreadable)} unreadable"
    )
    for what, rows in (("refused", report.refused), ("left out", report.left_out),
                       ("unreadable (tried again next run)", report.unreadable)):  # fmt: skip
        for where, reason in rows:
            console.print(f"[yellow]{what}:[/yellow] {where}: {reason}")
    if report.unreadable and report.unreadable[0][0] == "manifest.json":
        raise typer.Exit(2)


def taxii_pull_command(
    url: Annotated[str, typer.Argument(help="the remote TAXII 2.1 API root URL")],
    collection: Annotated[str, typer.Option("--collection", help="the remote collection id")],
    org: OrgOpt = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="TOCSIN_TAXII_PULL_TOKEN", help="remote Bearer token"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print only the report as JSON")] = False,
) -> None:
    """Import what a remote TAXII 2.1 collection added since the last pull, as drafts.

    Incremental (added_after the last X-TAXII-Date-Added-Last read); the valid objects are
    imported and each refused one reported. Exits 2 when the remote cannot be read.
    """
    import httpx

    from tocsin.exchange.taxii_pull import PullError, Remote, pull

    org_id = _org(org)
    if org_id is None:
        raise _fail("--org is required")
    state = _state()
    remote = Remote(api_root=url, collection_id=collection, token=token)
    try:
        with httpx.Client(timeout=60) as client:
            report = pull(sessions=state.sessions, remote=remote, org_id=org_id,
                          by=Actor(org_id=org_id), clock=state.clock, client=client)  # fmt: skip
    except PullError as exc:
        raise _fail(str(exc)) from None
    if not as_json:
        console.print(f"{report.objects} objects added after {report.added_after or 'the start'}"
                      f": {len(report.drafts)} drafts, {len(report.refused)} refused")  # fmt: skip
        for refusal in report.refused:
            console.print(f"[yellow]refused:[/yellow] {refusal.object}: {refusal.reason}")
    typer.echo(json.dumps(report.as_json()))


def register(app: typer.Typer) -> None:
    """Add the exchange commands to the `tocsin` command."""
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.command("import-feed")(import_feed_command)
    app.command("taxii-pull")(taxii_pull_command)
