"""Run the API with uvicorn in this process (what the CLI's serve/demo commands call)."""

from __future__ import annotations

import uvicorn

from siaga.api.app import create_app
from siaga.settings import Settings


def run_server(
    settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info"
) -> None:
    """Serve the API until interrupted (blocking)."""
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)
