"""MQTT in a process of its own: one ingest worker that uses two cores.

In a single Python process the paho network thread and the pipeline (JSON decoding, validation,
filters, fleet state) take turns on one interpreter lock, so a worker is capped near what one core
can do for both. :class:`ProcessMqttIngest` moves the paho client into a child process that only
receives and forwards raw messages (topic, payload, time received) in batches over a pipe; the
worker process decodes, filters and writes them exactly as :class:`~tracking.ingest.mqtt.MqttIngest`
does, and tells the child over a second pipe how far it may acknowledge (only what is committed or
deliberately not stored, in arrival order; :mod:`tracking.ingest.acks`). Measured in
``bench/ingest_bench.py`` (docs/tracking.md).

Guarantees, the same as the in-process client: QoS 1 with a persistent session (the child uses the
same :class:`~tracking.ingest.mqtt.MqttSubscriber`), reconnect with backoff, and a message that breaks
the pipeline is counted, never fatal. In addition:

* **back-pressure, not loss**: when the worker falls behind, the child stops reading from the broker
  once ``max_pending`` messages wait (the broker keeps the rest queued for the persistent session);
* **graceful stop loses nothing**: the child disconnects first, then forwards what it holds, and the
  worker handles every forwarded message before it stops;
* **a crashed receiver or worker loses nothing**: the worker restarts a dead receiver (with
  backoff, logged, counted in ``siaga_ingest_receiver_restarts``), and since nothing uncommitted was
  acknowledged, the broker redelivers it to the new receiver (or to the next worker).
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import logging
import multiprocessing as mp
import signal
import threading
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as MpEvent
from typing import TYPE_CHECKING, Any

from tracking.ingest.acks import AckLedger
from tracking.ingest.mqtt import AckToken, MqttSettings, MqttSubscriber, ingest_message

if TYPE_CHECKING:  # the child process imports this module: keep it light
    from tracking.ingest.pipeline import IngestPipeline
    from tracking.ingest.writer import BatchWriter

log = logging.getLogger(__name__)

RawMessage = tuple[str, bytes, float, int]
"""(topic, payload, time received as a POSIX timestamp, the receiver's sequence number)."""


BATCH_WINDOW_S = 0.005
"""How long the receiver lets a batch build up before handing it over (unless ``BATCH_SIZE`` wait)."""
BATCH_SIZE = 500
CHECK_INTERVAL_S = 0.1
"""How often the receiver looks at the stop signal, the worker's liveness and its connection."""


def _receive(
    settings: MqttSettings, out: Connection, acks: Connection, stop: MpEvent, max_pending: int
) -> None:
    """The child process: subscribe, forward batches of raw messages until ``stop``, then drain.

    The worker answers on ``acks`` with "done through sequence number N"; only then are those
    messages acknowledged to the broker.
    """
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s mqtt-receiver %(levelname)s %(message)s")
    # Ctrl-C and a service manager's SIGTERM reach the whole process group: the worker decides when
    # this process stops (after draining it), so the signals are left to the worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    parent = mp.parent_process()
    pending: list[RawMessage] = []
    unacked: collections.deque[tuple[int, AckToken]] = collections.deque()
    cond = threading.Condition()
    stopping = False
    sequence = itertools.count()

    def hold(topic: str, payload: bytes, received_at: datetime, token: AckToken) -> None:  # paho's thread
        with cond:
            while len(pending) >= max_pending and not stopping:
                cond.wait(0.1)  # paho stops reading: the broker keeps the backlog
            seq = next(sequence)
            unacked.append((seq, token))
            pending.append((topic, payload, received_at.timestamp(), seq))
            if len(pending) in (1, BATCH_SIZE):
                cond.notify_all()

    subscriber = MqttSubscriber(settings, hold)
    subscriber.start()
    connected = False
    checked = 0.0
    try:
        while True:
            now = time.monotonic()
            if now - checked >= CHECK_INTERVAL_S:
                checked = now
                if stop.is_set():
                    break
                if parent is not None and not parent.is_alive():
                    log.error("the ingest worker is gone; the MQTT receiver stops")
                    break
                if subscriber.connected.is_set() != connected:
                    connected = not connected
                    out.send(("connected", connected))
            with cond:
                if not pending:
                    cond.wait(CHECK_INTERVAL_S)
                if pending and len(pending) < BATCH_SIZE:
                    cond.wait(BATCH_WINDOW_S)  # fewer, larger hand-overs: far less CPU per message
                batch = pending[:]
                pending.clear()
                cond.notify_all()
            if batch:
                out.send(("batch", batch))
            while acks.poll():
                through = acks.recv()
                with cond:
                    tokens = []
                    while unacked and unacked[0][0] <= through:
                        tokens.append(unacked.popleft()[1])
                subscriber.ack(tokens)
        subscriber.stop()  # disconnect first: nothing new arrives, the session stays on the broker
        with cond:
            stopping = True
            batch = pending[:]
            pending.clear()
            cond.notify_all()
        if batch:
            out.send(("batch", batch))
    except (BrokenPipeError, EOFError, OSError):
        subscriber.stop()  # the worker is gone: stop acknowledging messages nobody will store
    finally:
        out.close()


class ProcessMqttIngest:
    """Like :class:`~tracking.ingest.mqtt.MqttIngest`, with the MQTT client in a child process."""

    def __init__(
        self,
        settings: MqttSettings,
        pipeline: IngestPipeline,
        writer: BatchWriter,
        *,
        max_pending: int = 20_000,
        restart_backoff_s: float = 1.0,
    ) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.writer = writer
        self.max_pending = max_pending
        self.restart_backoff_s = restart_backoff_s
        self.connected = threading.Event()
        self.restarts = pipeline.metrics.receiver_restarts
        self._ctx = mp.get_context("spawn")
        self._stop_child: Any = None
        self._child: Any = None
        self._inbox: Connection | None = None
        self._acks_out: Connection | None = None
        self._incarnation = 0
        self._pump: threading.Thread | None = None
        self._stopping = False
        self.ledger: AckLedger[tuple[int, int]] = AckLedger()
        """(receiver incarnation, receiver sequence number) of each message not yet acknowledged."""
        self._ack_lock = threading.Lock()
        writer.on_done = self._done

    @property
    def child_pid(self) -> int | None:
        """Process id of the receiving child (for operators and tests)."""
        return self._child.pid if self._child is not None else None

    def start(self) -> None:
        self._stopping = False
        self._spawn()
        self._pump = threading.Thread(target=self._run, name="siaga-ingest-pump", daemon=True)
        self._pump.start()

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop receiving; every message the child forwarded is handled before this returns."""
        self._stopping = True
        if self._stop_child is not None:
            self._stop_child.set()
        if self._pump is not None:
            self._pump.join(timeout_s)
        if self._child is not None:
            self._child.join(timeout_s)
            if self._child.is_alive():
                self._child.kill()
        self.connected.clear()

    def _spawn(self) -> None:
        inbox, outbox = self._ctx.Pipe(duplex=False)
        acks_in, acks_out = self._ctx.Pipe(duplex=False)
        self._stop_child = self._ctx.Event()
        with self._ack_lock:
            self._incarnation += 1  # acknowledgements owed to a dead receiver are moot: the broker redelivers
            if self._acks_out is not None:
                self._acks_out.close()
            self._acks_out = acks_out
        self._child = self._ctx.Process(
            target=_receive,
            args=(self.settings, outbox, acks_in, self._stop_child, self.max_pending),
            name=f"siaga-mqtt-{self.settings.client_id}",
            daemon=True,
        )
        self._child.start()
        outbox.close()  # the child holds the only writing end: its exit means EOF here
        acks_in.close()
        self._inbox = inbox

    def _run(self) -> None:
        while True:
            assert self._inbox is not None
            try:
                kind, data = self._inbox.recv()
            except (EOFError, OSError):
                self.connected.clear()
                self._inbox.close()
                if self._stopping:
                    return
                log.error(
                    "MQTT receiver process %s exited (code %s); restarting in %.0f s",
                    self.child_pid,
                    self._child.exitcode if self._child is not None else None,
                    self.restart_backoff_s,
                )
                self.restarts.inc()
                time.sleep(self.restart_backoff_s)
                if self._stopping:
                    return
                self._spawn()
                continue
            if kind == "batch":
                incarnation = self._incarnation
                finished = []  # reported once per batch: at most one acknowledgement message per batch
                for topic, payload, received, child_seq in data:
                    seq = self.ledger.add((incarnation, child_seq))
                    at = datetime.fromtimestamp(received, UTC)
                    if not ingest_message(self.pipeline, self.writer, topic, payload, at, seq):
                        finished.append(seq)
                if finished:
                    self._done(finished)
            elif kind == "connected":
                if data:
                    self.connected.set()
                else:
                    self.connected.clear()

    def _done(self, seqs: list[int]) -> None:
        """Messages finished with: tell the receiver how far it may acknowledge (in arrival order)."""
        self.ledger.done(seqs)
        with self._ack_lock:
            released = self.ledger.release()
            current = [child_seq for incarnation, child_seq in released if incarnation == self._incarnation]
            if current and self._acks_out is not None:
                # a dead receiver cannot be told; the broker redelivers what it did not acknowledge
                with contextlib.suppress(OSError):
                    self._acks_out.send(current[-1])
