"""What is built once per app, in one place: the content, the places and search engines, the speaker.

`init_app(app)` builds what every request needs (the content, the search
index) when the app is made; what is costly and not always needed (the
speaker and its worker processes) is built on first use, under a lock, once
per app. Blueprints and CLI commands ask here for what they need
(`engines.site()`, `engines.places()`, `engines.search()`, `engines.speaker()`);
neither builds anything itself, so "who builds the search index, and from
what?" is answered in this package:

    content.py       loading the content folder (and the addresses links are checked against)
    geodata.py       the geodata, reopened when an import makes a new generation
    search_index.py  the search index: its sources (content, facilities, places pages) and building it
    assistant.py     Ask Townhall's passages and question targets, remade when the content changes
    speech.py        the speaker (synthesis workers, audio cache), the speech rate limit, remembered scripts
    guided_answers.py the guided answers (content/guides), following the content's reloads
    cases.py         the database of what residents send (migrated when behind) and the casework rules
    performance.py   the team's explanations of the published figures (content/performance)
    mail.py          the mail transport and each process's background outbox sender
    ratelimits.py    per-client limits on forms, page feedback, tracking guesses and staff logins

The database is opened and migrated at start-up, except in tests (which open
it on first use, so the many apps tests build stay quick). Each serving
process starts its outbox sender thread with its first request, and wakes it
whenever a request queues an email; commands never start one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Flask, current_app

if TYPE_CHECKING:
    from datetime import date

    from ..assistant import Assistant
    from ..cases import Casework, Database
    from ..cases.workingdays import DayOff
    from ..content import Site
    from ..guides import GuideSet
    from ..performance import ExplanationLibrary
    from ..places.engine import Places
    from ..search import SearchEngine
    from ..speech import Speaker
    from ..speech.limits import SpeechLimit
    from ..speech.pages import ScriptMemory
    from ..speech.service import Preparer
    from .content import ContentEngine
    from .mail import OutboxSender
    from .ratelimits import ClientLimits
    from .recorder import InsightsRecorder

EXTENSION = "townhall"
T = TypeVar("T")


class Engines:
    """Everything one app builds once. Made by `init_app`; found with `of(app)`."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.site: Site | None = None  # content.init_app
        self.search_engine: SearchEngine | None = None  # search.init_app
        self._made: dict[str, Any] = {}
        self._lock = threading.RLock()  # re-entrant: making one thing may ask for another (the preparer, the speaker)

    def once(self, name: str, make: Callable[[Flask], T]) -> T:
        """The thing called `name`, made by `make(app)` the first time it is asked for (thread-safe)."""
        made = self._made.get(name)
        if made is None:
            with self._lock:
                made = self._made.get(name)
                if made is None:
                    made = make(self.app)
                    self._made[name] = made
        return made

    def made(self, name: str) -> Any:
        """The thing called `name` if it has been made, else None (nothing is made by asking)."""
        return self._made.get(name)

    def replace(self, name: str, value: Any) -> None:
        """Put a newly built thing in place of the old one (a reopened geodata generation)."""
        with self._lock:
            self._made[name] = value


def init_app(app: Flask) -> None:
    """Build what the app needs from the start: the content, then the search index over it."""
    from . import content, geodata, guided_answers, search_index
    from .assistant import init_app as assistant_init_app

    app.extensions[EXTENSION] = Engines(app)
    content.init_app(app)
    geodata.init_app(app)
    search_index.init_app(app)
    assistant_init_app(app)
    guided_answers.init_app(app)
    if not app.testing:
        database(app)  # migrate now, before the first resident waits for it
        casework(app)  # and find a mistake in closures.yaml at start-up
        app.before_request(_start_outbox_sender)


def _start_outbox_sender() -> None:
    """Start this worker's outbox thread with its first request (so emails a stopped worker left are sent);
    commands never start one (`flask outbox send` sends in the foreground)."""
    engines = of()
    sender = engines.made("outbox")
    if sender is None or not sender.running:
        outbox(engines.app).start()


def of(app: Flask | None = None) -> Engines:
    """The engines of `app` (default: the app handling this request or command)."""
    return (app or current_app).extensions[EXTENSION]


# --- what blueprints and commands ask for ----------------------------------------------------


