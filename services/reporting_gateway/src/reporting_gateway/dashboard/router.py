"""`GET /dashboard` (the page) and `GET /dashboard/static/{path}` (its files). No token: the
page signs in itself and sends the token to the KPI endpoints, which check it. Left out of
the OpenAPI: the page is for people, not an API."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from common.errors import NotFound
from reporting_gateway.dashboard.assets import ASSETS, PAGE, Asset

router = APIRouter(include_in_schema=False)

# Scripts, styles and calls from this origin only, and nothing inline: a figure or an
# office name can never run as script. The page may not be framed (clickjacking).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _answer(request: Request, asset: Asset) -> Response:
    # Revalidated every time (no-cache), answered 304 while unchanged: an upgraded gateway's
    # files are seen at once, and unchanged ones cost a round trip only.
    headers = {**SECURITY_HEADERS, "ETag": asset.etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


@router.get("/dashboard")
async def dashboard(request: Request) -> Response:
    return _answer(request, ASSETS[PAGE])


@router.get("/dashboard/static/{path:path}")
async def static_file(request: Request, path: str = Path(max_length=200)) -> Response:
    asset = ASSETS.get(path)
    if asset is None or path == PAGE:
        raise NotFound(f"The dashboard has no file {path!r}.")
    return _answer(request, asset)
