"""The last good version of each content file: what the live site serves while a new version has errors.

A slip such as ``reviewed: 02/11/2026`` must never take a page (its Welsh
version, its home-page link, its search entry) off the live site. Each time a
file loads without errors its text is kept, in memory and on disk in the
instance folder (``<instance>/content-last-good/<path>``), so a restart keeps
serving it too. Texts are kept rather than parsed objects: the current code
reads them again, so an upgrade never meets an old format. Writes are atomic.
No Flask here.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

FOLDER = "content-last-good"


class LastGood:
    """Last good texts by path (relative to the content folder); `folder` None keeps them in memory only."""

    def __init__(self, folder: Path | str | None):
        self.folder = Path(folder) if folder else None
        self._texts: dict[str, str | None] = {}
        self._known: set[str] | None = None  # paths with a last good version (listed from disk once)
        self._lock = threading.Lock()

    def _path(self, relative: str) -> Path | None:
        if self.folder is None:
            return None
        path = (self.folder / relative).resolve()
        return path if path.is_relative_to(self.folder.resolve()) else None

    def get(self, relative: str) -> str | None:
        with self._lock:
            if relative in self._texts:
                return self._texts[relative]
        path = self._path(relative)
        text = None
        if path is not None:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = None
        with self._lock:
            self._texts[relative] = text
        return text

    def saved_at(self, relative: str) -> float | None:
        path = self._path(relative)
        try:
            return path.stat().st_mtime if path is not None else None
        except OSError:
            return None

    def remember(self, relative: str, text: str) -> None:
        """Keep `text` as the file's last good version (written only when it changed)."""
        if self.get(relative) == text:
            return
        with self._lock:
            self._texts[relative] = text
        path = self._path(relative)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
        if self._known is not None:
            self._known.add(relative)

    def forget(self, relative: str) -> None:
        """The file was removed from the content folder on purpose: never bring it back."""
        with self._lock:
            self._texts[relative] = None
        path = self._path(relative)
        if path is not None:
            path.unlink(missing_ok=True)
        if self._known is not None:
            self._known.discard(relative)

    def known(self) -> list[str]:
        """Every path with a last good version (on disk, listed once; then kept up to date in memory)."""
        if self.folder is None or not self.folder.is_dir():
            return sorted(path for path, text in self._texts.items() if text is not None)
        if self._known is None:
            self._known = {str(path.relative_to(self.folder)) for path in self.folder.rglob("*")
                           if path.is_file() and not path.name.startswith(".")}
        return sorted(self._known)
