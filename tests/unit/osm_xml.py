"""Write tiny hand-made OSM XML files whose answers can be checked by hand."""

from __future__ import annotations

import bz2
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

Node = tuple[int, float, float]  # id, lon, lat
Way = tuple[int, Sequence[int], Mapping[str, str]]  # id, node refs, tags


def osm_xml(nodes: Sequence[Node], ways: Sequence[Way], *, timestamp: str = "2025-06-01T00:00:00Z") -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="siaga tests">']
    lines += [
        f'  <node id="{i}" lat="{lat:.7f}" lon="{lon:.7f}" version="1" timestamp="{timestamp}"/>'
        for i, lon, lat in nodes
    ]
    for way_id, refs, tags in ways:
        lines.append(f'  <way id="{way_id}" version="1" timestamp="{timestamp}">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def write_osm(path: Path, nodes: Sequence[Node], ways: Sequence[Way], **kwargs: str) -> Path:
    text = osm_xml(nodes, ways, **kwargs)
    if path.suffix == ".bz2":
        path.write_bytes(bz2.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path
