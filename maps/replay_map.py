"""A static replay map of one incident for its report: the assigned units' tracks and the timeline.

Input is the body of ``GET /api/v1/incidents/{id}/replay.geojson`` (point features ``kind`` =
``incident`` or ``fix`` with a ``time`` property, plus ``events`` and the graph flags), so this module
needs neither the database nor the app. Each unit's fixes become a polyline from its first to its
last fix, with its start and end marked and timed in WIB; the timeline is printed beside the map.
The HTML is self-contained (Leaflet inlined, no tiles, see :mod:`maps.offline`): it opens from a file
on a machine with no network. The interactive time slider is the console's ``/replay/{id}`` page.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import folium
from shapely.geometry import box, shape

from dispatch_geo.domain.values import to_wib
from dispatch_geo.errors import InputError
from maps.offline import make_offline

PALETTE = ("#0033cc", "#1a9850", "#984ea3", "#ff7f00", "#a65628", "#e7298a")
CONTEXT_MARGIN_DEG = 0.03
"""Village boundaries within this margin (~3 km) of the tracks are drawn as the basemap."""
MAX_ZOOM = 16


@dataclass(frozen=True)
class Track:
    """One unit's fixes in time order; ``points`` are ``(lat, lon)`` as Leaflet wants them."""

    unit_id: str
    times: tuple[datetime, ...]
    points: tuple[tuple[float, float], ...]


def wib_text(moment: datetime) -> str:
    """``29 Nov 00:37:34 WIB`` — how times are shown to dispatchers."""
    return to_wib(moment).strftime("%d %b %H:%M:%S") + " WIB"


