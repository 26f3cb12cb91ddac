"""The printable one-page set-up sheet of a device: the app settings and a QR code that configures them.

OwnTracks (Android and iOS) imports a configuration from an ``owntracks:///config?inline=<base64>`` link
whose payload is the JSON of an ``.otrc`` file (owntracks.org booklet, "Remote configuration"): the
sheet's QR code is that link for HTTP mode (server URL, user = device login, password = the secret,
device ID, tracker ID, remote commands on). Traccar Client has no such import; the sheet lists its two
fields. The page is plain HTML with the QR code as inline SVG (segno): it prints and opens from
``file://`` with the network off; it carries the secret, so it is issued together with a new one.
"""

from __future__ import annotations

import base64
import html
import json
from datetime import datetime
from typing import Any

import segno

from dispatch_geo.domain.values import to_wib
from dispatch_geo.storage.device_repo import DeviceInfo


def device_part(info: DeviceInfo) -> str:
    """The OwnTracks device ID: the part after ``login/``, else ``phone``."""
    return info.device_id.split("/", 1)[1] if "/" in info.device_id else "phone"


def owntracks_http_config(info: DeviceInfo, secret: str, *, server: str) -> dict[str, Any]:
    """The ``.otrc`` configuration of OwnTracks in HTTP mode for this device."""
    return {
        "_type": "configuration",
        "mode": 3,  # HTTP
        "url": f"{server}/api/v1/devices/owntracks",
        "auth": True,
        "username": info.login,
        "password": secret,
        "deviceId": device_part(info),
        "tid": info.unit_id.replace("-", "")[-2:].upper(),
        "cmd": True,
    }


def owntracks_config_link(config: dict[str, Any]) -> str:
    """The link OwnTracks opens to import ``config``."""
    payload = base64.b64encode(json.dumps(config, separators=(",", ":")).encode("utf-8")).decode("ascii")
    return f"owntracks:///config?inline={payload}"


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "".join(
        f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(v)}</code></td></tr>" for k, v in pairs
    )


def sheet_html(info: DeviceInfo, secret: str, *, server: str, issued_at: datetime) -> str:
    """The set-up sheet (Bahasa Indonesia first, English in brackets)."""
    config = owntracks_http_config(info, secret, server=server)
    link = owntracks_config_link(config)
    qr = segno.make(link, error="m").svg_inline(scale=3, dark="#000", light="#fff")
    owntracks = _rows(
        [
            ("Mode", "HTTP"),
            ("URL", str(config["url"])),
            ("Autentikasi (Authentication)", "on"),
            ("Username", info.login),
            ("Password", secret),
            ("Device ID", str(config["deviceId"])),
            ("Tracker ID", str(config["tid"])),
            ("Remote commands (cmd)", "on"),
        ]
    )
    traccar = _rows(
        [
            ("Device identifier", info.login),
            ("Server URL", f"{server}/api/v1/devices/traccar?key={secret}"),
            ("Location accuracy", "High"),
            ("Frequency", "30 s"),
        ]
    )
    issued = to_wib(issued_at).strftime("%d-%m-%Y %H:%M WIB")
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Lembar pemasangan
{html.escape(info.unit_id)}</title></head>
<body>
<h1>Siak Siaga 112 — lembar pemasangan perangkat (device set-up sheet)</h1>
<p>Unit <strong>{html.escape(info.unit_id)}</strong>, perangkat (device)
<strong>{html.escape(info.device_id)}</strong>,
diterbitkan (issued) {html.escape(issued)}. RAHASIA: lembar ini memuat kunci perangkat; simpan
terkunci, minta kunci
baru bila hilang (CONFIDENTIAL: this sheet carries the device secret; keep it locked, ask for a new
one if lost).</p>
<h2>1. OwnTracks (Android / iOS) — pindai kode QR (scan the QR code)</h2>
<p>Pasang OwnTracks, lalu pindai kode ini dengan kamera ponsel dan buka dengan OwnTracks:
pengaturan HTTP terisi
otomatis. Periksa isian di bawah setelah impor. (Install OwnTracks, scan this code and open it with
OwnTracks: the
HTTP settings are filled in; check the fields below after the import.)</p>
<div data-qr="owntracks">{qr}</div>
<p>Di ponsel itu sendiri (on the phone itself): <a href="{html.escape(link)}">buka di OwnTracks (open in
OwnTracks)</a>.</p>
<table>{owntracks}</table>
<h2>2. Traccar Client — isi manual (type in)</h2>
<table>{traccar}</table>
<h2>3. Android: jangan dimatikan oleh penghemat baterai (battery optimisation)</h2>
<p>Setelan → Aplikasi → OwnTracks / Traccar Client → Baterai → <em>Tidak dibatasi</em>
(Unrestricted); izin lokasi
<em>Izinkan sepanjang waktu</em> (Allow all the time); jangan "bersihkan" aplikasi dari daftar
terbaru. Langkah
lengkap per merek: docs/tracking.md. Halaman kru (crew page): {html.escape(server)}/crew — login
<code>{html.escape(info.login)}</code>, kunci (secret) seperti di atas.</p>
</body></html>
"""
