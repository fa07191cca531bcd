"""Caching: headers that let browsers and a front cache help, and a cache of rendered pages in the app itself.

Headers (`add_cache_headers`, after every request):

* Pages for a visitor with no cookie of ours are the same for everyone: `public`, a short `max-age` and a
  longer `stale-while-revalidate`, varying only on `HX-Request` (the same address answers with a whole page
  or its htmx block). A front cache (see deploy/nginx.conf) keeps them a few seconds and passes every
  request that carries a cookie straight to the app.
* Pages shaped by the display-settings cookie, or drawn for a visitor with a session (forms), are `private`
  and revalidated (`no-cache`) with their `ETag`; a view that shows personal details says `no-store` itself.
* Every page and API answer has an `ETag` and a `Last-Modified` (when its content, index or geodata last
  changed), and a conditional request for one that has not changed gets `304 Not Modified`.

The page cache (`PageCache`, WSGI middleware in front of the app) keeps the bytes of answers that are the
same for everyone who sends the same request, keyed by what makes them differ (host, address, query,
htmx or not, display settings) and by the generation of content, index and geodata, so an edit or an
import is live at once. Pages say "open now" and "today", so an entry lasts until the minute changes.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import CookieError, SimpleCookie
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import PreconditionFailed
from werkzeug.http import is_resource_modified, parse_date, parse_etags

from .. import engines
from ..addresses import is_page
from ..preferences import COOKIE_NAME
from .common import WARM_UP
from .errors import http_error
from .metrics import CACHE, REQUESTS, TALLY

PUBLIC = "public, max-age=60, stale-while-revalidate=300"
PRIVATE = "private, no-cache"
CACHEABLE_TYPES = ("text/html", "application/json", "application/geo+json", "application/xml", "text/calendar",
                   "application/atom+xml")
ROUTE_KEY = "townhall.route"
MAX_ENTRY_BYTES = 2 * 1024 * 1024
MAX_CACHE_BYTES = 96 * 1024 * 1024


def install(app: Flask) -> None:
    app.after_request(add_cache_headers)


# --- headers ----------------------------------------------------------------------------


def add_cache_headers(response: Response) -> Response:
    request.environ[ROUTE_KEY] = request.url_rule.rule if request.url_rule is not None else "(no route)"
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.direct_passthrough \
            or response.is_streamed or response.mimetype not in CACHEABLE_TYPES:
        return response
    if "Cache-Control" not in response.headers:
        personal = bool(_our_cookies(request.cookies)) or "Set-Cookie" in response.headers
        response.headers["Cache-Control"] = PRIVATE if personal else PUBLIC
        if personal:
            response.vary.add("Cookie")
    if "no-store" in response.headers["Cache-Control"]:
        return response
    if not response.get_etag()[0]:
        response.add_etag()
    if response.last_modified is None:
        _stamp, changed = engines.generation()
        response.last_modified = datetime.fromtimestamp(int(changed), tz=UTC)
    if _if_match_fails(response):
        # Answered here, not by werkzeug: it keeps the page's own body under its 412 (an API client got a 200's
        # JSON with an error status) and refuses "If-Match: *" as well. The site's error, JSON under /api/.
        return current_app.make_response(http_error(PreconditionFailed()))
    if_match = request.environ.pop("HTTP_IF_MATCH", None)  # checked above
    try:
        return response.make_conditional(request)
    finally:
        if if_match is not None:
            request.environ["HTTP_IF_MATCH"] = if_match


def _if_match_fails(response: Response) -> bool:
    """RFC 9110 13.1.1: If-Match holds for "*" (there is a current version) or a tag that matches strongly."""
    header = request.headers.get("If-Match")
    if not header:
        return False
    tags = parse_etags(header)
    etag, weak = response.get_etag()
    return not (tags.star_tag or (etag and not weak and tags.is_strong(etag)))


def _our_cookies(cookies) -> list[str]:
    """The cookies that shape a page: display settings, and the session that forms use."""
    return [name for name in cookies if name in (COOKIE_NAME, current_app.config["SESSION_COOKIE_NAME"])]


# --- the page cache ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    route: str
    last_modified: datetime | None
    counter: Any  # the requests counter of its route and status, found once rather than on every hit


class PageCache:
    """Serves answers already drawn for the same request from memory, without running the app.

    Only for requests with no cookie but the display-settings one (anything else may be personal),
    and only answers that are `200`, set no cookie, and are not `no-store`.
    """

    def __init__(self, wsgi_app: Callable, generation: Callable[[], str], languages: Iterable[str] = ()) -> None:
        self.wsgi_app = wsgi_app
        self.languages = tuple(languages)
        self.generation = generation
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()
        self.hits, self.misses = CACHE.labels("hit"), CACHE.labels("miss")
        self.remembered_paths = functools.lru_cache(maxsize=4096)(self._cached_path)

    def cached_path(self, path: str) -> bool:
        """Whether answers at `path` may be cached; remembered for the short paths pages have."""
        return self.remembered_paths(path) if len(path) <= 256 else self._cached_path(path)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key = self.key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        entry = self.get(key)
        if entry is not None:
            TALLY.add(self.hits, entry.counter)
            return self.serve(entry, environ, start_response)
        if not environ.get(WARM_UP):
            self.misses.inc()
        return self.draw(key, environ, start_response)

    def key(self, environ: dict) -> tuple | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("HTTP_IF_MATCH"):
            return None  # If-Match is a precondition the app checks (412 when it fails), not a cache question
        if not self.cached_path(environ.get("PATH_INFO", "")):
            return None
        settings = ""
        if environ.get("HTTP_COOKIE"):
            try:
                cookies = SimpleCookie(environ["HTTP_COOKIE"])
            except CookieError:
                return None
            if set(cookies) - {COOKIE_NAME}:
                return None
            settings = cookies[COOKIE_NAME].value if COOKIE_NAME in cookies else ""
        htmx = environ.get("HTTP_HX_REQUEST", "")
        return (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST", ""), environ.get("SCRIPT_NAME", ""),
                environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), settings, htmx,
                environ.get("HTTP_HX_CURRENT_URL", "") if htmx else "", environ.get("HTTP_HX_TARGET", ""),
                self.generation(), int(time.time() // 60))

    def _cached_path(self, path: str) -> bool:
        """Pages and API answers; tools for the people who run the site (content health, preview, metrics) are live."""
        return is_page(path, self.languages) or path.startswith("/api/")

    def get(self, key: tuple) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.size += len(entry.body)
            while self.size > MAX_CACHE_BYTES and self.entries:
                _old_key, old = self.entries.popitem(last=False)
                self.size -= len(old.body)

    def serve(self, entry: Entry, environ: dict, start_response: Callable) -> Iterable[bytes]:
        conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
        if conditional and not is_resource_modified(environ, etag=entry.etag.strip('"') or None,
                                                    last_modified=entry.last_modified):
            start_response("304 NOT MODIFIED", [(name, value) for name, value in entry.headers
                                                 if name.lower() not in ("content-length", "content-type")])
            return [b""]
        start_response(entry.status, list(entry.headers))
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [entry.body]

    def draw(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        captured: dict = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if environ.get("REQUEST_METHOD") == "GET" and self.cacheable(captured, body):
            headers = captured["headers"]
            named = {name.lower(): value for name, value in headers}
            route = environ.get(ROUTE_KEY, "(no route)")
            self.put(key, Entry(captured["status"], list(headers), body, named.get("etag", ""), route,
                                parse_date(named.get("last-modified")), REQUESTS.labels(route, captured["status"][:3])))
        return [body]

    @staticmethod
    def cacheable(captured: dict, body: bytes) -> bool:
        if not captured.get("status", "").startswith("200") or len(body) > MAX_ENTRY_BYTES:
            return False
        headers = {name.lower(): value for name, value in captured["headers"]}
        if "set-cookie" in headers or "no-store" in headers.get("cache-control", ""):
            return False
        return headers.get("content-type", "").split(";")[0].strip() in CACHEABLE_TYPES


def install_page_cache(app: Flask) -> None:
    """Put the page cache in front of the app (inside any proxy handling, which fixes host and scheme first)."""
    app.wsgi_app = PageCache(app.wsgi_app, lambda: engines.generation(app)[0],  # type: ignore[method-assign]
                             app.config["TOWNHALL_LANGUAGES"][1:])
