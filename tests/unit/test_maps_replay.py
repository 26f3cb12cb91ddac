"""The self-contained replay map of an incident (folium, Leaflet inlined, no CDN) and the offline helper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import pytest

from dispatch_geo.errors import InputError
from maps.offline import MissingWebAssetsError, make_offline, remote_assets
from maps.replay_map import replay_map, tracks_from_replay

VENDOR = Path(__file__).resolve().parents[2] / "web_vendor"


def fix(unit_id: str, lon: float, lat: float, time: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"kind": "fix", "unit_id": unit_id, "time": time},
    }


def replay_body() -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "incident_id": 7,
        "status": "closed",
        "schematic": True,
        "label": "SKEMATIK / SCHEMATIC: not real roads",
        "events": [
            {"time": "2026-11-28T17:00:00+00:00", "summary": "kejadian dibuat <script>", "by": "d"},
            {"time": "2026-11-28T17:20:00+00:00", "summary": "ditutup", "by": "d"},
        ],
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [102.06, 0.79]},
                "properties": {"kind": "incident", "time": "2026-11-28T17:00:00+00:00", "id": 7},
            },
            # the phone flushed its queue late: fixes arrive out of order
            fix("AMB-SIAK-01", 102.055, 0.793, "2026-11-28T17:06:00+00:00"),
            fix("AMB-SIAK-01", 102.040, 0.800, "2026-11-28T17:01:00+00:00"),
            fix("AMB-SIAK-01", 102.048, 0.797, "2026-11-28T17:03:00+00:00"),
            fix("POL-SIAK-01", 102.070, 0.780, "2026-11-28T17:02:00+00:00"),
        ],
    }


def test_tracks_follow_fix_time_not_arrival_order() -> None:
    tracks = tracks_from_replay(replay_body())
    assert [t.unit_id for t in tracks] == ["AMB-SIAK-01", "POL-SIAK-01"]
    amb = tracks[0]
    assert [p[1] for p in amb.points] == [102.040, 102.048, 102.055]  # west to east, as driven
    assert amb.points[0] == (0.800, 102.040)  # (lat, lon) for Leaflet
    assert list(amb.times) == sorted(amb.times)


def test_a_fix_without_time_is_refused_with_its_position() -> None:
    body = replay_body()
    del body["features"][2]["properties"]["time"]
    with pytest.raises(InputError, match="feature 2"):
        tracks_from_replay(body)
    with pytest.raises(InputError, match="FeatureCollection"):
        tracks_from_replay({"type": "Feature"})


def test_replay_map_is_self_contained_and_shows_units_times_and_banner() -> None:
    page = replay_map(replay_body(), vendor_dir=VENDOR).get_root().render()
    assert remote_assets(page) == []
    assert "L.map(" in page
    assert "Leaflet" in page  # Leaflet itself is inside the file
    assert "AMB-SIAK-01" in page
    assert "POL-SIAK-01" in page
    assert "29 Nov 00:01:00 WIB" in page, "17:01 UTC is 00:01 the next day in Siak"
    assert "SKEMATIK / SCHEMATIC" in page
    assert "&lt;script&gt;" in page
    assert "dibuat <script>" not in page
    assert "tile.openstreetmap.org" not in page


def test_a_unit_with_one_fix_still_shows_where_it_was() -> None:
    body = replay_body()
    body["features"] = [*body["features"][:1], fix("AMB-SIAK-01", 102.04, 0.80, "2026-11-28T17:01:00+00:00")]
    page = replay_map(body, vendor_dir=VENDOR).get_root().render()
    assert "AMB-SIAK-01 mulai / start 29 Nov 00:01:00 WIB" in page


def test_make_offline_removes_every_cdn_of_a_default_folium_map() -> None:
    plain = folium.Map(location=[0.8, 102.0], tiles=None)
    folium.CircleMarker([0.8, 102.0], radius=4).add_to(plain)
    assert remote_assets(plain.get_root().render()), "folium loads from CDNs by default"
    offline = folium.Map(location=[0.8, 102.0], tiles=None)
    folium.CircleMarker([0.8, 102.0], radius=4).add_to(offline)
    assert remote_assets(make_offline(offline, vendor_dir=VENDOR).get_root().render()) == []


def test_missing_local_leaflet_says_how_to_fetch_it(tmp_path: Path) -> None:
    with pytest.raises(MissingWebAssetsError, match="fetch-web-assets"):
        make_offline(folium.Map(tiles=None), vendor_dir=tmp_path)


def square(nama: str, lon: float, lat: float, half_deg: float = 0.01) -> dict[str, Any]:
    ring = [
        [lon - half_deg, lat - half_deg],
        [lon + half_deg, lat - half_deg],
        [lon + half_deg, lat + half_deg],
        [lon - half_deg, lat + half_deg],
        [lon - half_deg, lat - half_deg],
    ]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"nama": nama},
    }


def test_villages_around_the_tracks_are_the_basemap_far_ones_are_left_out() -> None:
    desa = {
        "type": "FeatureCollection",
        "features": [square("Kampung Dalam", 102.05, 0.80), square("Jauh Sekali", 101.2, 1.1)],
    }
    page = replay_map(replay_body(), vendor_dir=VENDOR, boundaries=desa).get_root().render()
    assert "Kampung Dalam" in page
    assert "Jauh Sekali" not in page
