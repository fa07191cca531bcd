"""The guided answers an app serves: loaded on first use, loaded again whenever the content is.

The content engine notices every change in the content folder (guides included) and swaps in a
new `Site`; the guides follow it, so an edited guide is live as soon as the pages are. Links in
guides are checked against the content's pages and the app's own fixed addresses (/contact...).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from ..assistant.targets import QuestionTarget
from ..guides import GuideSet, content_pages, load_guides
from .content import site_addresses

NAME = "guides"


def link_checker(app: Flask) -> Callable[[str], str | None]:
    """What is wrong with a link in a guide (None if nothing): content pages, and the app's fixed pages."""
    fixed, _prefixes = site_addresses(app)
    return content_pages(Path(app.config["TOWNHALL_CONTENT"]), fixed=fixed)


def read_guides(app: Flask) -> GuideSet:
    """Every guide, checked as the live site checks it (also what `flask content check` reports)."""
    return load_guides(app.config["TOWNHALL_CONTENT"], link_checker(app))


class GuidesEngine:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._for: object | None = None
        self._guides = GuideSet()

    def current(self) -> GuideSet:
        from . import site

        content = site(self.app)
        if content is not self._for:
            with self._lock:
                if content is not self._for:
                    self._guides = read_guides(self.app)
                    self._for = content
        return self._guides


def make_engine(app: Flask) -> GuidesEngine:
    return GuidesEngine(app)


def question_targets(guides: GuideSet) -> list[QuestionTarget]:
    """What each guide answers, in residents' words, for Ask Townhall: a question like "who is responsible for
    this tree" is answered with the guide that works it out (only in the languages its phrasings are written in)."""
    return [QuestionTarget(tuple(guide.phrasings[lang]), guide.title(lang), guide.url("en"), lang,
                           f"guide:{guide.slug}", "guide")
            for guide in guides.all() for lang in ("en", "cy") if guide.phrasings.get(lang)]


def init_app(app: Flask) -> None:
    """Ask Townhall learns the guides' questions (read again whenever the assistant is rebuilt)."""
    from . import guides
    from .assistant import add_question_targets

    add_question_targets(app, NAME, lambda: question_targets(guides(app)))
