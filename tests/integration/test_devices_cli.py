"""`dispatch-geo devices`: an operator enrols a phone, generates the broker files, and the phone logs in.

The commands run as processes on a SQLite database with the example fleet; the generated password file
and ACL are loaded by a real Mosquitto with the shipped ``use_username_as_clientid`` rule.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.storage import fleet_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from siaga.settings import DATA_DIR
from tests.integration.test_services import WAIT_S, mqtt_peer, subscribe_qos1
from tests.support.mosquitto import MosquittoFactory

FLEET_CSV = DATA_DIR / "siak_fleet_example.csv"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from siaga.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_enrol_generate_and_log_in(tmp_path: Path, mosquitto_factory: MosquittoFactory) -> None:
    url = f"sqlite:///{tmp_path / 'siaga.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        fleet_repo.import_fleet(session, fleet=load_fleet_csv(FLEET_CSV), at=datetime.now(UTC))
    engine.dispose()
    env = {**os.environ, "SIAGA_DATABASE_URL": url, "COLUMNS": "200", "SIAGA_MQTT_PASSWORD": "ingest-pw"}

    enrolled = cli(env, "devices", "enrol", "--unit", "AMB-SIAK-01", "--device", "amb-siak-01/phone")
    assert enrolled.returncode == 0, enrolled.stderr
    secret = re.search(r"siagadev_[A-Za-z0-9_-]{43}", enrolled.stdout)
    assert secret, enrolled.stdout
    assert "username = amb-siak-01" in enrolled.stdout
    assert "device ID = phone" in enrolled.stdout
    taken = cli(env, "devices", "enrol", "--unit", "DMK-SIAK-01", "--device", "amb-siak-01")
    assert taken.returncode == 2
    assert "already moves unit AMB-SIAK-01" in taken.stdout + taken.stderr
    reserved = cli(env, "devices", "enrol", "--unit", "DMK-SIAK-01", "--device", "ingest-9")
    assert reserved.returncode == 2
    assert "reserved" in reserved.stdout + reserved.stderr

    out = tmp_path / "broker"
    generated = cli(env, "devices", "mosquitto-config", "--out", str(out))
    assert generated.returncode == 0, generated.stderr
    passwd = (out / "siaga.passwd").read_text()
    assert secret.group(0) not in passwd, "the password file holds hashes, never secrets"
    assert [line.split(":")[0] for line in passwd.splitlines()] == ["ingest", "amb-siak-01"]

    broker = mosquitto_factory(
        f"password_file {out / 'siaga.passwd'}\nacl_file {out / 'siaga.acl'}\nuse_username_as_clientid true",
        allow_anonymous=False,
    )
    with mqtt_peer(broker, "ingest", username="ingest", password="ingest-pw") as ingest:
        subscribe_qos1(ingest, "owntracks/#")
        with mqtt_peer(broker, "phone", username="amb-siak-01", password=secret.group(0)) as phone:
            phone.client.publish("owntracks/amb-siak-01/phone", b"{}", qos=1).wait_for_publish(WAIT_S)
        assert ingest.next_message().topic == "owntracks/amb-siak-01/phone"

    revoked = cli(env, "devices", "revoke", "amb-siak-01")
    assert revoked.returncode == 0, revoked.stderr
    assert cli(env, "devices", "mosquitto-config", "--out", str(out)).returncode == 0
    assert [line.split(":")[0] for line in (out / "siaga.passwd").read_text().splitlines()] == ["ingest"]
    listed = cli(env, "devices", "list")
    assert "AMB-SIAK-01" in listed.stdout
    assert "none" in listed.stdout


def fleet_now():
    from datetime import UTC, datetime

    return datetime.now(UTC)
