"""Resized pictures from the content (see content/images.py): immutable files, cached for a year.

Each address names the picture's content hash, so a changed picture has a new
address and an old address never shows a different picture.
"""

from __future__ import annotations

from flask import Blueprint, abort, send_file

from .. import engines

bp = Blueprint("images", __name__)
YEAR = 365 * 24 * 60 * 60
TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}


@bp.route("/images/<digest>/<filename>")
def picture(digest: str, filename: str):
    found = engines.content_engine().images.file_for(digest, filename)
    if found is None:
        abort(404)
    response = send_file(found, mimetype=TYPES.get(found.suffix.lstrip("."), "application/octet-stream"),
                         max_age=YEAR, conditional=True, etag=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
