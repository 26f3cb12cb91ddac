"""One built live picture and the answers cut from it: the whole picture or only what changed.

A console sends the ``version`` it holds (``GET /live?since=``) and gets only the units whose feature
changed since then (a unit that only moved as ``[id, lon, lat, last_fix_time]`` in ``moved``), the
units removed, and the open-incident list if it changed (``null`` if not). A
unit's feature carries no value that changes without a real change: no fix age, no stale flag (the
console computes both from ``last_fix_time``, the picture's ``generated_at`` and ``stale_after_s``), so
a unit that did not report and did not change is not sent again. A version is ``<epoch>.<n>``: the
epoch is this process's (a random id), so a console whose base another worker or an earlier process
made gets the whole picture; within an epoch every version since the process started is answerable
(each unit keeps the version it last changed in), so a console that missed answers still converges.

Each distinct answer is encoded once per snapshot and given to every console that asks the same;
bodies are gzip-compressed once too, for clients that accept it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Marker = tuple[int, ...]
GZIP_MIN_BYTES = 1024
"""Smaller bodies are sent as they are (compression would not pay for itself)."""


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def dump(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Body:
    """An encoded answer: its bytes, their ETag, and (made on first use) their gzip form."""

    raw: bytes
    etag: str
    _gzip: list[bytes] = field(default_factory=list, compare=False, repr=False)

    def encoded(self, *, gzip_ok: bool) -> tuple[bytes, str | None]:
        """The bytes to send and their Content-Encoding (None: as they are)."""
        if not gzip_ok or len(self.raw) < GZIP_MIN_BYTES:
            return self.raw, None
        if not self._gzip:
            self._gzip.append(gzip.compress(self.raw, compresslevel=1, mtime=0))
        return self._gzip[0], "gzip"


@dataclass(frozen=True)
class Snapshot:
    """One built picture, with what each unit and the incident list last changed in."""

    marker: Marker
    built_at: float
    """``time.monotonic()`` when it was built."""
    generated_at: datetime
    epoch: str
    version: int
    head: bytes
    """``{"generated_at":…,"max_age_s":…,"stale_after_s":…`` (no closing brace)."""
    collection_head: bytes
    """The units FeatureCollection up to its ``"features":`` value (no features)."""
    features: dict[str, bytes]
    """Unit id → its encoded feature, in the fleet's order (by id)."""
    changed_at: dict[str, int]
    """Unit id → the version its feature last changed in (appeared or changed)."""
    shown_at: dict[str, int]
    """Unit id → the version its feature last changed in other than by a move (position, fix time)."""
    moves: dict[str, bytes]
    """Unit id → ``[id, lon, lat, last_fix_time]`` encoded (units with a position): what a delta sends
    for a unit that only moved, instead of its whole feature (a tenth of the bytes)."""
    removed_at: dict[str, int]
    """Unit id → the version it left the fleet in (while it stays away)."""
    incidents_full: bytes
    incidents_redacted: bytes
    incidents_changed_at: int
    _answers: dict[tuple[int | None, bool], Body] = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @property
    def units(self) -> int:
        return len(self.features)

    @property
    def tag(self) -> str:
        return f"{self.epoch}.{self.version}"

    def base_of(self, since: str | None) -> int | None:
        """The version a console holds, if this process can answer from it (None: send everything)."""
        if since is None:
            return None
        epoch, _, number = since.partition(".")
        if epoch != self.epoch or not number.isdigit():
            return None
        base = int(number)
        return base if base <= self.version else None

    def answer(self, *, since: str | None, caller_data: bool) -> Body:
        """The whole picture (``since`` unknown or absent) or what changed since ``since``."""
        base = self.base_of(since)
        key = (base, caller_data)
        body = self._answers.get(key)
        if body is None:
            with self._lock:
                body = self._answers.get(key)
                if body is None:
                    body = self._encode(base, caller_data=caller_data)
                    self._answers[key] = body
        return body

    def _encode(self, base: int | None, *, caller_data: bool) -> Body:
        incidents = self.incidents_full if caller_data else self.incidents_redacted
        moved: list[bytes] = []
        if base is None:
            features = list(self.features.values())
            removed: list[str] = []
        else:
            features = []
            for u, v in self.changed_at.items():
                if v <= base:
                    continue
                if self.shown_at[u] <= base and u in self.moves:
                    moved.append(self.moves[u])
                else:
                    features.append(self.features[u])
            removed = sorted(u for u, v in self.removed_at.items() if v > base)
            if self.incidents_changed_at <= base:
                incidents = b"null"
        listed = b"[" + b",".join(features) + b"]"
        units = self.collection_head + listed + b"}"
        # the whole picture's ETag covers its content only (not the time it was made, nor the version,
        # which is the process's own): every worker gives the same picture the same ETag
        etag = etag_of((b"" if base is None else dump([self.tag, base])) + listed + incidents)
        raw = (
            self.head
            + b","
            + dump({"version": self.tag, "base": None if base is None else f"{self.epoch}.{base}"})[1:-1]
            + b',"full":'
            + (b"true" if base is None else b"false")
            + b',"units":'
            + units
            + b',"moved":['
            + b",".join(moved)
            + b'],"removed":'
            + dump(removed)
            + b',"incidents":'
            + incidents
            + b"}"
        )
        return Body(raw=raw, etag=etag)
