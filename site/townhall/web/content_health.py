"""Content health: what the site does with each content file, and what to fix; and the preview's checks.

/content-health lists every file with a problem: whether the site serves it as it
is, serves its last good version, or leaves it out, and each problem with its
line and what to do. The content team opens it in the staff area
(/staff/content-health, content and admin roles); /content-health shows the same
to requests made on this machine only (`local_only`: `make preview` on a
laptop has no staff accounts), and anyone else gets "Page not found".

In preview (and development), every content page shows its problems above it
and its checks in a panel that can be hidden (`page_checks`, a template global),
and the browser reloads the page when the content changes (`/preview/version`,
used by static/preview.js; without JavaScript, reload by hand).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, abort, current_app, jsonify, request

from .. import engines
from ..content.lint import check_page, lint_site
from ..engines.content import is_preview
from .common import content_site, render, today

bp = Blueprint("content_health", __name__)
LOCAL_ADDRESSES = {"127.0.0.1", "::1", "localhost"}
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host")
STATE_ORDER = {"left-out": 0, "last-good": 1, "draft": 2, "partial": 3, "published": 4}


def is_local_request() -> bool:
    """Made on this machine, not through a proxy (behind one, every request would look local)."""
    return request.remote_addr in LOCAL_ADDRESSES and not any(header in request.headers for header in PROXY_HEADERS)


def local_only(view: Callable) -> Callable:
    """Answer only requests from this machine; others get the ordinary "Page not found"."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not is_local_request():
            abort(404)
        return view(*args, **kwargs)

    return guarded


def install(app: Flask) -> None:
    app.add_template_global(preview_mode)
    app.add_template_global(page_checks)
    app.add_template_global(site_health)


def preview_mode() -> bool:
    return is_preview(current_app)


def page_checks(item: Any) -> dict[str, Any] | None:
    """For the preview panel: the page's errors (from its file and, for a translation, its English page's),
    its other findings, its reading age and what the live site would do with it."""
    if item is None or not preview_mode() or not getattr(item, "source", ""):
        return None
    site = content_site()
    paths = [item.source]
    originals = {"services": site.services, "pages": site.pages}.get(item.source.split("/", 1)[0], {})
    english = originals.get(getattr(item, "slug", ""))
    if english is not None and english.source != item.source:
        paths.append(english.source)
    loaded = [problem for path in paths for problem in site.files.get(path, _NoStatus).problems]
    checked = check_page(site, item.source, today())
    problems = [*loaded, *checked.problems]
    status = site.files.get(item.source)
    return {
        "errors": [problem for problem in problems if problem.is_error],
        "warnings": [problem for problem in problems if not problem.is_error],
        "reading_age": checked.reading_age,
        "words": checked.words,
        "state": status.state if status else "published",
    }


class _NoStatus:
    problems: list = []


def site_health() -> dict[str, int]:
    """How many files have errors, for the preview's notice on every page."""
    files = content_site().files.values()
    return {"files_with_errors": sum(1 for status in files if status.errors)}


@bp.route("/content-health")
@local_only
def health():
    return health_page()


def health_page(layout: str = "layout.html"):
    """The content health view, drawn in `layout` (the staff area's, or the site's for /content-health)."""
    site = content_site()
    lint = lint_site(site, today())
    by_path: dict[str, list] = {}
    for problem in [*site.problems, *lint]:
        by_path.setdefault(problem.path, []).append(problem)
    rows = []
    for path, problems in by_path.items():
        status = site.files.get(path)
        state = status.state if status else "published"
        problems.sort(key=lambda problem: (not problem.is_error, problem.line or 0))
        rows.append({"path": path, "state": state, "saved_at": status.saved_at if status else None,
                     "problems": problems, "errors": sum(1 for p in problems if p.is_error)})
    rows.sort(key=lambda row: (STATE_ORDER.get(row["state"], 9), -row["errors"], row["path"]))
    counts: dict[str, int] = {}
    for status in site.files.values():
        counts[status.state] = counts.get(status.state, 0) + 1
    content = engines.content_engine()
    return render("content_health/health.html", rows=rows, counts=counts, loaded_at=content.loaded_at,
                  total_files=len(site.files), preview=preview_mode(), layout=layout)


@bp.route("/preview/version")
@local_only
def version():
    """The content's fingerprint, for the preview's reload-on-change (static/preview.js)."""
    if not preview_mode():
        abort(404)
    engines.content_engine().reload_if_changed()
    return jsonify(version=content_site().fingerprint)
