"""``GET /docs``: Swagger UI served from this app (``web_vendor/``, fetched from the npm registry at
setup by ``scripts/fetch-web-assets.sh``), so the API documentation works offline and under the
strict Content-Security-Policy (no CDN, no inline script: ``/static/docs.js`` starts it). ReDoc,
which FastAPI would load from a CDN, is not served.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from siaga.api.routes_console import WEB_DIR

SWAGGER_UI_VERSION = "5.35.0"
"""swagger-ui-dist from the npm registry; keep in step with ``scripts/fetch-web-assets.sh``."""
SWAGGER_UI_DIR = f"/vendor/swagger-ui-dist-{SWAGGER_UI_VERSION}"

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    page = (WEB_DIR / "docs.html").read_text(encoding="utf-8")
    return HTMLResponse(page.replace("/vendor/swagger-ui-dist/", f"{SWAGGER_UI_DIR}/"))
