"""Devices an operator manages at any time (issue 13): replace and remove a unit's device over the API
and the CLI, and print a set-up sheet whose QR code configures OwnTracks (the link decodes to the
device's own HTTP settings and a new secret; the old one stops working)."""

from __future__ import annotations

import base64
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

from fastapi.testclient import TestClient

from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.storage import fleet_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from tests.integration.api_fixtures import auth
from tests.integration.test_api_devices import enrol
from tests.integration.test_devices_cli import FLEET_CSV, cli

API = "/api/v1"


def _crew_can_read(client: TestClient, secret: str) -> bool:
    answer = client.get(f"{API}/crew/assignment", headers={"Authorization": f"Bearer {secret}"})
    return answer.status_code == 200


def _owntracks_config(sheet: str) -> dict[str, object]:
    link = re.search(r"owntracks:///config\?inline=([A-Za-z0-9+/=%]+)", sheet)
    assert link, "the sheet names the OwnTracks configuration link"
    config: dict[str, object] = json.loads(base64.b64decode(unquote(link.group(1))))
    return config


def test_replace_print_and_remove_a_units_device(db_url: str, make_client) -> None:
    client = make_client(db_url)
    old = enrol(client, "AMB-SIAK-01", "amb-siak-01/phone")
    new = enrol(client, "AMB-SIAK-01", "amb1-new/phone")  # a replacement phone
    assert not _crew_can_read(client, old)
    assert _crew_can_read(client, new)

    sheet = client.post(f"{API}/devices/amb1-new/setup-sheet", headers=auth("admin"))
    assert sheet.status_code == 200, sheet.text
    assert sheet.headers["content-type"].startswith("text/html")
    assert "attachment" in sheet.headers["content-disposition"]
    assert "<svg" in sheet.text
    assert "http://" not in sheet.text.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    ), "the QR code is inline SVG, nothing fetched"
    config = _owntracks_config(sheet.text)
    assert config["_type"] == "configuration"
    assert config["mode"] == 3
    assert config["username"] == "amb1-new"
    assert config["deviceId"] == "phone"
    assert str(config["url"]).endswith("/api/v1/devices/owntracks")
    printed = str(config["password"])
    assert printed in sheet.text
    assert not _crew_can_read(client, new)  # printing the sheet issued a new secret
    assert _crew_can_read(client, printed)

    removed = client.delete(f"{API}/units/AMB-SIAK-01/device", headers=auth("admin"))
    assert removed.status_code == 204
    unit = client.get(f"{API}/units/AMB-SIAK-01", headers=auth("dispatcher")).json()
    assert unit["has_device"] is False
    assert not _crew_can_read(client, printed)
    assert client.post(f"{API}/devices/amb1-new/setup-sheet", headers=auth("admin")).status_code == 404


def test_the_cli_prints_a_sheet_and_unpairs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'siaga.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        fleet_repo.import_fleet(session, fleet=load_fleet_csv(FLEET_CSV), at=datetime.now(UTC))
    engine.dispose()
    env = {**os.environ, "SIAGA_DATABASE_URL": url, "COLUMNS": "200"}
    assert cli(env, "devices", "enrol", "--unit", "AMB-SIAK-02", "--device", "amb2").returncode == 0
    out = tmp_path / "sheet.html"
    printed = cli(
        env, "devices", "sheet", "amb2", "--out", str(out), "--server", "https://siaga.siakkab.go.id"
    )
    assert printed.returncode == 0, printed.stderr
    config = _owntracks_config(out.read_text(encoding="utf-8"))
    assert config["url"] == "https://siaga.siakkab.go.id/api/v1/devices/owntracks"
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    unpaired = cli(env, "devices", "unpair", "AMB-SIAK-02")
    assert unpaired.returncode == 0, unpaired.stderr
    assert "carries no device" in unpaired.stdout
    again = cli(env, "devices", "sheet", "amb2", "--out", str(out))
    assert again.returncode == 2
    assert "no unit carries device login" in again.stdout + again.stderr


def test_the_fleet_csv_pairs_devices_and_never_replaces_one(tmp_path: Path) -> None:
    from dispatch_geo.domain.fleet_csv import COLUMNS, parse_fleet_csv

    url = f"sqlite:///{tmp_path / 'siaga.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    post = "psc119-siak,PSC 119 Siak,psc_119,102.05,0.80,true,centroid"
    header = ",".join((*COLUMNS, "device_id"))
    first = parse_fleet_csv(
        f"{header}\nAMB-SIAK-01,ambulance,,{post},amb1/phone\nAMB-SIAK-02,ambulance,,{post},\n"
    )
    again = parse_fleet_csv(
        f"{header}\nAMB-SIAK-01,ambulance,,{post},other\nAMB-SIAK-02,ambulance,,{post},amb2\n"
    )
    with make_session_factory(engine).begin() as session:
        fleet_repo.import_fleet(session, fleet=first, at=datetime.now(UTC))
        fleet_repo.import_fleet(session, fleet=again, at=datetime.now(UTC))
        devices = {u.id: u.device_id for u in fleet_repo.list_units(session)}
    engine.dispose()
    assert devices == {"AMB-SIAK-01": "amb1/phone", "AMB-SIAK-02": "amb2"}
