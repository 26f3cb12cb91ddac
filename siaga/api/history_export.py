"""The incident history (``GET /incidents?format=csv|xlsx``) as a CSV file or an XLSX workbook.

One row per incident with its times (UTC ISO 8601 and WIB), place, the units sent, who created it,
and the links to its timeline and replay. Caller identity only for the roles that see it. At most
:data:`EXPORT_MAX_ROWS` rows: a larger selection is refused with ``export_too_large`` (narrow the
period) rather than silently cut.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import Response
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_geo.errors import InputError
from dispatch_geo.storage.models import AssignmentRow, IncidentRow

EXPORT_MAX_ROWS = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIB = ZoneInfo("Asia/Jakarta")
COLUMNS = (
    "id",
    "created_at",
    "created_at_wib",
    "call_received_at",
    "closed_at",
    "status",
    "incident_type",
    "priority",
    "kecamatan_kode",
    "kecamatan_nama",
    "desa_kode",
    "desa_nama",
    "address",
    "landmark",
    "description",
    "units",
    "created_by",
    "caller_name",
    "caller_phone",
    "simulated",
    "timeline_url",
    "replay_url",
)


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _units(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    units: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        stmt = (
            select(AssignmentRow.incident_id, AssignmentRow.unit_id)
            .where(AssignmentRow.incident_id.in_(chunk))
            .order_by(AssignmentRow.assigned_at, AssignmentRow.id)
        )
        for incident_id, unit_id in session.execute(stmt):
            if unit_id not in units[incident_id]:
                units[incident_id].append(unit_id)
    return units


def history_rows(session: Session, rows: Sequence[IncidentRow], *, caller_data: bool) -> list[dict[str, Any]]:
    """One flat dict of :data:`COLUMNS` per incident."""
    units = _units(session, [r.id for r in rows])
    return [
        {
            "id": r.id,
            "created_at": _iso(r.created_at),
            "created_at_wib": r.created_at.astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S"),
            "call_received_at": _iso(r.call_received_at),
            "closed_at": _iso(r.closed_at),
            "status": str(r.status),
            "incident_type": str(r.incident_type),
            "priority": r.priority,
            "kecamatan_kode": r.kecamatan_kode,
            "kecamatan_nama": r.kecamatan_nama,
            "desa_kode": r.desa_kode,
            "desa_nama": r.desa_nama,
            "address": r.address,
            "landmark": r.landmark,
            "description": r.description,
            "units": " ".join(units.get(r.id, [])),
            "created_by": r.created_by,
            "caller_name": r.caller_name if caller_data else None,
            "caller_phone": r.caller_phone if caller_data else None,
            "simulated": bool(r.simulated),
            "timeline_url": f"/api/v1/incidents/{r.id}/timeline",
            "replay_url": f"/replay/{r.id}",
        }
        for r in rows
    ]


def history_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def history_xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "incidents"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_response(session: Session, rows: list[IncidentRow], format: str, *, caller_data: bool) -> Response:
    """The matching incidents as a CSV or XLSX download; :class:`InputError` ``export_too_large``."""
    if len(rows) > EXPORT_MAX_ROWS:
        raise InputError(f"more than {EXPORT_MAX_ROWS} incidents match; narrow the period").coded(
            "export_too_large", max_rows=EXPORT_MAX_ROWS
        )
    flat = history_rows(session, rows, caller_data=caller_data)
    headers = {"Content-Disposition": f'attachment; filename="siaga-riwayat.{format}"'}
    if format == "csv":
        return Response(history_csv(flat), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(history_xlsx(flat), media_type=XLSX, headers=headers)
