"""Persistence: SQLAlchemy 2 tables (PostGIS or SQLite), repositories and Alembic migrations.

Repositories take a :class:`~sqlalchemy.orm.Session` as a keyword argument and never commit: the
caller (a service or a request) owns the transaction. Spatial SQL lives only in the repositories.
"""
