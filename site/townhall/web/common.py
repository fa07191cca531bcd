"""Small helpers every blueprint uses: the loaded content, the reader's language and
preferences, and rendering a page or, for htmx, one block of the same template.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, TypeVar

from flask import abort, current_app, render_template, request
from jinja2_fragments.flask import render_block

from .. import engines
from ..content import Site
from ..hours import LONDON
from ..preferences import COOKIE_NAME, Preferences, from_cookie
from .i18n import current_language

T = TypeVar("T")


def content_site() -> Site:
    return engines.site()


def today() -> date:
    """Today in the UK; tests fix it with the TOWNHALL_TODAY setting (an ISO date) or TOWNHALL_NOW."""
    fixed = current_app.config.get("TOWNHALL_TODAY")
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return now().astimezone(LONDON).date()


def now() -> datetime:
    """This moment, timezone-aware; tests fix it with the TOWNHALL_NOW setting (an aware datetime or ISO text)."""
    fixed = current_app.config.get("TOWNHALL_NOW")
    if fixed:
        moment = fixed if isinstance(fixed, datetime) else datetime.fromisoformat(str(fixed))
        return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)
    return datetime.now(UTC)


def language() -> str:
    return current_language()


def preferences() -> Preferences:
    return from_cookie(request.cookies.get(COOKIE_NAME))


def is_htmx() -> bool:
    """True for requests htmx made on the reader's behalf (not history restores)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def is_api() -> bool:
    """Whether this request is for the JSON API (/api/..., in any language): errors there are JSON too."""
    return request.path == "/api" or request.path.startswith("/api/")


def render(template: str, block: str | None = None, **context: Any) -> str:
    """Render the whole page, or for an htmx request only `block` of the same template.

    One template serves both, so the fragment can never drift from the page.
    """
    if block and is_htmx():
        return render_block(template, block, **context)
    return render_template(template, **context)


def found_or_404(found: T | None) -> T:
    """What a view looked up, or the kind 'Page not found' page when there is nothing by that name."""
    if found is None:
        abort(404)
    return found