def tracks_from_replay(replay: Mapping[str, Any]) -> list[Track]:
    """The units' tracks in a replay body, each sorted by fix time, units in id order.

    Raises
    ------
    InputError
        When the body is not a FeatureCollection or a fix has no time or no point.
    """
    if replay.get("type") != "FeatureCollection":
        raise InputError("a replay must be a GeoJSON FeatureCollection")
    fixes: dict[str, list[tuple[datetime, tuple[float, float]]]] = {}
    problems = []
    for i, feature in enumerate(replay.get("features", [])):
        props = feature.get("properties") or {}
        if props.get("kind") != "fix":
            continue
        geometry = feature.get("geometry") or {}
        try:
            lon, lat = geometry["coordinates"][:2]
            moment = datetime.fromisoformat(props["time"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"feature {i}: expected a Point and an ISO 8601 'time'")
            continue
        fixes.setdefault(str(props.get("unit_id")), []).append((moment, (float(lat), float(lon))))
    if problems:
        raise InputError("bad replay fixes: " + "; ".join(problems))
    tracks = []
    for unit_id in sorted(fixes):
        ordered = sorted(fixes[unit_id], key=lambda fix: fix[0])
        tracks.append(
            Track(unit_id, tuple(t for t, _ in ordered), tuple(p for _, p in ordered)),
        )
    return tracks


def _incident_point(replay: Mapping[str, Any]) -> tuple[float, float] | None:
    for feature in replay.get("features", []):
        if (feature.get("properties") or {}).get("kind") == "incident":
            lon, lat = feature["geometry"]["coordinates"][:2]
            return float(lat), float(lon)
    return None


def _side_panel(replay: Mapping[str, Any], tracks: Sequence[Track]) -> str:
    rows = []
    for event in replay.get("events", []):
        when = wib_text(datetime.fromisoformat(event["time"]))
        rows.append(f"<li><time>{html.escape(when)}</time> {html.escape(str(event.get('summary', '')))}</li>")
    units = "".join(
        f'<li><span style="color:{PALETTE[i % len(PALETTE)]}">&#9632;</span> {html.escape(t.unit_id)}: '
        f"{len(t.points)} posisi / fixes</li>"
        for i, t in enumerate(tracks)
    )
    banner = ""
    if replay.get("schematic"):
        banner = f'<p class="siaga-schematic-banner">{html.escape(str(replay.get("label", "")))}</p>'
    return (
        "<style>.siaga-replay{position:absolute;top:10px;right:10px;z-index:1000;width:340px;"
        "max-height:90%;overflow:auto;background:#fff;padding:8px 12px;font:12px sans-serif;"
        "box-shadow:0 0 4px #0006}.siaga-schematic-banner{background:#ffd400;font-weight:700;"
        "padding:4px}.siaga-replay time{color:#555}</style>"
        f'<div class="siaga-replay"><h3>Kejadian / Incident #{html.escape(str(replay.get("incident_id")))}'
        f" ({html.escape(str(replay.get('status', '')))})</h3>{banner}<ul>{units}</ul>"
        f"<h4>Kronologi / Timeline (WIB)</h4><ol>{''.join(rows)}</ol></div>"
    )


def nearby_features(
    boundaries: Mapping[str, Any], points: Sequence[tuple[float, float]], *, margin_deg: float
) -> list[dict[str, Any]]:
    """Features of ``boundaries`` that come within ``margin_deg`` of the ``(lat, lon)`` points."""
    if not points:
        return []
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    area = box(min(lons), min(lats), max(lons), max(lats)).buffer(margin_deg)
    return [f for f in boundaries.get("features", []) if shape(f["geometry"]).intersects(area)]


def replay_map(
    replay: Mapping[str, Any], *, vendor_dir: Path, boundaries: Mapping[str, Any] | None = None
) -> folium.Map:
    """The self-contained replay map of an incident (see the module docstring).

    Parameters
    ----------
    replay
        The replay.geojson body of one incident.
    vendor_dir
        The ``web_vendor/`` folder with the local Leaflet copy.
    boundaries
        Desa polygons (a FeatureCollection with ``nama``); those near the tracks are the basemap.
    """
    tracks = tracks_from_replay(replay)
    incident = _incident_point(replay)
    fmap = folium.Map(location=list(incident or (0.8, 102.0)), zoom_start=13, tiles=None, control_scale=True)
    make_offline(fmap, vendor_dir=vendor_dir)
    if incident is not None:
        folium.CircleMarker(
            list(incident), radius=11, color="#000", weight=2, fill=True, fill_color="#b2182b",
            fill_opacity=0.9, tooltip=f"Kejadian / Incident #{replay.get('incident_id')}",
        ).add_to(fmap)  # fmt: skip
    bounds = [list(incident)] if incident else []
    if boundaries is not None:
        points = [p for t in tracks for p in t.points] + ([incident] if incident else [])
        near = nearby_features(boundaries, points, margin_deg=CONTEXT_MARGIN_DEG)
        if near:
            folium.GeoJson(
                {"type": "FeatureCollection", "features": near},
                name="Desa",
                style_function=lambda _: {"color": "#888", "weight": 1, "fillOpacity": 0.04},
                tooltip=folium.GeoJsonTooltip(fields=["nama"], labels=False),
            ).add_to(fmap)
    for i, track in enumerate(tracks):
        colour = PALETTE[i % len(PALETTE)]
        layer = folium.FeatureGroup(name=track.unit_id).add_to(fmap)
        if len(track.points) > 1:
            folium.PolyLine(  # type: ignore[no-untyped-call]
                [list(p) for p in track.points], color=colour, weight=4, tooltip=track.unit_id
            ).add_to(layer)
        for label, index in (("mulai / start", 0), ("akhir / end", -1)):
            folium.CircleMarker(
                list(track.points[index]), radius=6, color=colour, fill=True, fill_opacity=1.0,
                tooltip=f"{track.unit_id} {label} {wib_text(track.times[index])}",
            ).add_to(layer)  # fmt: skip
        bounds.extend(list(p) for p in track.points)
    if len(bounds) > 1:
        fmap.fit_bounds(bounds, padding=(30, 30), max_zoom=MAX_ZOOM)
    folium.LayerControl(collapsed=False, position="bottomleft").add_to(fmap)
    fmap.get_root().html.add_child(folium.Element(_side_panel(replay, tracks)))  # type: ignore[attr-defined]
    return fmap
