"""Which generation of content, search index and geodata the app serves: the key of every cached page.

Read on every request (one `stat` of the geodata's pointer, read again only when it changed; the
search engine rechecks its own at most once a second and this follows what it serves), so a page
cached under an older generation is never served once an import or an edit is live.
"""

from __future__ import annotations

import hashlib
import time

from ..generations import PointerWatch
from ..places.store import GeodataFolder


def current(engines) -> tuple[str, float]:
    """(stamp, when it last changed, as a Unix time) for this app.

    Asks the content engine to look for edited files first (cheap, and at most every
    TOWNHALL_CONTENT_POLL_MS): pages served from the page cache never reach the app's own
    request hooks, so this is where a cached site notices an edit.
    """
    content = engines.made("content")  # the ContentEngine
    if content is not None:
        content.maybe_reload()
    parts = [engines.site.fingerprint if engines.site is not None else "-"]
    guides = engines.made("guides")  # the guided answers, when a page has asked for them
    parts.append(guides.current().fingerprint if guides is not None else "-")
    changed = [content.loaded_at if content is not None else 0.0]
    info = engines.search_engine.info if engines.search_engine is not None else None
    parts.append(info.generation if info is not None else "-")
    if info is not None:
        changed.append(info.built_at)
    stamp, published = engines.once("geodata-watch", _geodata_watch).current()
    parts.append(stamp or "-")
    if stamp is not None:
        changed.append(published)
    return engines.once("generation-stamps", _StampMemo).stamp(tuple(parts)), max(changed) or time.time()


class _StampMemo:
    """The last parts and their digest: the parts change a few times a day, the digest is asked for every request."""

    def __init__(self, _app) -> None:
        self.last: tuple[tuple[str, ...], str] = ((), "")

    def stamp(self, parts: tuple[str, ...]) -> str:
        last_parts, digest = self.last
        if parts != last_parts:
            digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
            self.last = (parts, digest)
        return digest


def _geodata_watch(app) -> PointerWatch:
    return GeodataFolder(app.config["TOWNHALL_GEODATA"]).generations.watch()
