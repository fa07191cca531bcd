"""Site search: one GET form that works without JavaScript; htmx swaps in live results as you type.

The index is built (when missing or built from other content) as the app
starts, and by `flask search build`. Other capabilities can add documents
(facilities, for example) with `add_search_source(app, name, documents, fingerprint)`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from flask import Blueprint, Flask, current_app, request
from flask_babel import gettext as _

from ..search import SearchDocument, SearchEngine, ensure_index, facility_documents, index_fingerprint, site_documents
from ..search.documents import KINDS
from ..search.query import stem_word
from ..search.synonyms import load_synonyms
from .common import content_site, language, render

log = logging.getLogger(__name__)
bp = Blueprint("search", __name__)

ENGINE_KEY = "townhall.search"
SOURCES_KEY = "townhall.search_sources"


@dataclass(frozen=True)
class SearchSource:
    """Documents from another capability, and a fingerprint that changes when they do."""

    documents: Callable[[], Iterable[SearchDocument]]
    fingerprint: Callable[[], str]


def add_search_source(app: Flask, name: str, documents: Callable[[], Iterable[SearchDocument]],
                      fingerprint: Callable[[], str]) -> None:
    """Let another capability's documents into the index (rebuilt when their fingerprint changes)."""
    app.extensions.setdefault(SOURCES_KEY, {})[name] = SearchSource(documents, fingerprint)


def synonyms_path(app: Flask) -> Path:
    return Path(app.config["TOWNHALL_CONTENT"]) / "search" / "synonyms.txt"


def all_documents(app: Flask) -> Iterator[SearchDocument]:
    yield from site_documents(app.extensions["townhall.site"])
    for source in app.extensions.get(SOURCES_KEY, {}).values():
        yield from source.documents()


def search_fingerprint(app: Flask) -> str:
    site = app.extensions["townhall.site"]
    sources = app.extensions.get(SOURCES_KEY, {})
    return index_fingerprint(site.fingerprint, *(f"{name}:{sources[name].fingerprint()}" for name in sorted(sources)))


def facilities_source(app: Flask) -> SearchSource:
    """Facilities from the places capability's current geodata generation (libraries, parks...).

    Each result links to "find my nearest" for its kind, where a postcode puts them in order.
    """
    from ..places.store import GeodataFolder, StoredGeodata

    folder = GeodataFolder(app.config["TOWNHALL_GEODATA"])

    def documents() -> Iterable[SearchDocument]:
        current = folder.current
        if current is None:
            return []
        stored = StoredGeodata(current)
        labels = {category.slug: category.label for category in stored.categories}
        return facility_documents(
            {"id": facility.id, "name": facility.name, "url": f"/find-my-nearest?category={facility.category}",
             "type": facility.category, "type_title": labels.get(facility.category, ""),
             "address": ", ".join(part for part in (facility.address, facility.postcode) if part),
             "summary": facility.description, "keywords": (labels.get(facility.category, ""),),
             "phone": facility.phone}
            for facility in stored.facilities
        )

    def fingerprint() -> str:
        current = folder.current
        return current.name if current else "none"

    return SearchSource(documents, fingerprint)


def start_search(app: Flask) -> None:
    """Open the index for serving, building it first if it is missing or stale.

    Several gunicorn workers may start at once: the build lock lets one build
    while the others wait and then reuse it. A failed build is logged and the
    search page says search is unavailable; the rest of the site keeps working.
    """
    folder = Path(app.config["TOWNHALL_SEARCH_INDEX"])
    app.extensions.setdefault(SOURCES_KEY, {}).setdefault("facilities", facilities_source(app))
    synonyms = load_synonyms(synonyms_path(app), key=stem_word)
    for problem in synonyms.problems:
        log.warning("content/search/synonyms.txt: %s", problem)
    app.extensions[ENGINE_KEY] = SearchEngine(folder, synonyms)
    try:
        info, built = ensure_index(folder, search_fingerprint(app), lambda: all_documents(app))
        if built:
            log.info("Built the search index: %d documents in %.2f s", info.documents, info.seconds)
    except Exception:  # noqa: BLE001 - the site must start even if the index cannot be built
        log.exception("The search index could not be built. Run `flask search build` to see why")


def engine() -> SearchEngine:
    return current_app.extensions[ENGINE_KEY]


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def filter_choices() -> tuple[list[tuple[str, str]], list[tuple[str, list[tuple[str, str]]]]]:
    """(kinds, category groups) for the filter controls, in the reader's language."""
    kinds = [("service", _("Council services")), ("organisation", _("Other organisations")),
             ("page", _("About the council"))]
    if current_app.extensions.get(SOURCES_KEY):  # facilities are indexed once the places capability adds them
        kinds.append(("facility", _("Places")))
    site, lang = content_site(), language()
    groups = [(_("Council services"), [(slug, site.category(slug, lang).title) for slug in site.categories])]
    if site.directory and site.directory.categories:
        groups.append((_("Other organisations"),
                       [(slug, category.localised(lang).title) for slug, category in site.directory.categories.items()]))
    return kinds, groups


@bp.route("/search")
def search():
    args = request.args
    kind = args.get("kind") if args.get("kind") in KINDS else None
    results = engine().search(args.get("q", ""), kind=kind, category=args.get("category") or None,
                              page=_page_number(args.get("page")))
    kinds, category_groups = filter_choices()
    known_categories = {slug for _label, options in category_groups for slug, _title in options}
    category = results.category if results.category in known_categories else None
    return render("search/results.html", block="results", results=results, query=results.query,
                  kinds=kinds, category_groups=category_groups, kind=kind, category=category)
