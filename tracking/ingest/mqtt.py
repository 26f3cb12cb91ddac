"""The MQTT side of ingest: paho-mqtt with QoS 1, a persistent session and shared subscriptions.

- **No fix lost across reconnects**: a stable client id and a persistent session (MQTT 5
  ``clean_start=False`` with a session expiry; MQTT 3.1.1 ``clean_session=False``), so the broker
  queues QoS 1 messages while the worker is away. Mosquitto must not cap that queue
  (``max_queued_messages 0``; its default of 1000 silently drops messages, REFERENCE.md §1).
- **Several workers share the load** when ``shared_group`` is set: on MQTT 5 the subscription is
  ``$share/<group>/<topic>`` and each message goes to one worker of the group. MQTT 3.1.1 brokers
  (the demo's in-process amqtt) get a plain subscription. See :attr:`MqttSettings.shared_group` for
  the broker-restart caveat measured on Mosquitto 2.0.11.
- **Reconnect with backoff**: paho's automatic reconnect, 1 s doubling to 30 s.
- **Never crashes on a message**: the callback is a process boundary; an unexpected error is
  logged and counted and the next message is handled.
- **Acknowledged once safe**: manual acks; a message is acknowledged only when its fix is committed
  or it is deliberately not stored, in arrival order (:mod:`tracking.ingest.acks`).

:class:`MqttSubscriber` is the paho side alone (it hands each message's topic, payload and receive
time to a callback); :class:`MqttIngest` runs the pipeline on each message in paho's thread, and
:mod:`tracking.ingest.receiver` runs the subscriber in a process of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from tracking.ingest.acks import AckLedger

if TYPE_CHECKING:  # this module stays light: the receiver process imports it
    from tracking.ingest.pipeline import IngestPipeline
    from tracking.ingest.writer import BatchWriter

log = logging.getLogger(__name__)

DEFAULT_TOPICS = ("owntracks/+/+", "siaga/trackers/+")
"""OwnTracks location topics (sub-topics such as ``/event`` are not subscribed) and native trackers."""


@dataclass(frozen=True)
class MqttSettings:
    """How one ingest worker connects."""

    host: str = "127.0.0.1"
    port: int = 1883
    client_id: str = "siaga-ingest-1"
    username: str | None = None
    password: str | None = None
    protocol: MQTTProtocolVersion = MQTTProtocolVersion.MQTTv5
    shared_group: str | None = None
    """Set (e.g. ``"siaga-ingest"``) to split the load over several workers. Measured on Mosquitto
    2.0.11: a shared subscription is not restored from persistence after a broker restart, so fixes
    published between the restart and the workers' reconnect are lost; a single worker's plain
    persistent subscription loses nothing (tests/integration/test_ingest_mqtt.py)."""
    topics: Sequence[str] = field(default=DEFAULT_TOPICS)
    session_expiry_s: int = 7 * 24 * 3600
    keepalive_s: int = 30


AckToken = tuple[int, int]
"""(connection generation, MQTT message id): what :meth:`MqttSubscriber.ack` needs to acknowledge."""

MessageHandler = Callable[[str, bytes, datetime, AckToken], None]
"""Called with (topic, payload, time received, ack token) for every message, in paho's network thread."""


