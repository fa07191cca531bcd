"""The assistant an app serves (Ask Townhall): passages and question targets, built once per content.

Built on first use from the content in use and remade when the content changes (a reload swaps
in a new `Site`, whose fingerprint differs), so its passages never drift from the pages served.
Its pages are found by the app's search engine, whose index follows the content the same way.

Other capabilities add question targets with `add_question_targets(app, name, targets)`: the
guided answers (issue 12) add theirs so, and the assistant is remade with them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from flask import Flask

from ..assistant import Assistant, QuestionTarget, page_targets, site_passages
from ..assistant.passages import page_words
from ..content.models import Site
from ..places.errors import PlacesError
from ..search.engine import SearchEngine
from . import of

NAME = "assistant"
TARGET_SOURCES = "assistant-targets"
CANDIDATE_PAGES = 8


def add_question_targets(app: Flask, name: str, targets: Callable[[], Iterable[QuestionTarget]]) -> None:
    """Let another capability's questions into the assistant (read again whenever it is rebuilt)."""
    sources(app)[name] = targets
    of(app).replace(NAME, None)


def sources(app: Flask) -> dict[str, Callable[[], Iterable[QuestionTarget]]]:
    return of(app).once(TARGET_SOURCES, lambda _app: {})


def standards(site: Site) -> dict[str, str]:
    """Each service's published promise, "collect your missed bin within 2 working days", by page."""
    found = {}
    for service in site.services.values():
        standard = service.standard
        if standard is not None and standard.within is not None:
            unit = standard.within.unit[:-1] if standard.within.singular else standard.within.unit
            found[f"service:{service.slug}"] = f"{standard.promise} within {standard.within.amount} {unit}"
    return found


def build(app: Flask, site: Site) -> Assistant:
    engine: SearchEngine = of(app).search_engine  # type: ignore[assignment]

    def search(text: str, lang: str):
        return engine.search(text, lang=lang, per_page=CANDIDATE_PAGES)

    try:
        from .geodata import current

        categories = [category.slug for category in current(of(app)).categories]
    except PlacesError:
        categories = []
    targets = [*page_targets(site), *(target for source in sources(app).values() for target in source())]
    return Assistant(site_passages(site), targets, search, engine.synonyms if engine else None,
                     categories, standards(site), page_words(site))


_lock = threading.Lock()


def assistant(app: Flask) -> Assistant:
    """The assistant over the content in use: remade after a content change."""
    engines = of(app)
    site = engines.site
    made = engines.made(NAME)
    if made is None or made[0] is not site:
        with _lock:
            made = engines.made(NAME)
            if made is None or made[0] is not site:
                made = (site, build(app, site))
                engines.replace(NAME, made)
    return made[1]


def init_app(app: Flask) -> None:
    """Nothing is built at start-up (a content check or a command never asks); the first question builds it."""
    from .content import engine as content_engine

    found = content_engine(app)
    if found is not None:
        found.on_change(lambda _site: of(app).replace(NAME, None))
