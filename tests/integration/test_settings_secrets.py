"""Secrets refused in production: an empty or short ``SIAGA_SECRET_KEY`` or ``SIAGA_METRICS_TOKEN``."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from siaga.settings import Settings


@pytest.mark.parametrize("secret", ["", "   ", "short-secret", "x" * 31])
def test_an_empty_or_short_secret_key_is_refused_in_production(secret: str) -> None:
    with pytest.raises(ValidationError, match=r"SIAGA_SECRET_KEY is (empty|too short).*at least 32"):
        Settings(environment="production", secret_key=secret)  # type: ignore[arg-type]


def test_a_long_secret_key_is_accepted_in_production_and_anything_in_development() -> None:
    assert Settings(environment="production", secret_key="x" * 32)  # type: ignore[arg-type]
    assert Settings(environment="development", secret_key="")  # type: ignore[arg-type]


def test_a_short_metrics_token_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="SIAGA_METRICS_TOKEN"):
        Settings(environment="production", secret_key="x" * 40, metrics_token="short")  # type: ignore[arg-type]


def test_ingest_metrics_listen_on_localhost_by_default() -> None:
    assert Settings(http_host="0.0.0.0").metrics_host == "127.0.0.1"
