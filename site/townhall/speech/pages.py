"""Which page to read and which part of it, and reading a page of the site from inside the app.

Speech requests name a page of this site (its path within its language, as
the reader sees it, query string included) and a section id, never text. The
page is drawn by the site itself (the web layer's ``render_page``: a GET
through the whole WSGI app, without the reader's cookies, so every reader
hears the same script) and the speech script is built from that HTML. Scripts are
remembered for a few minutes (``ScriptMemory``) so a Listen click need not
draw the page again.

No Flask or werkzeug here: the web layer draws pages and passes in the addresses.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from urllib.parse import urlsplit

from ..addresses import is_page, strip_language
from .errors import NothingToRead
from .script import SpeechScript, Utterance

WHOLE_PAGE = "all"  # the section value meaning "the whole page"
MAX_PAGE_ADDRESS = 300
SCRIPT_TTL_SECONDS = 300
SCRIPT_MEMORY = 256

_SECTION_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,90}$")
_AUDIO_KEY = re.compile(r"^[0-9a-f]{40}$")


def readable_page(path: str | None, languages: Iterable[str] = ()) -> str | None:
    """`path` (already known to be a path on this site) when it is a page to read, else None.

    `path` is within the language of the speech address (``/cy/listen?page=/services/x``
    reads the Welsh page), so it never carries a language prefix of its own
    (`languages`: the prefixes in use, such as ``cy``). One that does is refused:
    ``/cy/listen/...`` would otherwise slip past the check for the speech routes.
    """
    if path is None or len(path) > MAX_PAGE_ADDRESS or any(ord(c) < 32 for c in path):
        return None
    bare = urlsplit(path).path
    if strip_language(bare, languages) != bare or not is_page(bare):
        return None
    return path


def one_off(page: str) -> bool:
    """Whether `page` is a one-off address (search results, a postcode's answers): one with a query string.

    Its audio is kept only briefly and in a small share of the cache, so residents'
    questions never push out the site's own pages (cache.py, "One-off audio").
    """
    return "?" in page


def valid_section(section: str) -> bool:
    return section == WHOLE_PAGE or bool(_SECTION_ID.match(section))


def valid_key(key: str) -> bool:
    """A cache key as the speech addresses carry it (``v=``)."""
    return bool(_AUDIO_KEY.match(key))


def part(script: SpeechScript, section_id: str) -> tuple[str, tuple[Utterance, ...]]:
    """(title, utterances) for a section or the whole page; NothingToRead for an unknown section."""
    if section_id == WHOLE_PAGE:
        return script.title, script.utterances
    section = script.section(section_id)
    if section is None:
        raise NothingToRead("That part of the page does not exist")
    return (section.title or script.title), section.utterances


def download_name(page: str, section: str, audio_format: str, council: str) -> str:
    """"<council>-services-report-a-missed-bin-when-to-report.mp3" (`council`: its short name as a slug)."""
    path = urlsplit(page).path.strip("/").replace("/", "-") or "home"
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", path).strip("-")[:80] or "page"
    suffix = "" if section == WHOLE_PAGE else f"-{section}"
    return f"{council}-{stem}{suffix}.{audio_format}"


class ScriptMemory:
    """Speech scripts of recently read pages, so a Listen click need not render the page again."""

    def __init__(self, ttl: float = SCRIPT_TTL_SECONDS, size: int = SCRIPT_MEMORY) -> None:
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[tuple, tuple[float, SpeechScript]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> SpeechScript | None:
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: tuple, script: SpeechScript) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl, script)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
