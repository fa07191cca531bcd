"""Small helpers every blueprint uses: the loaded content, the reader's language and
preferences, and rendering a page or, for htmx, one block of the same template.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from flask import abort, current_app, render_template, request
from jinja2_fragments.flask import render_block

from .. import clock, engines
from ..content import Site
from ..preferences import COOKIE_NAME, Preferences, from_cookie
from .i18n import current_language

T = TypeVar("T")
# In the environ of the requests a new worker makes to itself before it takes visitors (serving.warm_up):
# they are not a visitor's, so they are neither counted nor noted.
WARM_UP = "townhall.warm_up"


def content_site() -> Site:
    return engines.site()


def today() -> date:
    """Today in the UK; tests fix it with the TOWNHALL_TODAY setting (an ISO date), or TOWNHALL_NOW."""
    return clock.today(current_app.config.get("TOWNHALL_TODAY"), current_app.config.get("TOWNHALL_NOW"))


def now() -> datetime:
    """This moment in the UK (timezone-aware): what statuses and alerts are compared with.

    Tests fix it with TOWNHALL_NOW (an ISO date and time); with only TOWNHALL_TODAY set,
    it is midday on that day, so pages that use both agree.
    """
    return clock.now(current_app.config.get("TOWNHALL_NOW"), current_app.config.get("TOWNHALL_TODAY"))


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


def only_redirects(view: T) -> T:
    """Marks a view that only sends the reader elsewhere, so the sitemap leaves its address out."""
    view.only_redirects = True  # type: ignore[attr-defined]
    return view


def step_of_a_form(view: T) -> T:
    """Marks a page reached only by sending a form (a confirmation, a thank-you): not for the sitemap."""
    view.only_redirects = True  # type: ignore[attr-defined]  # the sitemap's test: no page to list on its own
    return view
