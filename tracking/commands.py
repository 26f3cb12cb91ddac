"""Remote commands to device apps: OwnTracks' ``reportLocation`` (the app publishes a fix at once).

OwnTracks listens on ``owntracks/<user>/<device>/cmd`` when remote commands are on (the set-up sheet
turns them on); the shipped Mosquitto ACL lets the ingest user write there and each device read only
its own. Traccar Client has no remote commands. Pure: topic and payload only; sending is the caller's.
"""

from __future__ import annotations

import json

REPORT_LOCATION = json.dumps({"_type": "cmd", "action": "reportLocation"}).encode("utf-8")
"""The command payload (owntracks.org booklet, "Remote commands")."""


def owntracks_cmd_topic(device_id: str) -> str | None:
    """The command topic of a paired device id ``login/device`` (an OwnTracks app instance); None for a
    bare login, which OwnTracks also uses but whose device part (and so its topic) is unknown."""
    login, sep, device = device_id.partition("/")
    if not sep or not login or not device or "/" in device or any(c in device_id for c in "+#"):
        return None
    return f"owntracks/{login}/{device}/cmd"
