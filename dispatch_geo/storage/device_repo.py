"""Repository for device identities: pairing with units, credentials, broker files, unknown devices.

A device *login* is what a device authenticates as, on every channel: its MQTT username (the ACL lets it
publish only under ``owntracks/<login>/…`` or ``siaga/trackers/<login>``), its OwnTracks user (HTTP
Basic in HTTP mode) and its Traccar Client device identifier. A unit carries the device paired in
``units.device_id``: the login itself, or ``<login>/<device>`` to pin one OwnTracks app instance.

Secrets are 256-bit random strings shown once; the database keeps a SHA-256 hash (HTTP checks) and a
Mosquitto ``$7$`` hash (PBKDF2-SHA512, as ``mosquitto_passwd`` writes), from which
:func:`mosquitto_password_file` regenerates the broker's password file. Like every repository:
keyword-only, takes a session, never commits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.values import require_aware
from dispatch_geo.errors import ConflictError, InputError, NotFoundError
from dispatch_geo.storage.auth_models import (
    TOKEN_PREFIX_LENGTH,
    DeviceCredentialRow,
    UnknownDeviceRow,
)
from dispatch_geo.storage.fleet_repo import get_unit
from dispatch_geo.storage.models import ID_LENGTH, AssignmentRow, IncidentRow, UnitRow

log = logging.getLogger(__name__)

SECRET_SCHEME = "siagadev_"
"""Prefix of every device secret (lets secret scanners recognise a leaked one)."""
MOSQUITTO_PBKDF2_ITERATIONS = 101
"""What ``mosquitto_passwd`` 2.0 writes (``$7$101$…``)."""
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")
"""Logins are lower-case: MQTT usernames and topic levels, with no wildcard, slash or space."""
RESERVED_LOGINS = frozenset({"ingest", "admin", "root", "siaga", "mosquitto"})
"""Names kept for the platform's own broker clients (ingest workers log in as ``ingest``, ``ingest-2``…)."""


def login_of(device_id: str) -> str:
    """The login of a paired device id: ``amb-siak-01/phone`` → ``amb-siak-01``; ``356938…`` unchanged."""
    return device_id.split("/", 1)[0]


