"""Positions on demand: ask the phones of stale units for a fix now (OwnTracks ``reportLocation``).

Before a dispatcher ranks units, a unit whose last fix is older than the stale limit is ranked apart;
its OwnTracks app (remote commands on) can be asked for a position, which normally arrives within
seconds, and the ranking asked again then treats it as fresh. Published with QoS 1 by a short-lived
MQTT client to the broker the ingest worker reads (``SIAGA_MQTT_*``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from siaga.settings import Settings
from tracking.commands import REPORT_LOCATION

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0


class BrokerUnavailableError(RuntimeError):
    """The command could not be handed to the broker."""


def send_report_location(settings: Settings, topics: Iterable[str]) -> int:
    """Publish ``reportLocation`` to every topic (QoS 1, acknowledged); returns how many were sent."""
    topics = list(topics)
    if not topics:
        return 0
    protocol = MQTTProtocolVersion.MQTTv5 if settings.mqtt_protocol == "5" else MQTTProtocolVersion.MQTTv311
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="", protocol=protocol)
    if settings.mqtt_username:
        password = settings.mqtt_password.get_secret_value() if settings.mqtt_password else None
        client.username_pw_set(settings.mqtt_username, password)
    try:
        client.connect(settings.mqtt_host, settings.mqtt_port, keepalive=10)
    except OSError as exc:
        raise BrokerUnavailableError(f"MQTT broker {settings.mqtt_host}:{settings.mqtt_port}: {exc}") from exc
    client.loop_start()
    try:
        infos = [client.publish(topic, REPORT_LOCATION, qos=1) for topic in topics]
        for info in infos:
            info.wait_for_publish(CONNECT_TIMEOUT_S)
            if not info.is_published():
                raise BrokerUnavailableError("the broker did not acknowledge the command in time")
    finally:
        client.loop_stop()
        client.disconnect()
    log.info("asked %d devices for their position", len(topics))
    return len(topics)