class MqttSubscriber:
    """A paho-mqtt client: QoS 1, persistent session, optional shared subscription, reconnects.

    Messages are acknowledged only through :meth:`ack`, by the code that made them safe
    (:mod:`tracking.ingest.acks`); until then the broker keeps them in the session.
    """

    def __init__(self, settings: MqttSettings, handle: MessageHandler) -> None:
        self.settings = settings
        self.handle = handle
        self.connected = threading.Event()
        self.generation = 0
        """Counts connections: message ids of an earlier connection must not be acknowledged on this one
        (the broker redelivers those messages instead)."""
        self._stopping = False
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=settings.client_id,
            protocol=settings.protocol,
            clean_session=False if settings.protocol != mqtt.MQTTv5 else None,
            manual_ack=True,
        )
        if settings.username:
            self.client.username_pw_set(settings.username, settings.password)
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.max_inflight_messages_set(100)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    def subscriptions(self) -> list[str]:
        if self.settings.protocol == mqtt.MQTTv5 and self.settings.shared_group:
            return [f"$share/{self.settings.shared_group}/{t}" for t in self.settings.topics]
        return list(self.settings.topics)

    def start(self) -> None:
        """Connect (in the background, retrying) and start handling messages."""
        s = self.settings
        if s.protocol == mqtt.MQTTv5:
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = s.session_expiry_s
            self.client.connect_async(s.host, s.port, s.keepalive_s, clean_start=False, properties=properties)
        else:
            self.client.connect_async(s.host, s.port, s.keepalive_s)
        self.client.loop_start()

    def stop(self) -> None:
        self._stopping = True
        self.client.disconnect()
        self.client.loop_stop()
        self.connected.clear()

    def _on_connect(
        self, client: mqtt.Client, userdata: object, flags: object, reason: object, props: object
    ) -> None:
        if getattr(reason, "is_failure", False):
            log.error("MQTT connection refused: %s", reason)
            return
        self.generation += 1
        for topic in self.subscriptions():
            client.subscribe(topic, qos=1)
        log.info(
            "MQTT connected to %s:%s as %s", self.settings.host, self.settings.port, self.settings.client_id
        )
        self.connected.set()

    def _on_disconnect(
        self, client: mqtt.Client, userdata: object, flags: object, reason: object, props: object
    ) -> None:
        self.connected.clear()
        if not self._stopping:
            log.warning("MQTT disconnected (%s); reconnecting with backoff", reason)

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        try:
            self.handle(
                message.topic, bytes(message.payload), datetime.now(UTC), (self.generation, message.mid)
            )
        except Exception:  # process boundary: never let one message stop ingest
            log.exception("unexpected error handling a message on %s", message.topic)

    def ack(self, tokens: list[AckToken]) -> None:
        """Acknowledge these messages (in the order given); those of an earlier connection are skipped."""
        for generation, mid in tokens:
            if generation == self.generation and mid:
                try:
                    self.client.ack(mid, 1)
                except Exception:  # disconnected meanwhile: the broker redelivers it, harmlessly
                    log.debug("could not acknowledge message %s", mid)


class MqttIngest:
    """Subscribes, runs each message through the pipeline and hands accepted fixes to the writer.

    Everything runs in one process (paho's thread decodes and filters); see
    :class:`tracking.ingest.receiver.ProcessMqttIngest` for the same with MQTT in its own process.
    A message is acknowledged once it is done (committed, or not to be stored), in arrival order.
    """

    def __init__(self, settings: MqttSettings, pipeline: IngestPipeline, writer: BatchWriter) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.writer = writer
        self.subscriber = MqttSubscriber(settings, self.handle)
        self.connected = self.subscriber.connected
        self.ledger: AckLedger[AckToken] = AckLedger()
        self._ack_lock = threading.Lock()
        writer.on_done = self._done

    def start(self) -> None:
        self.subscriber.start()

    def stop(self) -> None:
        self.subscriber.stop()

    def handle(self, topic: str, payload: bytes, received_at: datetime, token: AckToken) -> None:
        seq = self.ledger.add(token)
        if not ingest_message(self.pipeline, self.writer, topic, payload, received_at, seq):
            self._done([seq])

    def _done(self, seqs: list[int]) -> None:
        self.ledger.done(seqs)
        with self._ack_lock:  # PUBACKs leave in arrival order even when two threads finish messages
            self.subscriber.ack(self.ledger.release())


def ingest_message(
    pipeline: IngestPipeline,
    writer: BatchWriter,
    topic: str,
    payload: bytes,
    received_at: datetime,
    token: int | None = None,
) -> bool:
    """One MQTT message through the pipeline; an accepted fix goes to the writer with ``token``.

    Returns True when the writer took the fix (it reports ``token`` done after the commit), False
    when the message is finished with already (rejected, ignored, buffer full, or an error). Never
    raises.
    """
    try:
        result = pipeline.process_mqtt(topic, payload, received_at)
        if result.record is not None:
            return writer.submit(result.record, latest=result.latest, token=token)
    except Exception:  # process boundary: never let one message stop ingest
        pipeline.metrics.errors.inc()
        log.exception("unexpected error handling a message on %s", topic)
    return False
