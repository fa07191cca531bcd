"""Old addresses answer "moved permanently" (301) with the new one, from the content's redirects.yaml.

The content team lists `old: new` when a page is renamed or removed, so bookmarks, links
from other sites and search engines follow. The Welsh address moves with it (/cy/old to
/cy/new): the language prefix is outside the path the list is written for.
"""

from __future__ import annotations

from flask import Flask, redirect, request

from .common import content_site


def install(app: Flask) -> None:
    app.before_request(follow_redirect)


def follow_redirect():
    """Send an old address on to its new one; do nothing for every other request (one dictionary lookup)."""
    redirects = content_site().redirects
    if not redirects:
        return None
    target = redirects.get(request.path.rstrip("/") or "/")
    if target is None:
        return None
    query = request.query_string.decode("latin-1")
    location = f"{request.script_root}{target}{'?' + query if query and '?' not in target else ''}"
    return redirect(location, code=301)
