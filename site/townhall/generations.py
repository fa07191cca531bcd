"""A folder of immutable generations and a CURRENT pointer: how built data is swapped in atomically.

Both the geodata (``places/store.py``) and the search index (``search/index.py``)
are built into a temporary folder beside the one in use, renamed to their
generation's name, and only then is ``CURRENT`` replaced (``os.replace``), so
readers — several gunicorn workers, on one machine or sharing a folder — only
ever see a whole generation, and a failed or killed build leaves the old one
serving. Builds take an exclusive lock, so whatever temporary folder is found
while holding it was left by a build that died, and is removed.

Layout::

    CURRENT          {"generation": "<name>", ...what the builder records}
    <name>/          one complete generation (never changed once published)
    .building-*/     a build in progress (or abandoned by a killed one)
    .lock            held while building
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

POINTER = "CURRENT"
BUILDING_PREFIX = ".building-"


class VersionedFolder:
    """One folder of generations, each named `prefix` + something. Cheap to make: it holds only the path."""

    def __init__(self, root: str | os.PathLike[str], prefix: str) -> None:
        self.root = Path(root)
        self.prefix = prefix

    # --- reading ------------------------------------------------------------
    def pointer(self) -> dict[str, Any] | None:
        """What CURRENT records, or None when there is no usable generation yet.

        A pointer holding only a name (the first geodata format) is read as ``{"generation": name}``.
        """
        try:
            text = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        try:
            record = json.loads(text) if text.startswith("{") else {"generation": text}
        except ValueError:
            return None
        name = record.get("generation") if isinstance(record, dict) else None
        if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
            return None
        return record if (self.root / name).is_dir() else None

    def current(self) -> Path | None:
        """The folder of the generation in use."""
        record = self.pointer()
        return None if record is None else self.root / record["generation"]

    def stamp(self) -> str | None:
        """A value that changes whenever another generation is made current (for readers to reopen)."""
        record = self.pointer()
        return None if record is None else record["generation"]

    def watch(self) -> PointerWatch:
        """A watcher of CURRENT for readers that ask on every request (see `PointerWatch`)."""
        return PointerWatch(self)

    # --- building -----------------------------------------------------------
    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the build lock (one builder at a time, across processes)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def building(self) -> Iterator[Path]:
        """A fresh temporary folder to build in, removed if the build fails. Call with the lock held."""
        self.remove_abandoned()
        folder = Path(tempfile.mkdtemp(prefix=BUILDING_PREFIX, dir=self.root))
        folder.chmod(0o755)  # mkdtemp makes it private; the web server must read it
        try:
            yield folder
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    def publish(self, built: Path, name: str, keep: int = 2, **record: Any) -> Path:
        """Rename `built` to `name` (an existing one of that name is kept), make it current, prune old ones.

        Call with the lock held. `record` is stored in CURRENT beside the name.
        """
        final = self.root / name
        if final.exists():
            shutil.rmtree(built, ignore_errors=True)
        else:
            os.replace(built, final)
        pointer = self.root / f".{POINTER}.{os.getpid()}.tmp"
        pointer.write_text(json.dumps({"generation": name, **record}), encoding="utf-8")
        os.replace(pointer, self.root / POINTER)
        self._prune(name, keep)
        return final

    def remove_abandoned(self) -> int:
        """Remove temporary folders left by builds that were killed. Call with the lock held."""
        removed = 0
        for path in self.root.glob(f"{BUILDING_PREFIX}*"):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
        return removed

    def tidy(self) -> int:
        """Remove abandoned build folders now, unless a build is running (then it will do it)."""
        if not self.root.is_dir():
            return 0
        with open(self.root / ".lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return 0
            try:
                return self.remove_abandoned()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _prune(self, current: str, keep: int) -> None:
        """Keep the current generation and the newest others, `keep` in all (readers may still use them)."""
        others = sorted(
            (path for path in self.root.glob(f"{self.prefix}*") if path.is_dir() and path.name != current),
            key=lambda path: path.stat().st_mtime,
            reverse=True,
        )
        for path in others[max(keep - 1, 0):]:
            shutil.rmtree(path, ignore_errors=True)


class PointerWatch:
    """The current generation's name and when it was published, read again when CURRENT changed.

    The page cache asks on every request which generation the site serves; reading and parsing CURRENT
    each time cost more than serving the cached page. CURRENT is only ever replaced whole (`publish`
    writes a new file and renames it over the old), so a new generation shows as a new file: one `stat`
    of it says whether anything needs reading again. A file system may reuse the inode and keep coarse
    times (or, shared over the network, answer `stat` from a cache), so the pointer is read again at
    least every `REREAD` seconds whatever `stat` says, and whenever no generation was found.
    """

    REREAD = 1.0

    def __init__(self, folder: VersionedFolder) -> None:
        self.folder = folder
        self.pointer_path = os.fspath(folder.root / POINTER)
        self._seen: tuple[tuple[int, ...] | None, float, str | None, float] | None = None

    def current(self) -> tuple[str | None, float]:
        """(the generation's name or None when there is none, when it was published as a Unix time or 0)."""
        identity = self._identity()
        seen = self._seen
        if (seen is not None and identity is not None and seen[0] == identity and seen[2] is not None
                and time.monotonic() - seen[1] < self.REREAD):
            return seen[2], seen[3]
        name = self.folder.stamp()
        published = self._published(name)
        self._seen = (identity, time.monotonic(), name, published)
        return name, published

    def _identity(self) -> tuple[int, ...] | None:
        try:
            found = os.stat(self.pointer_path)
        except OSError:
            return None
        return found.st_ino, found.st_dev, found.st_mtime_ns, found.st_ctime_ns, found.st_size

    def _published(self, name: str | None) -> float:
        if name is None:
            return 0.0
        try:
            return (self.folder.root / name).stat().st_mtime
        except OSError:
            return 0.0
