"""Serve the whole app with uvicorn in a process of its own, on the Siak test grid (for tests that
need a real server process, e.g. to watch its memory): ``python -m tests.integration.api_process PORT``.

Settings come from ``SIAGA_*`` variables (``SIAGA_DATABASE_URL``, ``SIAGA_VAR_DIR``...).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import uvicorn

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.gazetteer import Gazetteer
from siaga.api import create_app
from siaga.settings import Settings
from tests.support.siak_grid import siak_grid_road


def main(port: int) -> None:
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        road = siak_grid_road(Path(tmp))
    gazetteer = Gazetteer.from_boundaries(load_boundaries(settings.boundaries_path), outside_buffer_m=2000.0)
    app = create_app(settings, road=road, gazetteer=gazetteer)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(int(sys.argv[1]))
