"""The search index an app serves, and what it is built from.

The content (services, pages, the directory) is indexed by the search package
itself; other capabilities add their documents here as *sources*, each with a
fingerprint that changes when its documents do: the facilities and the places
tools' pages (Your area, Find my nearest, each ward), in every language.
The index is rebuilt when the content or any source has changed — at start-up
(one worker builds, the others wait and reuse it) and by `flask search build`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _

from ..places import listing as places_listing
from ..search import (
    SearchDocument,
    SearchEngine,
    ensure_index,
    facility_documents,
    index_fingerprint,
    site_documents,
)
from ..search.documents import LANGUAGES, version_id
from ..search.query import stem_word
from ..search.synonyms import load_synonyms, phrase_words
from ..text import N_
from . import of

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class SearchSource:
    """Documents from another capability, and a fingerprint that changes when they do."""

    documents: Callable[[], Iterable[SearchDocument]]
    fingerprint: Callable[[], str]


def add_search_source(app: Flask, name: str, documents: Callable[[], Iterable[SearchDocument]],
                      fingerprint: Callable[[], str]) -> None:
    """Let another capability's documents into the index (rebuilt when their fingerprint changes)."""
    sources(app)[name] = SearchSource(documents, fingerprint)


def sources(app: Flask) -> dict[str, SearchSource]:
    """The sources whose documents are indexed beside the content, by name."""
    return of(app).once("search-sources", lambda made_for: {
        "facilities": facilities_source(made_for), "places-pages": places_pages_source(made_for)})


def synonyms_path(app: Flask) -> Path:
    return Path(app.config["TOWNHALL_CONTENT"]) / "search" / "synonyms.txt"


def all_documents(app: Flask) -> Iterator[SearchDocument]:
    yield from site_documents(of(app).site)
    for source in sources(app).values():
        yield from source.documents()


def search_fingerprint(app: Flask) -> str:
    found = sources(app)
    return index_fingerprint(of(app).site.fingerprint,
                             *(f"{name}:{found[name].fingerprint()}" for name in sorted(found)))


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


def site_words(app: Flask) -> tuple[str, ...]:
    """Words that only name the site itself (the council's name in each language, "council"): on a
    council's site they say nothing about what a resident is looking for (search/matching.py)."""
    council = of(app).site.council
    names = [council.name, *(text.get("name", "") for text in council.translations.values())]
    return tuple(dict.fromkeys(["council", "cyngor", *(word for name in names for word in phrase_words(name))]))


def init_app(app: Flask) -> None:
    """Open the index for serving, building it first if it is missing or stale.

    Several gunicorn workers may start at once: the build lock lets one build
    while the others wait and then reuse it. A failed build is logged and the
    search page says search is unavailable; the rest of the site keeps working.
    """
    folder = Path(app.config["TOWNHALL_SEARCH_INDEX"])
    synonyms = load_synonyms(synonyms_path(app), key=stem_word)
    for problem in synonyms.problems:
        log.warning("content/search/synonyms.txt: %s", problem)
    of(app).search_engine = SearchEngine(folder, synonyms, site_words=site_words(app))
    try:
        info, built = ensure_index(folder, search_fingerprint(app), lambda: all_documents(app))
        if built:
            log.info("Built the search index: %d documents in %.2f s", info.documents, info.seconds)
    except Exception:  # noqa: BLE001 - the site must start even if the index cannot be built
        log.exception("The search index could not be built. Run `flask search build` to see why")
