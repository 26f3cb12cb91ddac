"""Folium maps that need no internet: Leaflet inlined from the local ``web_vendor/`` copy, no CDN.

Folium's templates load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. A map built only from
vector layers (polygons, polylines, circle markers, popups, tooltips) needs Leaflet alone, so
:func:`make_offline` drops the CDN links and inlines ``leaflet.js``/``leaflet.css`` (fetched from the
npm registry by ``scripts/fetch-web-assets.sh``). The resulting HTML file opens from disk, on a
machine with no network, and can be attached to a report. Icon markers (``folium.Marker``) and
plugins are not supported: they need the assets that were dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

import folium

LEAFLET_VERSION = "1.9.4"
_REMOTE_ASSET = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


class MissingWebAssetsError(FileNotFoundError):
    """The local Leaflet copy is missing; run ``scripts/fetch-web-assets.sh`` (``make web-assets``)."""


def leaflet_files(vendor_dir: Path) -> tuple[Path, Path]:
    """Paths of ``leaflet.js`` and ``leaflet.css`` under ``vendor_dir``.

    Raises
    ------
    MissingWebAssetsError
        When either file is absent.
    """
    folder = vendor_dir / f"leaflet-{LEAFLET_VERSION}"
    js, css = folder / "leaflet.js", folder / "leaflet.css"
    missing = [str(p) for p in (js, css) if not p.is_file()]
    if missing:
        raise MissingWebAssetsError(
            f"local Leaflet assets not found ({', '.join(missing)}); run scripts/fetch-web-assets.sh"
        )
    return js, css


def make_offline(fmap: folium.Map, *, vendor_dir: Path) -> folium.Map:
    """Drop folium's CDN links from ``fmap`` and inline the local Leaflet instead (in place).

    Parameters
    ----------
    fmap
        A map built with ``tiles=None`` (tiles need the internet) and vector layers only.
    vendor_dir
        The ``web_vendor/`` folder holding ``leaflet-<version>/leaflet.{js,css}``.

    Returns
    -------
    folium.Map
        The same map, for chaining.
    """
    js, css = leaflet_files(vendor_dir)
    fmap.default_js = []
    fmap.default_css = []
    header = fmap.get_root().header  # type: ignore[attr-defined]
    # "</script" inside the inlined code would end the element early; Leaflet has none, but be safe
    code = js.read_text(encoding="utf-8").replace("</script", "<\\/script")
    header.add_child(folium.Element(f"<style>{css.read_text(encoding='utf-8')}</style>"), name="leaflet_css")
    header.add_child(folium.Element(f"<script>{code}</script>"), name="leaflet_js")
    return fmap


def remote_assets(html: str) -> list[str]:
    """The ``<script src>``/``<link href>`` tags of ``html`` that load something from another host."""
    return [m.group(0) for m in _REMOTE_ASSET.finditer(html)]
