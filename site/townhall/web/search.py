"""Site search: one GET form that works without JavaScript; htmx swaps in live results as you type.

The index itself (what is in it, when it is built) is `engines/search.py`'s.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, make_response, request, url_for
from flask_babel import gettext as _
from markupsafe import escape

from .. import engines
from ..places.postcodes import find_in_text
from ..search.documents import KINDS
from ..search.engine import SearchEngine
from .common import content_site, is_htmx, language, render
from .csrf import csrf
from .insights import is_search_press, note_click, note_search
from .metrics import time_answer
from .templating import council_name
from .wording import DEMO_CATEGORY_LABELS, kind_of_place

bp = Blueprint("search", __name__)


def engine() -> SearchEngine:
    return engines.search()


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def filter_choices() -> tuple[list[tuple[str, str]], list[tuple[str, list[tuple[str, str]]]]]:
    """(kinds, category groups) for the filter controls, in the reader's language."""
    kinds = [("service", _("Council services")), ("organisation", _("Other organisations")),
             ("page", _("About the council"))]
    if "facilities" in engines.search_sources():
        kinds.append(("facility", _("Places")))
    site, lang = content_site(), language()
    groups = [(_("Council services"), [(slug, site.category(slug, lang).title) for slug in site.categories])]
    if site.directory and site.directory.categories:
        groups.append((_("Other organisations"),
                       [(slug, category.localised(lang).title) for slug, category in site.directory.categories.items()]))
    return kinds, groups


def typed_postcode(query: str) -> str | None:
    """A full UK postcode typed in the search box ("BK1 1AA", "bk11aa", "library BK5 2ZE"), standard form."""
    found = find_in_text(query, max_words=12)
    return found[0] if found else None


def result_url(hit) -> str:
    """Where a result links: the Welsh site for a Welsh result, wherever the search was made."""
    root = request.script_root
    if language() == "cy":
        return root + hit.url  # the Welsh site shows the Welsh version, or the English one with a note
    return root + ("/cy" if hit.lang == "cy" else "") + hit.url


def followed_ping(query: str) -> str:
    """Where a result's `ping` goes: /search/followed notes that a result of these words was followed.

    A `ping` attribute rather than a redirect: the link keeps its real address (what a resident copies,
    shares or sees on hover), there is no extra hop and no open-redirect surface, and the browser sends
    it by itself with JavaScript off (Chrome, Edge, Safari; Firefox sends none by default, so clicks are
    undercounted there, which can only make a query look unfollowed, never show anyone's words).
    """
    return url_for("search.followed", q=query)


def result_category(hit) -> str:
    """A result's topic in the reader's language, where we have it in that language."""
    site, lang = content_site(), language()
    if hit.kind == "service" and hit.category in site.categories:
        return site.category(hit.category, lang).title
    if hit.kind == "organisation" and site.directory and hit.category in site.directory.categories:
        return site.directory.categories[hit.category].localised(lang).title
    if hit.kind == "facility":
        return kind_of_place(hit.category_title)
    return hit.category_title


def result_category_lang(hit) -> str:
    site = content_site()
    if (hit.kind == "service" and hit.category in site.categories) or (
            hit.kind == "organisation" and site.directory and hit.category in site.directory.categories) or (
            hit.kind == "facility" and hit.category_title in DEMO_CATEGORY_LABELS):
        return language()
    return hit.lang


@bp.route("/search")
def search():
    args = request.args
    kind = args.get("kind") if args.get("kind") in KINDS else None
    with time_answer("search"):
        results = engine().search(args.get("q", ""), kind=kind, category=args.get("category") or None,
                                  page=_page_number(args.get("page")), lang=language())
    kinds, category_groups = filter_choices()
    known_categories = {slug for _label, options in category_groups for slug, _title in options}
    category = results.category if results.category in known_categories else None
    if results.query and results.ready and results.page == 1 and is_search_press():
        # "Nothing really about it" counts as nothing found, even when the page offers the closest pages.
        note_search(results.query, results.total if results.matched_well else 0)
    context = dict(results=results, query=results.query, kinds=kinds, category_groups=category_groups, kind=kind,
                   category=category, postcode=typed_postcode(results.query),
                   result_url=result_url, result_ping=followed_ping(results.query) if results.query else None,
                   result_category=result_category, result_category_lang=result_category_lang)
    body = render("search/results.html", block="results", **context)
    if not is_htmx():
        return body
    # htmx puts a <title> at the top of a response into the page's title: the tab and the
    # history entry then say what the results are for, as a full page load would.
    title = render("search/results.html", block="title", **context).strip()
    response = make_response(f"<title>{title} – {escape(council_name())}</title>\n{body}")  # title: escaped
    # Whether this answer adds a history entry depends on where the browser is: a browser's own
    # cache must not hand the live answer for "bin" (typed at "bi") to a Search press at "bin".
    response.vary.add("HX-Current-URL")
    if _already_there():
        # Typing replaced the address as the resident went; pressing Search for the same words
        # must not add a second history entry for the same page (Back would seem to do nothing).
        response.headers["HX-Push-Url"] = "false"
    return response


@bp.post("/search/followed")
@csrf.exempt
def followed():
    """A result's ping (<a ping>): note the (scrubbed) words. Only from our own pages; always 204.

    No session token: a ping carries no form, and a forged one could do no more than add one to a count.
    """
    fetched_from = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if fetched_from in ("", "same-origin"):
        query = request.args.get("q", "")[:200]
        if query:
            note_click(query)
    response = Response(status=204)
    response.headers["Cache-Control"] = "no-store"
    return response


def _already_there() -> bool:
    """Whether the browser's address is already this request's (htmx sends it as HX-Current-URL)."""
    try:
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
    except ValueError:  # a header no browser sends ("http://[::1"): not where we are
        return False
    if not current.path:
        return False
    query = request.query_string.decode("latin-1")
    return (current.path, current.query) == (request.script_root + request.path, query)
