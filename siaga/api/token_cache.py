"""Who a bearer token is, remembered for a few seconds (issue 16: 8 % of a busy server's time).

Every console polls every second with the same token; looking it up each time costs a pooled
connection and a query. A process keeps the answer for ``ttl_s`` seconds (``SIAGA_TOKEN_CACHE_S``,
default 5): a token revoked from the CLI or another worker (``dispatch-geo tokens revoke``, a device
rotated or revoked) stops working within that time everywhere. Only successful lookups are kept (a new
token works at once; guessing fills nothing), keyed by the token's SHA-256 (no token in memory), at most
``max_entries`` (the oldest dropped first).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TokenCache(Generic[T]):
    """Successful token lookups for ``ttl_s`` seconds (0: no caching); thread-safe."""

    def __init__(
        self, *, ttl_s: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ):
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, T]] = OrderedDict()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, token: str) -> T | None:
        """The remembered answer for ``token``, or None (never looked up, or too old)."""
        if self.ttl_s <= 0:
            return None
        key = self._key(token)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self.clock() >= entry[0]:
                del self._entries[key]
                return None
            return entry[1]

    def put(self, token: str, value: T) -> None:
        """Remember ``value`` for ``token`` for ``ttl_s`` seconds."""
        if self.ttl_s <= 0:
            return
        key = self._key(token)
        with self._lock:
            self._entries[key] = (self.clock() + self.ttl_s, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every token (a credential changed in this process)."""
        with self._lock:
            self._entries.clear()
