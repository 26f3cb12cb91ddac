"""`dispatch-geo users`: an admin creates an account on the command line, the person logs in with the
printed password; disabled, the account cannot log in; demo accounts keep production from starting."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dispatch_geo.storage.demo_operators import seed_demo_operators
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from siaga.api.app import UnsafeConfigurationError, build_state
from siaga.settings import Settings
from tests.integration.test_devices_cli import cli

SECRET = "x" * 40


def login(client: TestClient, username: str, password: str) -> int:
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/login", json=body).status_code


def test_create_log_in_disable_reset(tmp_path: Path, make_client: Callable[..., TestClient]) -> None:
    url = f"sqlite:///{tmp_path / 'siaga.db'}"
    env = {**os.environ, "SIAGA_DATABASE_URL": url, "COLUMNS": "200"}
    created = cli(env, "users", "create", "lina", "--role", "dispatcher", "--role", "supervisor")
    assert created.returncode == 0, created.stderr
    password = created.stdout.strip().splitlines()[-1]
    again = cli(env, "users", "create", "lina", "--role", "dispatcher")
    assert again.returncode == 2
    assert "already exists" in again.stderr
    bad = cli(env, "users", "create", "lina2", "--role", "device")
    assert bad.returncode == 2
    assert "not a person's role" in bad.stderr

    client = make_client(url)
    assert login(client, "lina", password) == 200
    listed = cli(env, "users", "list")
    assert "dispatcher, supervisor" in listed.stdout

    assert cli(env, "users", "disable", "lina").returncode == 0
    assert login(client, "lina", password) == 403
    assert cli(env, "users", "enable", "lina").returncode == 0
    reset = cli(env, "users", "reset-password", "lina")
    new_password = reset.stdout.strip().splitlines()[-1]
    assert login(client, "lina", password) == 401
    assert login(client, "lina", new_password) == 200
    assert cli(env, "users", "disable", "nobody").returncode == 2


def test_production_refuses_enabled_demo_operators(tmp_path: Path, siak_grid, gazetteer) -> None:
    url = f"sqlite:///{tmp_path / 'siaga.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with make_session_factory(engine).begin() as session:
        seed_demo_operators(session, at=datetime.now(UTC))
    engine.dispose()
    production = Settings(database_url=url, environment="production", secret_key=SECRET)
    with pytest.raises(UnsafeConfigurationError, match="demo operator accounts"):
        build_state(production, road=siak_grid, gazetteer=gazetteer)
    env = {**os.environ, "SIAGA_DATABASE_URL": url, "COLUMNS": "200"}
    for username in ("sari", "rudi", "siti", "budi", "andi", "admin"):
        assert cli(env, "users", "disable", username).returncode == 0
    state = build_state(production, road=siak_grid, gazetteer=gazetteer)
    state.engine.dispose()
