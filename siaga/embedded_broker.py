"""An in-process MQTT broker (amqtt) for the one-command demo, so no Mosquitto has to be installed.

amqtt speaks MQTT 3.1.1 only (REFERENCE.md §1): the demo's ingest worker connects with 3.1.1 and a
plain subscription. Production uses Mosquitto (deploy/mosquitto/).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading

from amqtt.broker import Broker

log = logging.getLogger(__name__)


class EmbeddedBroker:
    """amqtt on 127.0.0.1:``port`` in its own thread and event loop."""

    def __init__(self, port: int) -> None:
        self.host = "127.0.0.1"
        self.port = port
        self._loop = asyncio.new_event_loop()
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        self._broker = Broker(config, loop=self._loop)
        self._thread = threading.Thread(target=self._run, name="siaga-demo-broker", daemon=True)
        self._started = threading.Event()
        self._error: BaseException | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._broker.start())
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._started.set()
            return
        self._started.set()
        self._loop.run_forever()

    def start(self, timeout_s: float = 10.0) -> None:
        self._thread.start()
        if not self._started.wait(timeout_s) or self._error is not None:
            raise RuntimeError(f"the embedded MQTT broker did not start on port {self.port}: {self._error}")
        log.info("embedded MQTT broker listening on %s:%d", self.host, self.port)

    def stop(self) -> None:
        future = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop)
        try:
            future.result(timeout=3)
        except Exception as exc:  # process boundary: shutting down anyway
            log.debug("embedded broker shutdown: %s", exc)
        self._loop.call_soon_threadsafe(self._loop.stop)


def free_port(preferred: int) -> int:
    """``preferred`` if nothing listens there, else a free port chosen by the OS."""
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", preferred)) != 0:
            return preferred
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
