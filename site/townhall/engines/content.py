"""The content an app serves: loaded at start, reloaded while running when a file changes.

- Production: a file with errors keeps its last good version serving (kept in
  the instance folder, so a restart keeps it too); a page that never had one is
  left out. Each new problem is logged once, with the file, the line and the fix.
- Preview and development: every page is shown, with its problems on the page
  (the web layer's preview panel); nothing is refused at start, and no Python
  traceback reaches a content editor.

Changes are noticed by comparing the files' modified times and sizes, at most
every TOWNHALL_CONTENT_POLL_MS while requests arrive (cheap: one `stat` per
file). A change is loaded in a background thread while the old content keeps
serving; only the changed files are parsed again (`ContentLoader` remembers the
rest), and the new `Site` is swapped in whole. Whoever else must follow (the
search index) registers with `on_change`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from .. import clock
from ..content import Site
from ..content.files import stamps
from ..content.images import FOLDER as IMAGES_FOLDER
from ..content.images import ImageLibrary
from ..content.lastgood import LastGood
from ..content.loader import ContentLoader

log = logging.getLogger(__name__)
ENGINE = "content"
PREVIEW_ENVIRONMENTS = ("preview", "development")


def init_app(app: Flask) -> None:
    from . import of

    engine = ContentEngine(app)
    of(app).replace(ENGINE, engine)
    of(app).site = engine.site
    app.before_request(engine.maybe_reload)


def only_checking(app: Flask) -> bool:
    """TOWNHALL_ENV=check (the content check in `make test` and the pre-commit hook): read the content, write
    nothing (no last good versions, no pictures, no search index)."""
    return app.config["TOWNHALL_ENV"] == "check"


def is_preview(app: Flask) -> bool:
    """Preview and development show pages with problems (and their checks) instead of hiding them."""
    return app.config["TOWNHALL_ENV"] in PREVIEW_ENVIRONMENTS


def site_addresses(app: Flask) -> tuple[set[str], set[str]]:
    """The app's fixed addresses (/search) and the fixed starts of its other addresses (/directory/).

    Links in page bodies are checked against these, so a link to any real page passes.
    """
    fixed, prefixes = set(), set()
    for rule in app.url_map.iter_rules():
        if "<" in rule.rule:
            prefixes.add(rule.rule.split("<", 1)[0])
        else:
            fixed.add(rule.rule.rstrip("/") or "/")
    return fixed, prefixes


def image_library(app: Flask, build: bool = True) -> ImageLibrary:
    """The content's pictures; resized copies go to TOWNHALL_IMAGES (None when only checking)."""
    return ImageLibrary(Path(app.config["TOWNHALL_CONTENT"]) / IMAGES_FOLDER,
                        Path(app.config["TOWNHALL_IMAGES"]) if build else None,
                        url_prefix=f"{app.config.get('APPLICATION_ROOT', '/').rstrip('/')}/images")


def make_loader(app: Flask, *, serving: bool) -> ContentLoader:
    """A loader for this app's content. `serving`: for the site itself (last good versions, resized pictures);
    otherwise for a check, which reads the files as they are and writes nothing."""
    production = not is_preview(app)
    serving = serving and not only_checking(app)
    return ContentLoader(
        app.config["TOWNHALL_CONTENT"], tuple(app.config["TOWNHALL_LANGUAGES"]), *site_addresses(app),
        last_good=LastGood(app.config["TOWNHALL_LAST_GOOD"]) if serving and production else None,
        drafts=serving and not production,
        images=image_library(app, build=serving),
        today=lambda: clock.today(app.config.get("TOWNHALL_TODAY"), app.config.get("TOWNHALL_NOW")),
    )


def read_content(app: Flask) -> Site:
    """The content folder as it is now, with every problem found; nothing is written anywhere."""
    return make_loader(app, serving=False).load()


class ContentEngine:
    """One app's content: the `Site` it serves now, and reloading it when files change."""

    def __init__(self, app: Flask):
        self.app = app
        self.root = Path(app.config["TOWNHALL_CONTENT"])
        self.interval = app.config["TOWNHALL_CONTENT_POLL_MS"] / 1000
        self.loader = make_loader(app, serving=True)
        self.images = self.loader.images
        self._listeners: list[Callable[[Site], None]] = []
        self._reloading = threading.Lock()
        self._checked = time.monotonic()
        self._stamps = stamps(self.root)
        self.site = self.loader.load()
        self.loaded_at = time.time()
        self.reloads = 0
        self._reported: set[str] = set()
        self._report(self.site, starting=True)

    def on_change(self, listener: Callable[[Site], None]) -> None:
        """Call `listener(site)` after each reload (in the reloading thread)."""
        self._listeners.append(listener)

    # -- noticing changes ---------------------------------------------------------------------
    def maybe_reload(self) -> None:
        """Before a request: if it is time to look, and something changed, reload in the background."""
        if self.interval <= 0 or time.monotonic() - self._checked < self.interval:
            return
        self._checked = time.monotonic()
        if not self._reloading.acquire(blocking=False):
            return  # a reload is already running
        threading.Thread(target=self._reload_in_background, name="content-reload", daemon=True).start()

    def _reload_in_background(self) -> None:
        try:
            self.reload_if_changed(locked=True)
        except Exception:  # noqa: BLE001 - the old content keeps serving; the next check tries again
            log.exception("The content could not be reloaded; the site keeps serving what it had")
        finally:
            self._reloading.release()

    def reload_if_changed(self, locked: bool = False) -> bool:
        """Reload when any content file was added, changed or removed since the last look. Returns whether it did."""
        if not locked:
            with self._reloading:
                return self.reload_if_changed(locked=True)
        found = stamps(self.root)
        if found == self._stamps:
            return False
        self._stamps = found
        self._reload()
        return True

    def reload(self) -> Site:
        """Load the content again now (`flask content reload`, tests)."""
        with self._reloading:
            self._stamps = stamps(self.root)
            return self._reload()

    def _reload(self) -> Site:
        from . import of

        started = time.perf_counter()
        site = self.loader.load()
        self.site = site
        of(self.app).site = site
        self.loaded_at = time.time()
        self.reloads += 1
        self._report(site)
        for listener in self._listeners:
            try:
                listener(site)
            except Exception:  # noqa: BLE001 - one follower failing must not stop the others
                log.exception("Updating after a content change failed")
        log.info("Content reloaded in %.2f s", time.perf_counter() - started)
        return site

    def _report(self, site: Site, starting: bool = False) -> None:
        """Log each problem once (file, line, what to do), and what the site does about it."""
        for _path, status in sorted(site.files.items()):
            for problem in status.errors:
                key = f"{status.state}|{problem}"
                if key in self._reported:
                    continue
                self._reported.add(key)
                log.warning("Content problem: %s (%s)", problem, _effect(status.state, status.saved_at))
        if starting and site.errors and not is_preview(self.app):
            log.warning("%d problem(s) in the content folder. Run `flask content check` to see them, or open "
                        "/content-health on this machine.", len(site.errors))


def _effect(state: str, saved_at: float | None) -> str:
    if state == "last-good":
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(saved_at)) if saved_at else "earlier"
        return f"the site keeps serving its last good version, from {when}, until this is fixed"
    if state == "left-out":
        return "the page is not on the site until this is fixed"
    if state == "partial":
        return "the entries with problems are left out until they are fixed"
    if state == "draft":
        return "shown in preview with this problem"
    return "the page stays on the site"


def engine(app: Flask) -> ContentEngine:
    from . import of

    return of(app).made(ENGINE)
