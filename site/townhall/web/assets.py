"""One stylesheet and one script per page, built from the layered source files.

Phones on slow connections pay for every request, so the CSS layers (settings,
base, objects, components, utilities, print) and the small scripts (htmx and
ours) are joined once at start-up, named by a hash of their content and served
with a year-long cache and gzip. Asset addresses carry no language prefix, so
the English and Welsh pages share the cached files.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request

from ..display import stylesheet
from .i18n import BASE_SCRIPT_KEY

log = logging.getLogger(__name__)
bp = Blueprint("assets", __name__)

CSS_LAYERS = ("settings", "base", "objects", "components", "utilities", "print")
YEAR = 365 * 24 * 60 * 60


@dataclass(frozen=True)
class Bundle:
    filename: str
    mimetype: str
    body: bytes
    gzipped: bytes
    etag: str


def css_sources(static: Path) -> list[Path]:
    sources: list[Path] = []
    for layer in CSS_LAYERS:
        folder = static / "css" / layer
        single = static / "css" / f"{layer}.css"
        if single.exists():
            sources.append(single)
        if folder.is_dir():
            sources.extend(sorted(folder.glob("*.css")))
    return sources


def js_sources(static: Path) -> list[Path]:
    htmx = static / "vendor" / "htmx.min.js"
    if not htmx.exists():
        log.warning("htmx is missing (%s): run `make install`. Pages still work without it.", htmx)
    ours = sorted((static / "js").glob("*.js"), key=lambda path: (path.name != "townhall.js", path.name))
    return ([htmx] if htmx.exists() else []) + ours


def _bundle(stem: str, extension: str, mimetype: str, parts: list[bytes]) -> Bundle:
    body = b"\n".join(parts)
    digest = hashlib.sha256(body).hexdigest()[:12]
    return Bundle(f"{stem}-{digest}.{extension}", mimetype, body, gzip.compress(body, 9, mtime=0), digest)


def build_bundles(static: Path) -> dict[str, Bundle]:
    css_parts = [stylesheet().encode()] + [path.read_bytes() for path in css_sources(static)]
    js_parts = [path.read_bytes() for path in js_sources(static)]
    css = _bundle("townhall", "css", "text/css; charset=utf-8", css_parts)
    js = _bundle("townhall", "js", "text/javascript; charset=utf-8", js_parts)
    icon = _bundle("townhall-icon", "svg", "image/svg+xml", [(static / "img" / "icon.svg").read_bytes()])
    return {"css": css, "js": js, "icon": icon}


def install(app: Flask) -> None:
    app.extensions["townhall.assets"] = build_bundles(Path(app.static_folder or ""))
    app.register_blueprint(bp)
    app.add_template_global(asset_url)


def bundles() -> dict[str, Bundle]:
    return current_app.extensions["townhall.assets"]


def asset_url(kind: str) -> str:
    """The address of the css or js bundle (or the icon), without any language prefix."""
    base = request.environ.get(BASE_SCRIPT_KEY, request.script_root)
    return f"{base}/assets/{bundles()[kind].filename}"


@bp.route("/assets/<filename>")
def bundle(filename: str) -> Response:
    chosen = next((item for item in bundles().values() if item.filename == filename), None)
    if chosen is None:
        abort(404)
    if request.if_none_match.contains(chosen.etag):
        response = Response(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(chosen.gzipped, mimetype=chosen.mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(chosen.body, mimetype=chosen.mimetype)
    response.set_etag(chosen.etag)
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