def site(app: Flask | None = None) -> Site:
    """The loaded content."""
    return of(app).site  # type: ignore[return-value]


def guides(app: Flask | None = None) -> GuideSet:
    """The guided answers (content/guides), loaded again whenever the content is."""
    from .guided_answers import make_engine

    return of(app).once("guides", make_engine).current()


def content_engine(app: Flask | None = None) -> ContentEngine:
    """The content engine: the site it serves now, reloading, the pictures (`.images`)."""
    from .content import engine

    return engine(of(app).app)


def places(app: Flask | None = None) -> Places:
    """The geodata in use (reopened after an import); GeodataMissing when there is none."""
    from .geodata import current

    return current(of(app))


def search(app: Flask | None = None) -> SearchEngine:
    """The search engine over the current index."""
    return of(app).search_engine  # type: ignore[return-value]


def search_sources(app: Flask | None = None) -> dict:
    """What is indexed beside the content (facilities, the places pages), by name."""
    from .search_index import sources

    return sources(of(app).app)


def generation(app: Flask | None = None) -> tuple[str, float]:
    """What every page is drawn from, as (stamp, when it last changed as a Unix time).

    The stamp changes when the content, the search index or the geodata does, so a
    cached page keyed by it is never served after any of them changed. Worked out at
    most once a second (the index and the geodata are files other processes replace).
    """
    from .freshness import current

    return current(of(app))


def ask_townhall(app: Flask | None = None) -> Assistant:
    """Ask Townhall's assistant over the content in use."""
    from .assistant import assistant as made

    return made(of(app).app)


def speaker(app: Flask | None = None) -> Speaker:
    from .speech import make_speaker

    return of(app).once("speaker", make_speaker)


def preparer(app: Flask | None = None) -> Preparer:
    """Audio for readers' requests: the cache, or the synthesis queue (never the request's thread)."""
    from .speech import make_preparer

    return of(app).once("speech-preparer", make_preparer)


def speech_limit(app: Flask | None = None) -> SpeechLimit:
    from .speech import make_limit

    return of(app).once("speech-limit", make_limit)


def script_memory(app: Flask | None = None) -> ScriptMemory:
    from .speech import make_script_memory

    return of(app).once("speech-scripts", make_script_memory)


def database(app: Flask | None = None) -> Database:
    """The database of cases, feedback, staff and the outbox, at the newest migration."""
    from .cases import make_database

    return of(app).once("database", make_database)


def casework(app: Flask | None = None) -> Casework:
    """The rules cases follow: standards, working days, email wording, the reference prefix."""
    from .cases import make_casework

    return of(app).once("casework", make_casework)


def explanations(app: Flask | None = None) -> ExplanationLibrary:
    """The team's explanations of missed targets and "You said, we did" (content/performance)."""
    from .performance import make_explanations

    return of(app).once("performance-explanations", make_explanations)


def insights(app: Flask | None = None) -> InsightsRecorder:
    """This process's recorder of searches, result clicks and outside postcodes (never slows an answer)."""
    from .recorder import make_recorder

    engines = of(app)
    database(engines.app)  # first, outside the lock `once` holds while making the recorder
    return engines.once("insights", make_recorder)


def outbox(app: Flask | None = None) -> OutboxSender:
    """This process's outbox sender: `wake()` it after queueing an email."""
    from .cases import make_database
    from .mail import make_sender

    engines = of(app)
    engines.once("database", make_database)  # first, outside the lock `once` holds while making the sender
    return engines.once("outbox", make_sender)


def limits(app: Flask | None = None) -> ClientLimits:
    """Per-client limits (submissions, feedback, tracking guesses, logins), shared by every worker."""
    from .ratelimits import make_limits

    return of(app).once("limits", make_limits)


def bank_holidays(app: Flask | None = None) -> Callable[[date], DayOff | None]:
    """England and Wales bank holidays (substitute days included), by day: what bin rounds move for.

    The cases domain's working-days calendar, without the council's office closures (the
    lorries run when the offices are shut between Christmas and New Year).
    """

    def make(_app: Flask) -> Callable[[date], DayOff | None]:
        from ..cases.workingdays import WorkingCalendar

        return WorkingCalendar().day_off

    return of(app).once("bank-holidays", make)
