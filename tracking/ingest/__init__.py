"""The ingest service: MQTT (and HTTP) messages → decoded, filtered fixes → fleet state and PostGIS history.

Pieces, each usable alone: :mod:`.metrics` (Prometheus counters), :mod:`.registry` (device → unit),
:mod:`.pipeline` (decode → identify → filter → state, pure apart from its own memory),
:mod:`.writer` (batched, buffered database writes that ride out an outage) and :mod:`.mqtt`
(the paho-mqtt client: QoS 1, persistent session, shared subscription, reconnect with backoff).
"""
