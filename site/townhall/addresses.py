"""Which addresses of the site are pages a resident reads, and which are not.

Speech reads only pages; the crawl that pregenerates audio, the sitemap and the
accessibility tests visit only pages. One list says which addresses are
something else (audio, files, JSON, health checks, the staff area), so a new
route of that kind is added once, here.
"""

from __future__ import annotations

from collections.abc import Iterable

# Each entry matches itself and everything below it ("/listen" matches /listen and /listen/audio).
NOT_PAGES = ("/listen", "/assets", "/static", "/api", "/healthz", "/readyz", "/metrics", "/staff", "/images",
             "/content-health", "/preview", "/robots.txt", "/sitemap.xml", "/.well-known", "/favicon.ico",
             "/security.txt", "/manifest.webmanifest")
# Files served beside pages (a bin round's calendar feed at /bin-collections/<round>/calendar.ics, the figures
# of /how-we-are-doing as CSV and JSON).
NOT_PAGE_ENDINGS = (".ics", ".csv", ".json")


def strip_language(path: str, languages: Iterable[str]) -> str:
    """`path` without any leading language prefixes: ``/cy/cy/listen`` -> ``/listen``."""
    prefixes = {code.strip("/") for code in languages if code.strip("/")}
    while True:
        first, _, rest = path.lstrip("/").partition("/")
        if first not in prefixes:
            return path
        path = "/" + rest


def is_page(path: str, languages: Iterable[str] = ()) -> bool:
    """Whether `path` (no query string; a language prefix allowed) is a page rather than a file or an API."""
    bare = strip_language(path, languages)
    if bare.endswith(NOT_PAGE_ENDINGS):
        return False
    return not any(bare == prefix or bare.startswith(prefix + "/") for prefix in NOT_PAGES)
