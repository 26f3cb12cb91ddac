"""Run the API with uvicorn (what the CLI's serve/demo commands call): one process, or several workers.

With ``workers`` > 1 uvicorn starts that many worker processes behind one listening port (the kernel
hands each new connection to one of them). They share nothing but the database: the live picture,
the token cache and the connection pool are per process, and every worker sees every change on its
next request (:mod:`siaga.api.live`). The parent prepares the database once (migrations, the fleet
import, the demo tokens) before the workers start, so they never race to do it, and divides the
connection budget between them: each worker gets ``ceil(pool_size / workers)`` connections plus
``ceil(max_overflow / workers)`` extra under load, so ``serve --workers N`` opens no more connections
to PostgreSQL than one process would.
"""

from __future__ import annotations

import math
import os

import uvicorn

from siaga.api.app import build_state, create_app
from siaga.settings import Settings


def worker_pool(settings: Settings, workers: int) -> tuple[int, int]:
    """Each worker's ``(pool_size, max_overflow)``: the process budget divided between ``workers``."""
    return (
        max(1, math.ceil(settings.database_pool_size / workers)),
        math.ceil(settings.database_max_overflow / workers),
    )


def run_server(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    log_level: str = "info",
    workers: int = 1,
) -> None:
    """Serve the API until interrupted (blocking); ``workers`` > 1: that many processes, one port.

    The workers read their settings from the environment (``SIAGA_*``, as the parent did).
    """
    if workers <= 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)
        return
    build_state(settings).engine.dispose()  # migrations, fleet import, demo tokens: once, here
    pool_size, max_overflow = worker_pool(settings, workers)
    os.environ["SIAGA_MIGRATE_ON_STARTUP"] = "false"
    os.environ["SIAGA_DATABASE_POOL_SIZE"] = str(pool_size)
    os.environ["SIAGA_DATABASE_MAX_OVERFLOW"] = str(max_overflow)
    uvicorn.run(
        "siaga.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        workers=workers,
    )
