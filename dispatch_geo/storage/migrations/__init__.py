"""Alembic migrations: the only source of the database schema (run them with ``upgrade_to_head``)."""
