"""Fixtures for the HTTP hardening tests (imported by tests/integration/test_api_*.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from dispatch_geo.storage.models import IncidentRow

METRICS_TOKEN = "m" * 40


@pytest.fixture
def new_client(tmp_path: Path, make_client: Callable[..., TestClient]) -> Callable[..., TestClient]:
    """``new_client(**settings)`` → a started client on a fresh SQLite database."""
    count = 0

    def make(**overrides: object) -> TestClient:
        nonlocal count
        count += 1
        return make_client(f"sqlite:///{tmp_path / f'siaga{count}.db'}", **overrides)

    return make


@pytest.fixture
def client(new_client: Callable[..., TestClient]) -> TestClient:
    """A client whose app accepts ``METRICS_TOKEN`` at /metrics."""
    return new_client(metrics_token=METRICS_TOKEN)


def incident_count(client: TestClient) -> int:
    """Incidents stored in the client's database."""
    engine = create_engine(client.app.state.siaga.settings.database_url)  # type: ignore[attr-defined]
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(IncidentRow)) or 0
    engine.dispose()
    return count
