"""`tocsin audit verify` catches what an outside audit slipped past it: deleted last records,
a deleted trail, deleted concerns rows, and a record edited with every later digest
recomputed without the key. The chain is keyed; checkpoints live outside the database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from tests.alerts.factory import publish
from tocsin.audit import anchor
from tocsin.audit.chain import GENESIS, LEGACY, Keyring, record_digest
from tocsin.audit.models import AuditRecord
from tocsin.audit.service import _fields, keyring_of, verify
from tocsin.cli import app
from tocsin.db import transaction
from tocsin.state import AppState
from tocsin.trail.anchoring import checkpoint

ATTACKER_KEY = b"a key the attacker made up, not the hub's"


@pytest.fixture
def anchored(client, world, state: AppState, monkeypatch: pytest.MonkeyPatch) -> int:
    """Two published alerts, a checkpoint written, the CLI pointed at this node; the last
    record's sequence number."""
    publish(client, world, "E1")
    publish(client, world, "E2")
    assert checkpoint(state) is not None
    monkeypatch.setenv("TOCSIN_DATABASE_URL", state.settings.effective_database_url)
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(state.settings.data_dir))
    with state.sessions() as session:
        return int(session.scalar(select(func.max(AuditRecord.seq))) or 0)


def _sql(state: AppState, *statements: str, **params: int) -> None:
    with state.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), params)


def _delete_from(state: AppState, seq: int) -> None:
    _sql(state, "DELETE FROM audit_concerns WHERE seq >= :seq",
         "DELETE FROM audit_records WHERE seq >= :seq", seq=seq)  # fmt: skip


def _verify_cli() -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", "verify"], terminal_width=400)
    return result.exit_code, " ".join(result.output.split())


def test_an_untouched_anchored_trail_is_intact(anchored: int) -> None:
    code, output = _verify_cli()
    assert code == 0, output
    assert "intact (1 checkpoint(s) checked)" in output


def test_deleting_the_last_record_is_named(state: AppState, anchored: int) -> None:
    _delete_from(state, anchored)
    code, output = _verify_cli()
    assert code == 1
    assert f"record {anchored}: missing: record {anchored} deleted" in output


def test_deleting_the_last_five_records_is_named(state: AppState, anchored: int) -> None:
    _delete_from(state, anchored - 4)
    code, output = _verify_cli()
    assert code == 1
    assert f"records {anchored - 4} to {anchored} (the last 5) deleted" in output


def test_deleting_the_whole_trail_is_named(state: AppState, anchored: int) -> None:
    _delete_from(state, 0)
    code, output = _verify_cli()
    assert code == 1
    assert f"records 1 to {anchored} (the whole trail) deleted" in output


def test_deleting_the_concerns_rows_is_named(state: AppState, world, anchored: int) -> None:
    _sql(state, "DELETE FROM audit_concerns")
    code, output = _verify_cli()
    assert code == 1
    assert "audit_concerns index rows differ (missing:" in output
    assert str(world.ids["E1"]) in output


def _rewrite(state: AppState, edit_seq: int, key: bytes | None, until: int = 10**9) -> None:
    """Edit one record, then recompute every later digest (up to `until`) as someone without
    the hub's key would: with a key of their own, or as unkeyed (legacy) records."""
    with transaction(state.sessions) as session:
        query = select(AuditRecord).where(AuditRecord.seq <= until).order_by(AuditRecord.seq)
        prev = GENESIS
        for record in session.scalars(query).all():
            if record.seq == edit_seq:
                record.source_ip = "10.6.6.6"
            if record.seq >= edit_seq or key is None:
                if key is None:
                    record.key_id = LEGACY
                record.prev_digest = prev
                record.digest = record_digest(prev, _fields(record), key)
            prev = record.digest


def test_an_edit_with_later_digests_recomputed_without_the_key_is_named(
    state: AppState, anchored: int
) -> None:
    _rewrite(state, 3, ATTACKER_KEY)
    code, output = _verify_cli()
    assert code == 1
    assert "record 3: digest does not match the content: record edited" in output
    assert f"record {anchored}: differs from the checkpoint" in output


