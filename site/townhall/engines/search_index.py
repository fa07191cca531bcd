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
import multiprocessing
import os
import pickle
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
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
from ..search.index import current_index, damage
from ..search.query import stem_word
from ..search.synonyms import load_synonyms, phrase_words
from ..search.update import UpdateReport, update_index
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


ROLE_FILE = "ROLE"


def index_folder(app: Flask) -> Path:
    """The index this app builds and serves: never the live site's when this app is a preview.

    The live site marks its index folder; a preview or development app pointed at it (the same
    instance folder, by mistake) uses a private folder of its own instead, so a draft page can never
    appear in the live site's results.
    """
    from .content import is_preview

    folder = Path(app.config["TOWNHALL_SEARCH_INDEX"])
    role = app.config["TOWNHALL_ENV"] if is_preview(app) else "production"
    try:
        marked = (folder / ROLE_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        marked = None
    if role != "production" and marked == "production":
        private = Path(app.config["TOWNHALL_INSTANCE"]) / f"search-index-{role}"
        if private == folder:
            private = folder.with_name(f"{folder.name}-{role}")
        log.warning("%s is the live site's search index; this %s uses %s instead", folder, role, private)
        app.config["TOWNHALL_SEARCH_INDEX"] = folder = private
        marked = None
    if marked != role:
        folder.mkdir(parents=True, exist_ok=True)
        # A temporary name of this process and thread's own: gunicorn's workers start together, and with one
        # shared name a worker's rename took the file from under another's, which then failed to boot.
        temporary = folder / f".{ROLE_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
        temporary.write_text(role, encoding="utf-8")
        temporary.replace(folder / ROLE_FILE)
    return folder


class IndexUpdater:
    """Runs index updates in a worker process of their own, made on first use.

    An update is a burst of Python work (analysis, champion lists, writing a segment). In the process that
    answers searches it would share one interpreter lock with them, and take several times longer while
    residents search; in its own process it runs on another core. If the worker cannot be used, the update
    runs here instead.
    """

    def __init__(self, separate_process: bool):
        self.separate_process = separate_process
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def update(self, folder: Path, documents: list[SearchDocument], fingerprint: str) -> UpdateReport:
        if self.separate_process:
            try:
                return self._worker().submit(update_index, str(folder), documents, fingerprint).result(timeout=600)
            except (BrokenProcessPool, OSError, pickle.PicklingError, FutureTimeout):
                log.warning("The search index worker failed; updating in this process instead", exc_info=True)
                self.close()
        return update_index(folder, documents, fingerprint)

    def _worker(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def updater(app: Flask) -> IndexUpdater:
    def make(made_for: Flask) -> IndexUpdater:
        found = IndexUpdater(bool(made_for.config["TOWNHALL_SEARCH_UPDATE_WORKER"]))
        weakref.finalize(of(made_for), found.close)
        return found

    return of(app).once("search-updater", make)


def refresh_index(app: Flask) -> UpdateReport | None:
    """Bring the index in line with the content now served: only the documents that changed are rewritten
    (a full build when much changed). None when it was already up to date."""
    folder = Path(app.config["TOWNHALL_SEARCH_INDEX"])
    fingerprint = search_fingerprint(app)
    info = current_index(folder)
    if info is not None and info.fingerprint == fingerprint:
        return None
    documents = list(all_documents(app))
    if info is None or len(documents) < 500:  # a first build, or a small site: not worth a second process
        report = update_index(folder, documents, fingerprint)
    else:
        report = updater(app).update(folder, documents, fingerprint)
    engine = of(app).search_engine
    if engine is not None:
        engine.synonyms = load_synonyms(synonyms_path(app), key=stem_word)
        engine.refresh()
    log.info("Search index updated: %d changed, %d removed, %d re-indexed%s in %.2f s", report.changed,
             report.removed, report.reindexed, " (full build)" if report.full_build else "", report.seconds)
    return report


def site_words(app: Flask) -> tuple[str, ...]:
    """Words that only name the site itself (the council's name in each language, "council"): on a
    council's site they say nothing about what a resident is looking for (search/matching.py)."""
    council = of(app).site.council
    names = [council.name, *(text.get("name", "") for text in council.translations.values())]
    return tuple(dict.fromkeys(["council", "cyngor", *(word for name in names for word in phrase_words(name))]))


def init_app(app: Flask) -> None:
    """Open the index for serving, building it first if it is missing, stale or damaged.

    Several gunicorn workers may start at once: the build lock lets one build
    while the others wait and then reuse it. A failed build is logged and the
    search page says search is unavailable; the rest of the site keeps working.
    After a content change the index is updated in place (`refresh_index`).
    """
    from .content import engine as content_engine
    from .content import only_checking

    if only_checking(app):  # a content check searches nothing: leave every index alone
        of(app).search_engine = SearchEngine(app.config["TOWNHALL_SEARCH_INDEX"])
        return
    folder = index_folder(app)
    synonyms = load_synonyms(synonyms_path(app), key=stem_word)
    for problem in synonyms.problems:
        log.warning("content/search/synonyms.txt: %s", problem)
    def repair() -> None:
        """Build the index again if it is missing, stale or damaged (engine.py asks when it finds damage)."""
        info, built = ensure_index(folder, search_fingerprint(app), lambda: all_documents(app),
                                   seed=app.config.get("TOWNHALL_SEARCH_INDEX_SEED") or None)
        if built:
            log.info("Built the search index: %d documents in %.2f s", info.documents, info.seconds)

    of(app).search_engine = SearchEngine(folder, synonyms, repair=repair, site_words=site_words(app))
    try:
        info = current_index(folder)
        problem = damage(info.path) if info is not None else None
        if problem is not None:
            log.error("The search index is damaged (%s); building a new one", problem)
        if info is None or problem is not None:
            repair()  # missing or damaged: build it whole (or copy the seed)
        else:
            refresh_index(app)  # built from other content: update only what changed, in place
    except Exception:  # noqa: BLE001 - the site must start even if the index cannot be built
        log.exception("The search index could not be built. Run `flask search build` to see why")
    found = content_engine(app)
    if found is not None:
        found.on_change(lambda _site: _refresh_quietly(app))


def _refresh_quietly(app: Flask) -> None:
    try:
        engine = of(app).search_engine
        if engine is not None:  # the synonyms are content too (search/synonyms.txt), read by queries
            engine.synonyms = load_synonyms(synonyms_path(app), key=stem_word)
        refresh_index(app)
    except Exception:  # noqa: BLE001 - searches keep being answered from the index in use
        log.exception("The search index could not be updated after a content change. Run `flask search build`")
