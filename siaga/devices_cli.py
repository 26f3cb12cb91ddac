"""``dispatch-geo devices``: enrol a device on a unit, rotate or revoke its credential, list devices,
and write the Mosquitto password file and ACL from the device table.

The secret is printed once, with the settings to type into OwnTracks or Traccar Client.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dispatch_geo.errors import SiagaError
from dispatch_geo.storage import device_repo
from dispatch_geo.storage.device_repo import DeviceInfo
from dispatch_geo.storage.engine import make_session_factory
from siaga.settings import Settings
from siaga.tokens_cli import _engine, _fail

devices_app = typer.Typer(
    help="Enrol devices on units, rotate or revoke their credentials, generate the broker's files.",
    no_args_is_help=True,
)

console = Console()
CLI_USER = "cli"
"""Recorded as the creator of credentials issued from the command line."""


def _show(info: DeviceInfo, secret: str, server: str) -> None:
    device_part = info.device_id.split("/", 1)[1] if "/" in info.device_id else "phone"
    console.print(f"device [bold]{info.device_id}[/] moves unit [bold]{info.unit_id}[/]")
    console.print("secret (copy it now, it is not shown again):")
    console.print(secret, highlight=False, soft_wrap=True)
    console.print(
        f"\n[bold]OwnTracks, MQTT mode[/]: host = your broker (TLS port 8883), username = {info.login}, "
        f"password = the secret, client ID = {info.login}, device ID = {device_part}"
        f"\n[bold]OwnTracks, HTTP mode[/]: URL = {server}/api/v1/devices/owntracks, authentication on, "
        f"username = {info.login}, password = the secret, device ID = {device_part}"
        f"\n[bold]Traccar Client[/]: device identifier = {info.login}, "
        f"server URL = {server}/api/v1/devices/traccar?key=<the secret>",
        highlight=False,
        soft_wrap=True,
    )


ServerOpt = Annotated[str, typer.Option(help="the API's public address, for the app settings printed")]


@devices_app.command("enrol")
def enrol(
    unit: Annotated[str, typer.Option(help="call sign of the unit the device moves")],
    device: Annotated[str, typer.Option(help="device login, or login/device for one OwnTracks app")],
    server: ServerOpt = "https://siaga.example",
) -> None:
    """Pair a device with a unit and issue its credential (printed once)."""
    engine = _engine(Settings())
    try:
        with make_session_factory(engine).begin() as session:
            info, secret = device_repo.enrol_device(
                session, unit_id=unit, device_id=device, at=datetime.now(UTC), by=CLI_USER
            )
    except SiagaError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
    _show(info, secret, server)


@devices_app.command("rotate")
def rotate(
    login: Annotated[str, typer.Argument(help="device login")], server: ServerOpt = "https://siaga.example"
) -> None:
    """Issue a new secret for a device; the old one stops working at once."""
    engine = _engine(Settings())
    try:
        with make_session_factory(engine).begin() as session:
            info, secret = device_repo.rotate_credential(
                session, login=login, at=datetime.now(UTC), by=CLI_USER
            )
    except SiagaError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
    _show(info, secret, server)


@devices_app.command("revoke")
def revoke(login: Annotated[str, typer.Argument(help="device login")]) -> None:
    """Revoke a device's credential (lost or stolen phone); regenerate the broker files afterwards."""
    engine = _engine(Settings())
    try:
        with make_session_factory(engine).begin() as session:
            device_repo.revoke_credential(session, login=login, at=datetime.now(UTC))
    except SiagaError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
    console.print(f"revoked the credential of {login}; run `dispatch-geo devices mosquitto-config`")


@devices_app.command("list")
def list_devices() -> None:
    """Devices paired with units (never their secrets)."""
    engine = _engine(Settings())
    try:
        with make_session_factory(engine)() as session:
            rows = device_repo.list_devices(session)
    finally:
        engine.dispose()
    table = Table("unit", "device", "login", "credential", "issued (UTC)", "by")
    for d in rows:
        table.add_row(
            d.unit_id,
            d.device_id,
            d.login,
            (d.secret_prefix or "") + "…" if d.has_credential else "none",
            d.credential_created_at.isoformat(timespec="seconds") if d.credential_created_at else "",
            d.credential_created_by or "",
        )
    console.print(table if rows else "no devices")


@devices_app.command("mosquitto-config")
def mosquitto_config(
    out: Annotated[Path, typer.Option(help="folder for siaga.passwd and siaga.acl")],
    ingest_user: Annotated[
        list[str], typer.Option(help="broker username of an ingest worker (repeatable)")
    ] = ["ingest"],  # noqa: B006 - typer reads the default
    ingest_password_env: Annotated[
        str, typer.Option(help="environment variable holding the ingest workers' broker password")
    ] = "SIAGA_MQTT_PASSWORD",
) -> None:
    """Write the Mosquitto password file and ACL from the device table (then reload Mosquitto: SIGHUP).

    Every paired device with an active credential gets a password entry (its login) and may publish
    only on its own topics; the ingest workers read every device topic. Files are replaced atomically.
    """
    password = os.environ.get(ingest_password_env)
    if not password:
        raise _fail(ValueError(f"set {ingest_password_env} to the ingest workers' broker password"))
    engine = _engine(Settings())
    try:
        with make_session_factory(engine)() as session:
            passwd = device_repo.mosquitto_password_file(
                session,
                extra={user: device_repo.mosquitto_hash(password) for user in ingest_user},
            )
    finally:
        engine.dispose()
    out.mkdir(parents=True, exist_ok=True)
    _write_atomically(out / "siaga.passwd", passwd, mode=0o640)
    _write_atomically(out / "siaga.acl", device_repo.mosquitto_acl(ingest_users=ingest_user), mode=0o644)
    devices = passwd.count("\n") - len(ingest_user)
    console.print(f"wrote {out / 'siaga.passwd'} ({devices} devices) and {out / 'siaga.acl'}")


def _write_atomically(path: Path, content: str, *, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{secrets.token_hex(4)}")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@devices_app.command("unpair")
def unpair(unit: Annotated[str, typer.Argument(help="call sign of the unit")]) -> None:
    """Remove a unit's device (lost, broken or moved to another vehicle); its credential is revoked."""
    engine = _engine(Settings())
    try:
        with make_session_factory(engine).begin() as session:
            device_repo.unpair_device(session, unit_id=unit, at=datetime.now(UTC))
    except SiagaError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
    console.print(f"unit {unit} carries no device now; run `dispatch-geo devices mosquitto-config`")


@devices_app.command("sheet")
def sheet(
    login: Annotated[str, typer.Argument(help="device login")],
    out: Annotated[Path, typer.Option(help="where to write the printable HTML sheet")],
    server: ServerOpt = "https://siaga.example",
) -> None:
    """Write a device's printable set-up sheet (QR code for OwnTracks); issues a new secret."""
    from siaga.setup_sheet import sheet_html

    engine = _engine(Settings())
    now = datetime.now(UTC)
    try:
        with make_session_factory(engine).begin() as session:
            info, secret = device_repo.rotate_credential(session, login=login, at=now, by=CLI_USER)
    except SiagaError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
    _write_atomically(out, sheet_html(info, secret, server=server.rstrip("/"), issued_at=now), mode=0o600)
    console.print(f"wrote {out} (new secret: the device's previous one stops working)")
