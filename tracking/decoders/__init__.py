"""Device protocol decoders: raw payload in, :data:`~tracking.fix.DecodeResult` out, never an exception.

One module per protocol, as in Traccar: :mod:`.owntracks` (OwnTracks apps, MQTT or HTTP), :mod:`.native`
(our compact JSON for in-vehicle trackers), :mod:`.traccar` (Traccar Client / OsmAnd HTTP). Every decoder
bounds the payload size (:data:`~tracking.fix.MAX_PAYLOAD_BYTES`) before parsing and takes the server's
``received_at`` as an argument, so decoding is pure.
"""

from __future__ import annotations

from tracking.decoders.native import decode_native
from tracking.decoders.owntracks import decode_owntracks
from tracking.decoders.traccar import decode_traccar_json, decode_traccar_params, decode_traccar_query

__all__ = [
    "decode_native",
    "decode_owntracks",
    "decode_traccar_json",
    "decode_traccar_params",
    "decode_traccar_query",
]
