"""Table of each unit's device health: app, battery, clock offset, fixes rejected today, last rejection.

One row per unit (its current device): the ingest workers add what they saw since their last flush
(every second) so the figures survive restarts and add up across workers. Fixes *accepted* today are
counted from ``position_fixes`` itself, which is the truth for them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch_geo.storage.models import ID_LENGTH, Base
from dispatch_geo.storage.types import UtcDateTime


class DeviceHealthRow(Base):
    """What the ingest saw of a unit's device (``device_id`` as it reports, e.g. ``amb-siak-01/phone``)."""

    __tablename__ = "device_health"

    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    app: Mapped[str] = mapped_column(String(ID_LENGTH), comment="protocol: owntracks, traccar, native, api")
    last_message_at: Mapped[datetime] = mapped_column(UtcDateTime(), comment="server time of the last one")
    battery_pct: Mapped[float | None] = mapped_column(Float)
    battery_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    clock_ahead_s: Mapped[float | None] = mapped_column(
        Float, comment="fix time minus server receive time of the newest message (> 0: device clock ahead)"
    )
    day: Mapped[date] = mapped_column(Date, comment="WIB day the rejection count is for")
    rejected_today: Mapped[int] = mapped_column(BigInteger, default=0)
    last_rejection_reason: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    last_rejection_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        CheckConstraint(
            "battery_pct IS NULL OR (battery_pct >= 0 AND battery_pct <= 100)", name="battery_range"
        ),
        CheckConstraint("rejected_today >= 0", name="rejected_not_negative"),
    )
