"""Alembic's entry point: runs the migrations on the connection storyline hands it (see store.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storyline.store.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` run by hand: the URL comes from its -x db=... argument
    url = context.get_x_argument(as_dictionary=True).get("db", "sqlite:///storyline.sqlite3")
    with create_engine(url).begin() as own:
        context.configure(connection=own, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
