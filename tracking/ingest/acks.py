"""Acknowledge MQTT messages only once they are safe, and in the order they arrived.

A QoS 1 message is acknowledged (PUBACK) to the broker only when it is *done*: committed to the
database, or deliberately not stored (rejected, ignored, refused by the database). Until then the
broker keeps it in the session, so a worker that dies with fixes in its write buffer loses nothing:
the broker delivers them again to the next worker with the same client id.

MQTT requires a client to acknowledge QoS 1 messages in the order it received them, while fixes
finish out of order (a rejected message is done at once, an accepted one only after its batch is
committed). :class:`AckLedger` turns completions in any order into releases in arrival order.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

Token = TypeVar("Token", bound=Hashable)


class AckLedger(Generic[Token]):
    """Messages in arrival order; :meth:`release` hands back the tokens of the done prefix. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._order: collections.deque[int] = collections.deque()
        self._tokens: dict[int, Token] = {}
        self._done: set[int] = set()
        self._next = 0

    def add(self, token: Token) -> int:
        """Record a message that arrived; returns its sequence number (for :meth:`done`)."""
        with self._lock:
            seq = self._next
            self._next += 1
            self._order.append(seq)
            self._tokens[seq] = token
            return seq

    def done(self, seqs: Iterable[int]) -> None:
        """Mark messages done (unknown or already released sequence numbers are ignored)."""
        with self._lock:
            self._done.update(seq for seq in seqs if seq in self._tokens)

    def release(self) -> list[Token]:
        """Tokens of the messages now safe to acknowledge, in arrival order (each returned once)."""
        released: list[Token] = []
        with self._lock:
            while self._order and self._order[0] in self._done:
                seq = self._order.popleft()
                self._done.discard(seq)
                released.append(self._tokens.pop(seq))
        return released

    def pending(self) -> int:
        """Messages received and not yet released."""
        with self._lock:
            return len(self._order)