def test_a_trail_rewritten_as_unkeyed_records_is_caught_by_the_checkpoint(
    state: AppState, anchored: int
) -> None:
    _rewrite(state, 3, None)  # every record "legacy", plain SHA-256, a chain that links
    code, output = _verify_cli()
    assert code == 1
    assert f"record {anchored}: differs from the checkpoint" in output


def test_a_forged_checkpoint_line_is_named(state: AppState, anchored: int) -> None:
    path = state.settings.effective_audit_checkpoint_file
    forged = anchor.seal(seq=1, digest=GENESIS, at=state.clock.now(),
                         keyring=Keyring(current=ATTACKER_KEY))  # fmt: skip
    anchor.append_to_file(path, forged)
    code, output = _verify_cli()
    assert code == 1
    assert "checkpoint line 2 does not verify" in output


def test_records_from_before_keys_open_the_chain_and_the_first_keyed_one_seals_them(
    client, world, state: AppState
) -> None:
    publish(client, world, "E1")
    _rewrite(state, 10**9, None)  # as a database from before the upgrade: all unkeyed
    with state.sessions() as session:
        last_legacy = int(session.scalar(select(func.max(AuditRecord.seq))) or 0)
    publish(client, world, "E2")  # keyed records follow
    keyring = keyring_of(state.settings)
    with state.sessions() as session:
        assert verify(session=session, keyring=keyring) == []
    _rewrite(state, 2, None, until=last_legacy)  # the old records alone can be recomputed
    with state.sessions() as session:
        breaks = verify(session=session, keyring=keyring)
    assert [(b.seq, b.reason) for b in breaks] == [
        (last_legacy + 1, "previous digest does not match: a record was removed")
    ]


def test_a_rotated_key_verifies_old_records_only_while_it_is_in_the_keyring(
    client, world, state: AppState
) -> None:
    publish(client, world, "E1")
    old = keyring_of(state.settings).current
    new = b"the new audit key of the hub, 32+ characters"
    with state.sessions() as session:
        assert verify(session=session, keyring=Keyring(current=new, previous=(old,))) == []
        breaks = verify(session=session, keyring=Keyring(current=new))
    assert breaks and "which is not in the keyring" in breaks[0].reason


def test_the_job_checkpoints_once_per_period_when_the_chain_moved(
    client, world, state: AppState
) -> None:
    from tocsin.trail.anchoring import tick

    publish(client, world, "E1")
    path: Path = state.settings.effective_audit_checkpoint_file
    assert tick(state) is not None
    assert tick(state) is None  # within the period
    publish(client, world, "E2")
    state.clock.advance(timedelta(minutes=state.settings.audit_checkpoint_minutes))  # type: ignore[attr-defined]
    point = tick(state)
    assert point is not None
    state.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    assert tick(state) is None  # the chain did not move: nothing new to anchor
    written, bad = anchor.read_file(path, keyring_of(state.settings))
    assert bad == [] and [p.seq for p in written][-1] == point.seq and len(written) == 2


def test_the_checkpoint_command_anchors_the_head_now(
    client, world, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(client, world, "E1")
    monkeypatch.setenv("TOCSIN_DATABASE_URL", state.settings.effective_database_url)
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(state.settings.data_dir))
    runner = CliRunner()
    first = runner.invoke(app, ["audit", "checkpoint"], terminal_width=400)
    assert first.exit_code == 0 and "written to" in first.output, first.output
    again = runner.invoke(app, ["audit", "checkpoint"], terminal_width=400)
    assert "already names the chain's head" in again.output
    with state.sessions() as session:
        last = int(session.scalar(select(func.max(AuditRecord.seq))) or 0)
    _delete_from(state, last)
    code, output = _verify_cli()
    assert code == 1 and f"record {last}: missing" in output
