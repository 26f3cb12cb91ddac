"""``GET /docs``: Swagger UI served from this app (``web_vendor/``, fetched from the npm registry at
setup by ``scripts/fetch-web-assets.sh``), so the API documentation works offline and under the
strict Content-Security-Policy (no CDN, no inline script: ``/static/docs.js`` starts it). ReDoc,
which FastAPI would load from a CDN, is not served.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse

from siaga.api import routes_console

SWAGGER_UI_VERSION = "5.35.0"
"""swagger-ui-dist from the npm registry; keep in step with ``scripts/fetch-web-assets.sh``."""
SWAGGER_UI_DIR = f"/vendor/swagger-ui-dist-{SWAGGER_UI_VERSION}"

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    bundle = routes_console.VENDOR_DIR / f"swagger-ui-dist-{SWAGGER_UI_VERSION}" / "swagger-ui-bundle.js"
    if not bundle.is_file():  # a blank page would not say why
        raise HTTPException(
            503, f"Swagger UI assets not found ({bundle}); run scripts/fetch-web-assets.sh (make web-assets)"
        )
    page = (routes_console.WEB_DIR / "docs.html").read_text(encoding="utf-8")
    return HTMLResponse(page.replace("/vendor/swagger-ui-dist/", f"{SWAGGER_UI_DIR}/"))
