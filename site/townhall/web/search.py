"""Site search: one GET form that works without JavaScript; htmx swaps in live results as you type.

The index is built (when missing or built from other content) as the app
starts, and by `flask search build`. Other capabilities can add documents
(facilities, for example) with `add_search_source(app, name, documents, fingerprint)`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import quote, urlencode, urlsplit

from flask import Blueprint, Flask, current_app, make_response, request
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from ..places import listing as places_listing
from ..places.errors import PlacesError
from ..places.postcodes import clean as clean_postcode
from ..search import (
    SearchDocument,
    SearchEngine,
    ensure_index,
    facility_documents,
    index_fingerprint,
    site_documents,
)
from ..search.documents import KINDS, LANGUAGES, version_id
from ..search.query import stem_word
from ..search.synonyms import load_synonyms
from .common import content_site, is_htmx, language, render
from .places import DEMO_CATEGORY_LABELS, kind_of_place
from .templating import council_name

log = logging.getLogger(__name__)


def N_(text: str) -> str:
    """Marks a string for translation (`make extract-messages` finds it); translated when it is used."""
    return text

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


def _geodata(app: Flask) -> str:
    return app.config["TOWNHALL_GEODATA"]


def facilities_source(app: Flask) -> SearchSource:
    """Facilities from the places capability's current geodata (libraries, recycling centres...).

    Each result links to "Find my nearest" for its kind from the facility's own
    postcode, so that page lists it first with its opening hours; when we do not
    hold its postcode, to the list of that kind of place.
    """

    def documents() -> Iterable[SearchDocument]:
        found = places_listing.listing(_geodata(app))
        if found is None:
            return []
        labels = {category.slug: category.label for category in found.categories}

        def url(facility) -> str:
            postcode = found.postcodes.get(facility.id)
            query = {"category": facility.category, **({"postcode": postcode} if postcode else {})}
            return "/find-my-nearest?" + urlencode(query)

        return facility_documents(
            {"id": facility.id, "name": facility.name, "url": url(facility),
             "type": facility.category, "type_title": labels.get(facility.category, ""),
             "address": ", ".join(part for part in (facility.address, facility.postcode) if part),
             "summary": facility.description, "keywords": (labels.get(facility.category, ""),),
             "phone": facility.phone, "hours": facility.opening_hours}
            for facility in found.facilities
        )

    def fingerprint() -> str:
        return places_listing.current_generation(_geodata(app)) or "none"

    return SearchSource(documents, fingerprint)


# The places tools, as (endpoint path, title, summary, keywords): words from the pages themselves, and the words
# residents use for what the tools answer. Marked for translation; the Welsh versions are indexed too.
PLACES_TOOLS = (
    ("/your-area", N_("Your area"),
     N_("Find your ward and councillors, school catchment areas, bin collection day, parish and the nearest "
        "council services for your postcode."),
     N_("your area, my area, postcode, ward, my ward, councillor, my councillor, councillors, bin day, "
        "bin collection day, parish council, town council, who is my councillor, local information")),
    ("/find-my-nearest", N_("Find my nearest"),
     N_("Find the nearest libraries, recycling centres, council offices and other places to your postcode, "
        "with opening hours."),
     N_("find my nearest, nearest, near me, closest, nearby, local library, recycling centre, leisure centre, "
        "park, play area, family hub, council offices, opening hours")),
    ("/school-catchment-areas", N_("Check your school catchment area"),
     N_("Check which primary and secondary school catchment areas your postcode is in."),
     N_("catchment area, school catchment, catchment map, which school, nearest school, primary school, "
        "secondary school, school priority area")),
)
WARD_TEXTS = (N_("%(ward)s ward"), N_("The councillors for %(ward)s ward and how to contact them."),
              N_("ward, councillor, councillors, my councillor, local councillor, elected member"))


def _translated_tools(app: Flask, lang: str) -> tuple[list[tuple[str, str, str, tuple[str, ...]]], tuple[str, ...]]:
    """The places tools' and ward pages' words in one language, from the site's own translations."""
    with app.app_context(), force_locale(lang):
        tools = [(path, _(title), _(summary), tuple(word.strip() for word in _(keywords).split(",") if word.strip()))
                 for path, title, summary, keywords in PLACES_TOOLS]
        ward = tuple(_(text) for text in WARD_TEXTS)
    return tools, ward


