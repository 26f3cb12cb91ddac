"""Request and response bodies of the device endpoints (enrolment, credentials, own assignment)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from dispatch_geo.domain.fleet_csv import CALL_SIGN_PATTERN
from dispatch_geo.domain.incidents import IncidentStatus, IncidentType

DeviceIdText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        pattern=r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)?$",
        description="the device's login (MQTT username, OwnTracks user, Traccar identifier), "
        "or login/device to pin one OwnTracks app instance",
        examples=["amb-siak-01", "amb-siak-01/phone", "356938035643809"],
    ),
]


class DeviceEnrol(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: str = Field(pattern=CALL_SIGN_PATTERN.pattern, max_length=32, description="call sign")
    device_id: DeviceIdText


class DeviceOut(BaseModel):
    login: str
    device_id: str
    unit_id: str
    has_credential: bool
    secret_prefix: str | None = Field(description="first characters of the secret, to tell them apart")
    credential_created_at: datetime | None
    credential_created_by: str | None


class DeviceCredentialOut(BaseModel):
    """Returned once, when a credential is issued or rotated: copy the secret into the app now."""

    device: DeviceOut
    secret: str = Field(description="shown once; only hashes are stored")
    owntracks_http: dict[str, str] = Field(description="settings for OwnTracks in HTTP mode")
    owntracks_mqtt: dict[str, str] = Field(description="settings for OwnTracks in MQTT mode")
    traccar_client: dict[str, str] = Field(description="settings for Traccar Client")


class UnknownDeviceOut(BaseModel):
    device_id: str
    source: str
    tracker_id: str | None
    messages: int
    first_seen: datetime
    last_seen: datetime
    last_fix_time: datetime | None


class OwnAssignmentOut(BaseModel):
    """The device's unit and, when it has one, its current assignment."""

    unit_id: str
    unit_status: str
    incident_id: int | None = None
    incident_type: IncidentType | None = None
    priority: int | None = None
    incident_status: IncidentStatus | None = None
    lon: float | None = None
    lat: float | None = None
    address: str | None = None
    description: str | None = None
    assigned_at: datetime | None = None
