"""The HTTP API (FastAPI): app factory, dependencies, one router per resource, error mapping."""

from __future__ import annotations

from siaga.api.app import app_from_env, create_app
from siaga.api.server import run_server

__all__ = ["app_from_env", "create_app", "run_server"]
