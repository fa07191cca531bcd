"""Alembic's entry point for the cases database, run by `Database.upgrade()` (no alembic.ini).

The caller hands over an open connection in ``config.attributes["connection"]``;
run from the command line instead, the URL comes from ``sqlalchemy.url``.
On PostgreSQL a transaction-scoped advisory lock makes two processes that
start at once (gunicorn workers) migrate one after the other; on SQLite the
write lock taken by ``BEGIN IMMEDIATE`` does the same.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text

from townhall.cases.models import Base

MIGRATION_LOCK = 7_301_184_101  # any constant, shared by every process migrating this database

config = context.config
target_metadata = Base.metadata


def run_offline() -> None:
    """`alembic upgrade --sql`: write the SQL for a database administrator to read or run."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        run_on(connection)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