def check_login(login: str) -> str:
    """``login`` if it can be an MQTT username and topic level; :class:`InputError` naming the rule."""
    if not LOGIN_PATTERN.fullmatch(login):
        raise InputError(
            f"device login {login!r} must be 1 to {ID_LENGTH} characters: lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    if login in RESERVED_LOGINS or login.startswith("ingest"):
        raise InputError(f"device login {login!r} is reserved for the platform's own broker clients")
    return login


def hash_secret(secret: str) -> str:
    """Hex SHA-256 of ``secret``."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def mosquitto_hash(secret: str, *, salt: bytes | None = None) -> str:
    """``secret`` as Mosquitto 2 stores it: ``$7$101$<salt b64>$<PBKDF2-SHA512 b64>``."""
    salt = salt if salt is not None else secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", secret.encode("utf-8"), salt, MOSQUITTO_PBKDF2_ITERATIONS)
    return (
        f"$7${MOSQUITTO_PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}"
        f"${base64.b64encode(digest).decode()}"
    )


def new_secret() -> str:
    """A fresh device secret (256 random bits)."""
    return SECRET_SCHEME + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class DeviceIdentity:
    """An authenticated device: its login and the unit it moves."""

    login: str
    unit_id: str


@dataclass(frozen=True)
class DeviceInfo:
    """What an admin sees of a device (never its secret)."""

    login: str
    device_id: str
    unit_id: str
    has_credential: bool
    secret_prefix: str | None
    credential_created_at: datetime | None
    credential_created_by: str | None


# -- pairing -----------------------------------------------------------------------------------------


def pairing(session: Session) -> dict[str, str]:
    """``{device id as paired: unit id}`` for every unit that carries a device."""
    rows = session.execute(select(UnitRow.device_id, UnitRow.id).where(UnitRow.device_id.is_not(None)))
    return {str(device): str(unit) for device, unit in rows}


def unit_of_login(session: Session, *, login: str) -> str | None:
    """The unit paired with ``login`` (as ``login`` or ``login/<device>``), or None."""
    units = list(session.scalars(select(UnitRow.id).where(_paired_with(login))))
    return units[0] if len(units) == 1 else None


def _paired_with(login: str) -> ColumnElement[bool]:
    """Units paired with ``login`` itself or with one of its app instances (``login/<device>``)."""
    return or_(UnitRow.device_id == login, UnitRow.device_id.startswith(login + "/", autoescape=True))


def enrol_device(
    session: Session, *, unit_id: str, device_id: str, at: datetime, by: str
) -> tuple[DeviceInfo, str]:
    """Pair ``device_id`` (``login`` or ``login/device``) with ``unit_id`` and issue its credential.

    Returns the device and its secret (shown once). A unit carries one device: pairing a new one
    replaces the old pairing (whose credential is revoked). Raises :class:`ConflictError` when the login
    already moves another unit, :class:`InputError` for a malformed id, :class:`NotFoundError` for an
    unknown unit.
    """
    login = check_login(login_of(device_id))
    if "/" in device_id:
        check_login(device_id.split("/", 1)[1])
    unit = get_unit(session, unit_id=unit_id, for_update=True)
    holder = unit_of_login(session, login=login)
    if holder is not None and holder != unit_id:
        raise ConflictError(f"device login {login!r} already moves unit {holder}; unpair it there first")
    if unit.device_id is not None and login_of(unit.device_id) != login:
        revoke_credential(session, login=login_of(unit.device_id), at=at, missing_ok=True)
    unit.device_id = device_id
    session.flush()
    secret = _store_secret(session, login=login, at=at, by=by)
    log.info("device %s enrolled on unit %s by %s", device_id, unit_id, by)
    return _info(session, login), secret


def rotate_credential(session: Session, *, login: str, at: datetime, by: str) -> tuple[DeviceInfo, str]:
    """A new secret for ``login`` (the old one stops working at once); the device must be paired."""
    if unit_of_login(session, login=login) is None:
        raise NotFoundError(f"no unit carries device login {login!r}; enrol it on a unit first")
    secret = _store_secret(session, login=login, at=at, by=by)
    log.info("credential of device %s rotated by %s", login, by)
    return _info(session, login), secret


def revoke_credential(
    session: Session, *, login: str, at: datetime, missing_ok: bool = False
) -> DeviceCredentialRow | None:
    """Stop ``login``'s secret from working (the row is kept for the audit)."""
    row = session.get(DeviceCredentialRow, login, with_for_update=True)
    if row is None:
        if missing_ok:
            return None
        raise NotFoundError(f"device login {login!r} has no credential")
    if row.revoked_at is None:
        row.revoked_at = require_aware(at, "revocation time")
        session.flush()
        log.info("credential of device %s revoked", login)
    return row


def unpair_device(session: Session, *, unit_id: str, at: datetime) -> None:
    """Remove the unit's device and revoke its credential."""
    unit = get_unit(session, unit_id=unit_id, for_update=True)
    if unit.device_id is not None:
        revoke_credential(session, login=login_of(unit.device_id), at=at, missing_ok=True)
        unit.device_id = None
        session.flush()


def _store_secret(session: Session, *, login: str, at: datetime, by: str) -> str:
    secret = new_secret()
    row = session.get(DeviceCredentialRow, login, with_for_update=True)
    if row is None:
        row = DeviceCredentialRow(login=login)
        session.add(row)
    row.secret_sha256 = hash_secret(secret)
    row.secret_prefix = secret[:TOKEN_PREFIX_LENGTH]
    row.mosquitto_hash = mosquitto_hash(secret)
    row.created_at = require_aware(at, "credential creation time")
    row.created_by = by[:ID_LENGTH]
    row.revoked_at = None
    session.flush()
    return secret


def _info(session: Session, login: str) -> DeviceInfo:
    unit = session.scalars(select(UnitRow).where(_paired_with(login))).first()
    if unit is None or unit.device_id is None:
        raise NotFoundError(f"no unit carries device login {login!r}")
    cred = session.get(DeviceCredentialRow, login)
    active = cred is not None and cred.revoked_at is None
    return DeviceInfo(
        login=login,
        device_id=unit.device_id,
        unit_id=unit.id,
        has_credential=active,
        secret_prefix=cred.secret_prefix if active and cred else None,
        credential_created_at=cred.created_at if active and cred else None,
        credential_created_by=cred.created_by if active and cred else None,
    )


def list_devices(session: Session) -> list[DeviceInfo]:
    """Every paired device, by unit."""
    units = session.scalars(select(UnitRow).where(UnitRow.device_id.is_not(None)).order_by(UnitRow.id)).all()
    return [_info(session, login_of(str(u.device_id))) for u in units]


# -- authentication ----------------------------------------------------------------------------------


def authenticate(session: Session, *, login: str, secret: str) -> DeviceIdentity | None:
    """The device ``login`` if ``secret`` is its active credential and it is paired with a unit."""
    row = session.get(DeviceCredentialRow, login)
    if row is None or row.revoked_at is not None:
        hmac.compare_digest(hash_secret(secret), "0" * 64)  # same work either way
        return None
    if not hmac.compare_digest(hash_secret(secret), row.secret_sha256):
        return None
    unit_id = unit_of_login(session, login=login)
    return None if unit_id is None else DeviceIdentity(login=login, unit_id=unit_id)


def identify_by_secret(session: Session, *, secret: str) -> DeviceIdentity | None:
    """The device whose active credential is ``secret`` (used as a bearer token), or None."""
    row = session.scalars(
        select(DeviceCredentialRow).where(
            DeviceCredentialRow.secret_sha256 == hash_secret(secret),
            DeviceCredentialRow.revoked_at.is_(None),
        )
    ).one_or_none()
    if row is None:
        return None
    unit_id = unit_of_login(session, login=row.login)
    return None if unit_id is None else DeviceIdentity(login=row.login, unit_id=unit_id)


# -- broker configuration ----------------------------------------------------------------------------


def mosquitto_password_file(session: Session, *, extra: Mapping[str, str] | None = None) -> str:
    """The Mosquitto password file: one line per paired device with an active credential.

    ``extra`` maps further usernames (the ingest workers) to ready ``$7$`` hashes.
    """
    lines = [f"{user}:{hashed}" for user, hashed in sorted((extra or {}).items())]
    paired = {login_of(d) for d in pairing(session)}
    rows = session.scalars(
        select(DeviceCredentialRow)
        .where(DeviceCredentialRow.revoked_at.is_(None))
        .order_by(DeviceCredentialRow.login)
    )
    lines += [f"{r.login}:{r.mosquitto_hash}" for r in rows if r.login in paired]
    return "".join(line + "\n" for line in lines)


def mosquitto_acl(*, ingest_users: Iterable[str] = ("ingest",)) -> str:
    """The Mosquitto ACL: ingest workers read every device topic; a device writes only its own."""
    parts = ["# Generated by `dispatch-geo devices mosquitto-config`; do not edit by hand.\n"]
    for user in ingest_users:
        parts.append(
            f"\nuser {user}\ntopic read owntracks/#\ntopic read siaga/trackers/#\n"
            "topic write owntracks/+/+/cmd\n"
        )
    parts.append(
        "\n# Every other authenticated client is a device (username = device login): it may publish\n"
        "# only under its own name, and read the commands sent to it (OwnTracks remote commands).\n"
        "pattern write owntracks/%u/#\n"
        "pattern write siaga/trackers/%u\n"
        "pattern read owntracks/%u/+/cmd\n"
    )
    return "".join(parts)


# -- unknown devices ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnknownSighting:
    """Messages from one unpaired device since the last flush."""

    source: str
    device_id: str
    tracker_id: str | None
    messages: int
    first_seen: datetime
    last_seen: datetime
    last_fix_time: datetime | None


def record_unknown(session: Session, *, sightings: Iterable[UnknownSighting]) -> None:
    """Add ``sightings`` to the unknown-device list (counts add up across processes)."""
    for s in sightings:
        device_id = s.device_id[:ID_LENGTH]
        row = session.scalars(
            select(UnknownDeviceRow)
            .where(UnknownDeviceRow.source == s.source, UnknownDeviceRow.device_id == device_id)
            .with_for_update()
        ).one_or_none()
        if row is None:
            session.add(
                UnknownDeviceRow(
                    source=s.source,
                    device_id=device_id,
                    tracker_id=(s.tracker_id or None) and str(s.tracker_id)[:ID_LENGTH],
                    messages=s.messages,
                    first_seen=s.first_seen,
                    last_seen=s.last_seen,
                    last_fix_time=s.last_fix_time,
                )
            )
            session.flush()
            continue
        row.messages += s.messages
        row.first_seen = min(row.first_seen, s.first_seen)
        row.last_seen = max(row.last_seen, s.last_seen)
        if s.last_fix_time is not None:
            row.last_fix_time = s.last_fix_time
        if s.tracker_id:
            row.tracker_id = str(s.tracker_id)[:ID_LENGTH]
    session.flush()


def list_unknown(session: Session, *, limit: int = 500) -> list[UnknownDeviceRow]:
    """Unpaired devices seen by any ingest, most recent first, leaving out those paired since."""
    paired = pairing(session)  # a fix is known by its full device id, or by its login alone
    rows = session.scalars(select(UnknownDeviceRow).order_by(UnknownDeviceRow.last_seen.desc()).limit(limit))
    return [r for r in rows if r.device_id not in paired and login_of(r.device_id) not in paired]


# -- the device's own view ---------------------------------------------------------------------------


def current_assignment(session: Session, *, unit_id: str) -> tuple[AssignmentRow, IncidentRow] | None:
    """The unit's open assignment and its incident (the newest, if several), or None."""
    stmt = (
        select(AssignmentRow, IncidentRow)
        .join(IncidentRow, IncidentRow.id == AssignmentRow.incident_id)
        .where(AssignmentRow.unit_id == unit_id, AssignmentRow.released_at.is_(None))
        .order_by(AssignmentRow.assigned_at.desc())
        .limit(1)
    )
    row = session.execute(stmt).first()
    return None if row is None else (row[0], row[1])
