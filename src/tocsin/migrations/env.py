"""Alembic environment: the connection is handed in by `tocsin.db.migrate`."""

from __future__ import annotations

from alembic import context

from tocsin.db import Base, load_all_models

load_all_models()
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
