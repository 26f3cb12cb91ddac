"""The production download path (Overpass via osmnx) against a recorded response served on loopback.

No test reaches the internet: a local HTTP server answers osmnx's POST to ``/interpreter`` with a
response in the Overpass JSON format (its elements are the real West Oakland extract shipped in
tests/data), so the request, the parsing and our pipeline all run for real.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import networkx as nx
import osmnx as ox
import pytest
from shapely.geometry import box

from dispatch_geo.graph.build import build_from_overpass
from dispatch_geo.graph.profile import load_profile

RECORDED = Path(__file__).resolve().parent.parent / "data" / "overpass_west_oakland.json"
WEST_OAKLAND = box(-122.3143, 37.8040, -122.2908, 37.8176)


@pytest.fixture
def overpass(monkeypatch) -> Iterator[list[str]]:
    queries: list[str] = []
    body = RECORDED.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            queries.append(form["data"][0])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(ox.settings, "overpass_url", f"http://127.0.0.1:{server.server_port}/api")
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    monkeypatch.setattr(ox.settings, "use_cache", False)
    monkeypatch.setattr(ox.settings, "log_console", False)
    try:
        yield queries
    finally:
        server.shutdown()
        server.server_close()


def test_overpass_path_builds_a_routable_graph_with_our_filter(overpass):
    result = build_from_overpass(WEST_OAKLAND, load_profile())
    # osmnx sent our emergency-network filters (two unioned queries), not its "drive" preset
    assert len(overpass) == 2
    assert any('"emergency"~' in q for q in overpass)
    assert all("poly:" in q for q in overpass)
    road = result.road
    assert road.meta.source_kind == "overpass"
    assert road.meta.source.startswith("http://127.0.0.1:")
    assert road.meta.osm_timestamp is not None
    assert road.meta.schematic is False
    assert road.n_nodes > 10
    assert nx.is_strongly_connected(result.graph)
    # the recorded response holds footways and a cycleway; they never reach the graph
    assert not {"footway", "cycleway"} & set(road.highway_names)
    assert (road.travel_time_s > 0).all()
    raw = json.loads(RECORDED.read_text())
    assert any(e.get("tags", {}).get("highway") == "footway" for e in raw["elements"])
