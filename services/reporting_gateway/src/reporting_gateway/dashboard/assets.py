"""The dashboard's files, read once from the package (`static/`): each with its media type
and a strong ETag, so a browser revalidates instead of downloading again."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
PAGE = "index.html"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


def _walk(folder: Traversable, prefix: str = "") -> dict[str, Asset]:
    found: dict[str, Asset] = {}
    for entry in folder.iterdir():
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            found.update(_walk(entry, f"{name}/"))
            continue
        suffix = entry.name[entry.name.rfind(".") :]
        if suffix not in MEDIA_TYPES:
            continue  # READMEs and licences stay in the package, not on the web
        body = entry.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        found[name] = Asset(body, MEDIA_TYPES[suffix], etag)
    return found


def load() -> dict[str, Asset]:
    """Every servable file under `static/`, by its path there (`vendor/chart.umd.min.js`)."""
    return _walk(resources.files(__package__).joinpath("static"))


ASSETS = load()
