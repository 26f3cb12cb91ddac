"""GPS tracking: device protocols, filters, fleet state, MQTT ingest, simulator."""
