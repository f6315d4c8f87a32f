"""The `tocsin` command: serve, demo, migrate, admin. Each command owns its transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from tocsin.clock import SystemClock
from tocsin.db import migrate, transaction
from tocsin.errors import TocsinError
from tocsin.exchange.cli import register as register_exchange
from tocsin.exercises.howto import exercise_howto
from tocsin.settings import Settings
from tocsin.sweep.cli import sweep as sweep_command

if TYPE_CHECKING:  # the bus and mailer modules load with the state: only commands need them
    from tocsin.state import AppState

app = typer.Typer(help="tocsin: cyber-alert and incident-sharing hub.", no_args_is_help=True)
admin = typer.Typer(help="Manage organisations, users and tokens.", no_args_is_help=True)
app.add_typer(admin, name="admin")
audit_app = typer.Typer(help="Check and export the audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

register_exchange(app)
app.command("sweep")(sweep_command)
console = Console()


def build_state(settings: Settings) -> AppState:
    """The node's state, imported late: the bus and database modules cost time to import,
    which `tocsin sweep` (run on log servers, often in loops) must not pay."""
    from tocsin.state import build_state as build

    return build(settings)


HostOpt = Annotated[str, typer.Option(help="address to listen on")]
PortOpt = Annotated[int, typer.Option(help="port to listen on")]


def _run_server(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from tocsin.app import create_app
    from tocsin.observability import configure_logging

    configure_logging(json_lines=settings.log_json)
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None)


def node_settings(host: str, port: int) -> Settings:
    """The settings from the environment; unless `TOCSIN_PUBLIC_URL` is set, links in
    e-mails and SMS point at the address and port this node listens on."""
    settings = Settings()
    if "public_url" in settings.model_fields_set:
        return settings
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - a name
    shown = f"[{shown}]" if ":" in shown else shown
    return settings.model_copy(update={"public_url": f"http://{shown}:{port}"})


@app.command()
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Serve the API (the schema must be migrated: `tocsin migrate`)."""
    _run_server(node_settings(host, port), host, port)


@app.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema."""
    state = build_state(Settings())
    migrate(state.engine)
    console.print(f"schema up to date on {state.engine.url.render_as_string(hide_password=True)}")


@app.command()
def demo(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Migrate, seed the demo network (once), print its users and tokens, and serve."""
    from tocsin.demo import seed

    settings = node_settings(host, port)
    state = build_state(settings)
    migrate(state.engine)
    with transaction(state.sessions) as session:
        fresh = not seed.already_seeded(session)
        credentials = seed.seed(session, SystemClock().now()) if fresh else []
    if fresh:
        seed.write_credentials(settings.data_dir, credentials)
    else:
        credentials = seed.read_credentials(settings.data_dir)
    state.engine.dispose()
    print_credentials(credentials, console)
    console.print(
        f"[bold]Demo credentials:[/bold] {settings.data_dir.resolve() / seed.CREDENTIALS_FILE}\n"
        f"[bold]tocsin is serving on http://{host}:{port}[/bold]  (API docs: /api/v1/docs)"
    )
    console.print(exercise_howto(credentials, f"http://{host}:{port}"), markup=False)
    _run_server(settings, host, port)


def print_credentials(credentials: Sequence[object], out: Console) -> None:
    """The demo users as a table; in a file or a pipe wide enough that no token is cut."""
    if not out.is_terminal:
        out = Console(file=out.file, width=400)
    table = Table(title="Demo users (password, API token)")
    for column in ("organisation", "kind", "region", "user", "role", "password", "token"):
        table.add_column(column, overflow="fold")
    for c in credentials:
        table.add_row(*(str(getattr(c, col) or "") for col in (
            "organisation", "kind", "region", "user", "role", "password", "token")))  # fmt: skip
    out.print(table)


@admin.command("create-org")
def create_org(
    name: str,
    kind: Annotated[str, typer.Option(help="establishment, group, region, national, partner")],
    finess: Annotated[str | None, typer.Option()] = None,
    group: Annotated[str | None, typer.Option(help="group organisation id")] = None,
    region: Annotated[str | None, typer.Option(help="region organisation id")] = None,
) -> None:
    """Add an organisation."""
    from tocsin.audit.service import SYSTEM
    from tocsin.network import service
    from tocsin.network.finess import validate_finess
    from tocsin.network.models import OrgKind

    state = build_state(Settings())
    with _reporting_errors(), transaction(state.sessions) as session:
        org = service.create_organisation(
            session=session,
            name=name,
            kind=OrgKind(kind),
            now=state.clock.now(),
            actor=SYSTEM,
            finess=validate_finess(finess) if finess else None,
            group_id=uuid.UUID(group) if group else None,
            region_id=uuid.UUID(region) if region else None,
        )
        console.print(f"organisation {org.id} created")