def places_pages_source(app: Flask) -> SearchSource:
    """The places capability's pages: Your area, Find my nearest, school catchment areas and each ward.

    In every language of the site, so "dalgylch" finds the catchment checker on the Welsh site.
    """
    languages = [lang for lang in app.config["TOWNHALL_LANGUAGES"] if lang in LANGUAGES]

    def documents() -> Iterator[SearchDocument]:
        found = places_listing.listing(_geodata(app))
        for lang in languages:
            tools, (ward_title, ward_summary, ward_keywords) = _translated_tools(app, lang)
            for path, title, summary, keywords in tools:
                ref = f"tool:{path.strip('/')}"
                yield SearchDocument(id=version_id(ref, lang), kind="service", title=title, url=path,
                                     summary=summary, keywords=keywords, lang=lang, ref=ref)
            for ward in (found.wards if found else ()):
                councillors = [person.get("name", "") for person in ward.properties.get("councillors") or []
                               if isinstance(person, dict)]
                ref = f"ward:{ward.code}"
                yield SearchDocument(
                    id=version_id(ref, lang), kind="page", title=ward_title % {"ward": ward.name},
                    url=f"/wards/{quote(ward.code)}", summary=ward_summary % {"ward": ward.name},
                    keywords=(*(word.strip() for word in ward_keywords.split(",")), *councillors),
                    body=" ".join(councillors), lang=lang, ref=ref, listed=True)

    def fingerprint() -> str:
        words = json.dumps([_translated_tools(app, lang) for lang in languages], ensure_ascii=False)
        generation = places_listing.current_generation(_geodata(app)) or "none"
        return f"{generation}:{hashlib.sha256(words.encode()).hexdigest()[:12]}"

    return SearchSource(documents, fingerprint)


def start_search(app: Flask) -> None:
    """Open the index for serving, building it first if it is missing or stale.

    Several gunicorn workers may start at once: the build lock lets one build
    while the others wait and then reuse it. A failed build is logged and the
    search page says search is unavailable; the rest of the site keeps working.
    """
    folder = Path(app.config["TOWNHALL_SEARCH_INDEX"])
    sources = app.extensions.setdefault(SOURCES_KEY, {})
    sources.setdefault("facilities", facilities_source(app))
    sources.setdefault("places-pages", places_pages_source(app))
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


def typed_postcode(query: str) -> str | None:
    """A full UK postcode typed in the search box ("BK1 1AA", "bk11aa", "library BK5 2ZE"), standard form."""
    words = query.split()[:12]
    candidates = [word for word in words if 5 <= len(word) <= 8]
    candidates += [first + second for first, second in zip(words, words[1:])
                   if 2 <= len(first) <= 4 and len(second) == 3]
    for candidate in candidates:
        if not any(char.isdigit() for char in candidate):
            continue
        try:
            return clean_postcode(candidate).postcode
        except PlacesError:
            continue
    return None


def result_url(hit) -> str:
    """Where a result links: the Welsh site for a Welsh result, wherever the search was made."""
    root = request.script_root
    if language() == "cy":
        return root + hit.url  # the Welsh site shows the Welsh version, or the English one with a note
    return root + ("/cy" if hit.lang == "cy" else "") + hit.url


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
    results = engine().search(args.get("q", ""), kind=kind, category=args.get("category") or None,
                              page=_page_number(args.get("page")), lang=language())
    kinds, category_groups = filter_choices()
    known_categories = {slug for _label, options in category_groups for slug, _title in options}
    category = results.category if results.category in known_categories else None
    context = dict(results=results, query=results.query, kinds=kinds, category_groups=category_groups, kind=kind,
                   category=category, postcode=typed_postcode(results.query), result_url=result_url,
                   result_category=result_category, result_category_lang=result_category_lang)
    body = render("search/results.html", block="results", **context)
    if not is_htmx():
        return body
    # htmx puts a <title> at the top of a response into the page's title: the tab and the
    # history entry then say what the results are for, as a full page load would.
    title = render("search/results.html", block="title", **context).strip()
    response = make_response(f"<title>{title} – {escape(council_name())}</title>\n{body}")  # title: escaped
    if _already_there():
        # Typing replaced the address as the resident went; pressing Search for the same words
        # must not add a second history entry for the same page (Back would seem to do nothing).
        response.headers["HX-Push-Url"] = "false"
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
