"""Pages of operator accounts and shifts beside the console: the printable handover of a shift and the
admin page of operator accounts. Public HTML (outside the OpenAPI document, like the console); the
data behind them needs a logged-in person with the right role (``routes_shifts``, ``routes_operators``)."""

from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from siaga.api.routes_console import page_with_config

router = APIRouter(include_in_schema=False)


@router.get("/handover/{shift_id}", response_class=HTMLResponse)
def handover_page(shift_id: int = Path(ge=1, le=2**62)) -> HTMLResponse:
    return page_with_config("handover.html", {"shiftId": shift_id})


@router.get("/admin", response_class=HTMLResponse)
def admin_page() -> HTMLResponse:
    return page_with_config("admin.html", {})