@admin.command("create-user")
def create_user(
    email: str,
    organisation: Annotated[str, typer.Option(help="organisation id")],
    role: Annotated[list[str], typer.Option(help="director, security_officer, ...")],
    name: Annotated[str | None, typer.Option(help="display name")] = None,
    password: Annotated[str | None, typer.Option(help="omit to generate one")] = None,
) -> None:
    """Add a user with roles in one organisation; prints the password once."""
    from tocsin.audit.service import SYSTEM
    from tocsin.network import service
    from tocsin.network.models import Role
    from tocsin.network.secrets import new_password

    state = build_state(Settings())
    secret = password or new_password()
    with _reporting_errors(), transaction(state.sessions) as session:
        user = service.create_user(
            session=session,
            email=email,
            display_name=name or email,
            organisation_id=uuid.UUID(organisation),
            roles=[Role(r) for r in role],
            now=state.clock.now(),
            actor=SYSTEM,
            password=secret,
        )
        console.print(f"user {user.id} created; password: {secret}")


@admin.command("create-token")
def create_token(
    organisation: Annotated[str, typer.Option(help="organisation id")],
    scope: Annotated[list[str], typer.Option(help="read, write, admin")],
    name: Annotated[str, typer.Option()] = "cli",
    user: Annotated[str | None, typer.Option(help="user id; omit for an integration")] = None,
) -> None:
    """Issue an API token; the secret is printed once and never stored."""
    from tocsin.audit.service import SYSTEM
    from tocsin.network import service
    from tocsin.network.models import Scope

    state = build_state(Settings())
    with _reporting_errors(), transaction(state.sessions) as session:
        token, secret = service.issue_token(
            session=session,
            organisation_id=uuid.UUID(organisation),
            user_id=uuid.UUID(user) if user else None,
            name=name,
            scopes=[Scope(s) for s in scope],
            now=state.clock.now(),
            actor=SYSTEM,
        )
        console.print(f"token {token.id}: {secret}")


@admin.command("list-orgs")
def list_orgs() -> None:
    """List organisations."""
    from tocsin.network import service

    state = build_state(Settings())
    with transaction(state.sessions) as session:
        table = Table("id", "name", "kind", "finess")
        for org in service.list_organisations(session=session, after=None, limit=100_000):
            table.add_row(str(org.id), org.name, org.kind.value, org.finess or "")
        console.print(table)


class _reporting_errors:
    """Turn domain errors into a message and exit code 2 instead of a traceback."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> Literal[False]:
        if isinstance(exc, TocsinError | ValueError):
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2)
        return False


@app.command("backup")
def backup_command(path: Path) -> None:
    """Write a consistent copy of the database to PATH (SQLite online backup or pg_dump)."""
    from tocsin.backup import BackupError, backup

    try:
        backup(Settings().effective_database_url, path)
    except BackupError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"backup written to {path}")


@app.command("restore")
def restore_command(
    path: Path, yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False
) -> None:
    """Replace the database's content with the backup at PATH (stop the nodes first)."""
    from tocsin.backup import BackupError, restore

    if not yes:
        typer.confirm("This replaces every record of the hub. Continue?", abort=True)
    try:
        restore(Settings().effective_database_url, path)
    except BackupError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"restored from {path}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the keyed chain and the checkpoints kept outside the database; exit 1 and name
    every edited, removed or missing record."""
    from tocsin.audit import anchor
    from tocsin.audit.service import keyring_of, verify

    settings = Settings()
    keyring = keyring_of(settings)
    path = settings.effective_audit_checkpoint_file
    checkpoints, unreadable = anchor.read_file(path, keyring)
    state = build_state(settings)
    with state.sessions() as session:
        breaks = verify(session=session, keyring=keyring, checkpoints=checkpoints)
    for problem in breaks:
        console.print(f"[red]record {problem.seq}:[/red] {problem.reason}")
    for line in unreadable:
        console.print(f"[red]{path}:[/red] {line}")
    if not checkpoints:
        console.print(f"[yellow]no checkpoint in {path}:[/yellow] deleted last records "
                      "would go unseen")  # fmt: skip
    if breaks or unreadable:
        raise typer.Exit(1)
    console.print(f"audit trail intact ({len(checkpoints)} checkpoint(s) checked)")


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Write a checkpoint of the audit chain now (before a backup or a key rotation)."""
    from tocsin.trail.anchoring import checkpoint

    settings = Settings()
    point = checkpoint(build_state(settings))
    if point is None:
        console.print("the latest checkpoint already names the chain's head")
    else:
        console.print(f"checkpoint at record {point.seq} written to "
                      f"{settings.effective_audit_checkpoint_file}")  # fmt: skip


def main() -> None:
    app()
