"""The audio cache: finished audio on disk, shared by every process that serves the site.

Layout (under TOWNHALL_AUDIO_CACHE)::

    ab/abcdef.../meta.json   what the audio is: length, cues, formats, sizes
                 audio.ogg   audio.mp3   (or audio.wav without an encoder)
                 cues.vtt    the sentence cues as WebVTT
                 transient   present only in audio made for a one-off address (below)
    .staging/    entries being made (same file system, so the final rename is atomic)
    .trash/      entries being deleted
    .locks/      one lock file per key stripe, so two processes never make the same audio twice
    .slots/      synthesis slots (see engine.Slots)

Why it is safe with several gunicorn workers:

* an entry is made in ``.staging`` and appears with one ``rename`` of its
  folder, so readers see all of it or none of it;
* an entry is removed by renaming it into ``.trash`` first; a reader that
  already opened a file keeps reading it (POSIX unlink semantics);
* making an entry happens under an ``flock`` for its key, and the cache is
  checked again once the lock is held;
* least-recently-used order comes from ``meta.json``'s modification time,
  which every read refreshes (at most once a minute, to keep reads cheap),
  so all processes share it without any index file to keep consistent.

Eviction runs after each new entry, when the total size is over the cap, and
removes the least recently used entries until the cache is at 90% of it.

One-off audio
-------------
Audio made for a page whose address carries a query string (search results,
a postcode's answers) is *transient*: residents' one-off questions must not
push out the audio of the site's own pages that ``flask speech pregenerate``
made at deploy time. Transient audio

* may use at most ``transient_share`` of the cap (10%): past that, the least
  recently used transient audio goes, whatever the rest of the cache holds;
* is removed once unused for ``transient_max_age`` seconds (an hour): the
  listener has moved on, and the same question is rarely asked twice;
* goes first when the whole cache is over its cap.

The same audio asked for by a page without a query string (or made by
``pregenerate``) becomes lasting (``make_lasting``): a section that a result
page shares with an ordinary page, say.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .engine import FORMATS, Cue, Rendering
from .errors import SpeechTimedOut
from .vtt import webvtt

META = "meta.json"
CUES = "cues.vtt"
TRANSIENT = "transient"
TRANSIENT_SHARE = 0.1
TRANSIENT_MAX_AGE = 3600
LOCK_STRIPES = 256
STALE_STAGING_SECONDS = 3600


@dataclass(frozen=True)
class AudioEntry:
    """A finished audio in the cache."""

    key: str
    folder: Path
    duration: float
    cues: tuple[Cue, ...]
    files: Mapping[str, str]  # format -> file name
    sizes: Mapping[str, int]
    speed: str
    voices: tuple[str, ...]
    created: float
    transient: bool = False  # made for a one-off address (see "One-off audio" above)

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(name for name in FORMATS if name in self.files)

    def path(self, audio_format: str) -> Path:
        return self.folder / self.files[audio_format]

    def mimetype(self, audio_format: str) -> str:
        return FORMATS[audio_format][0]

    @property
    def cues_path(self) -> Path:
        return self.folder / CUES

    def etag(self, audio_format: str) -> str:
        return f"{self.key}-{audio_format}"

    @property
    def size(self) -> int:
        return sum(self.sizes.values())


class CachedItem(NamedTuple):
    folder: Path
    size: int
    used: float  # when last read (meta.json's modification time)
    transient: bool


class AudioCache:
    def __init__(self, root: Path | str, max_bytes: int, touch_interval: float = 60.0,
                 transient_share: float = TRANSIENT_SHARE, transient_max_age: float = TRANSIENT_MAX_AGE) -> None:
        self.root = Path(root)
        self.max_bytes = int(max_bytes)
        self.touch_interval = touch_interval
        self.transient_share = transient_share
        self.transient_max_age = transient_max_age

    # --- reading ----------------------------------------------------------------

    def folder_for(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError("cache keys are hexadecimal")
        return self.root / key[:2] / key

    def get(self, key: str) -> AudioEntry | None:
        """The entry for `key`, or None; marks it as recently used."""
        folder = self.folder_for(key)
        meta_path = folder / META
        try:
            with open(meta_path, "rb") as handle:
                meta = json.load(handle)
                modified = os.fstat(handle.fileno()).st_mtime
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return None
        now = time.time()
        if now - modified > self.touch_interval:
            try:
                os.utime(meta_path, (now, now))
            except OSError:
                pass
        return _entry(key, folder, meta)

    # --- writing ----------------------------------------------------------------

    def staging(self) -> Path:
        """A new empty folder for making an entry in (on the cache's file system)."""
        folder = self.root / ".staging"
        folder.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="make-", dir=folder))

    def commit(self, key: str, staged: Path, rendering: Rendering, *, speed: str, engine: str,
               transient: bool = False) -> AudioEntry:
        """Publish a rendering made in `staged` as the entry for `key`, atomically.

        `transient`: made for a one-off address, so kept only a short time and
        within a small share of the cache.
        """
        sizes = {name: (staged / filename).stat().st_size for name, filename in rendering.files.items()}
        (staged / CUES).write_text(webvtt(rendering.cues), encoding="utf-8")
        if transient:
            (staged / TRANSIENT).touch()
        meta = {
            "key": key,
            "duration": round(rendering.duration, 3),
            "cues": [[round(c.start, 3), round(c.end, 3), c.text] for c in rendering.cues],
            "files": dict(rendering.files),
            "sizes": sizes,
            "speed": speed,
            "voices": list(rendering.voices),
            "engine": engine,
            "created": time.time(),
            "transient": transient,
        }
        (staged / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        final = self.folder_for(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(staged, final)
        except OSError:
            # Another process published the same key first: keep theirs.
            shutil.rmtree(staged, ignore_errors=True)
            existing = self.get(key)
            if existing is not None:
                return existing
            raise
        self.evict(keep=key)
        return _entry(key, final, meta)

    def make_lasting(self, key: str) -> AudioEntry | None:
        """Keep transient audio like any other, now that a lasting page uses it too."""
        folder = self.folder_for(key)
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
            meta["transient"] = False
            handle, temporary = tempfile.mkstemp(prefix=".meta-", dir=folder)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(meta, out, ensure_ascii=False)
            os.replace(temporary, folder / META)
            (folder / TRANSIENT).unlink(missing_ok=True)
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return None  # evicted meanwhile
        return _entry(key, folder, meta)

    @contextmanager
    def key_lock(self, key: str, deadline: float) -> Iterator[None]:
        """Hold the lock for `key` (shared by all processes); SpeechTimedOut at the deadline."""
        folder = self.root / ".locks"
        folder.mkdir(parents=True, exist_ok=True)
        stripe = zlib.crc32(key.encode()) % LOCK_STRIPES
        with open(folder / f"{stripe:03d}.lock", "a+") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise SpeechTimedOut("Waited too long for the same audio being made elsewhere") from None
                    time.sleep(0.01)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # --- size and eviction ------------------------------------------------------

    def items(self) -> Iterator[CachedItem]:
        """Every entry: folder, bytes, last used, transient."""
        if not self.root.is_dir():
            return
        for shard in os.scandir(self.root):
            if not shard.is_dir() or shard.name.startswith("."):
                continue
            for entry in os.scandir(shard.path):
                if not entry.is_dir():
                    continue
                size = 0
                used = None
                transient = False
                try:
                    for item in os.scandir(entry.path):
                        stat = item.stat()
                        size += stat.st_size
                        if item.name == META:
                            used = stat.st_mtime
                        elif item.name == TRANSIENT:
                            transient = True
                except FileNotFoundError:
                    continue  # removed while we looked
                if used is not None:
                    yield CachedItem(Path(entry.path), size, used, transient)

    def entries(self) -> Iterator[tuple[Path, int, float]]:
        """Every entry: (folder, bytes, last used)."""
        for item in self.items():
            yield item.folder, item.size, item.used

    def total_bytes(self) -> int:
        return sum(item.size for item in self.items())

    def evict(self, keep: str | None = None, now: float | None = None) -> int:
        """Remove transient audio past its time or its share, then least-recently-used entries while over
        the cap (transient ones first). Returns how many were removed."""
        self.root.mkdir(parents=True, exist_ok=True)
        now = time.time() if now is None else now
        with open(self.root / ".evict.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return 0  # another process is evicting right now
            self._clean_staging()
            everything = sorted(self.items(), key=lambda item: item.used)  # least recently used first
            items = [item for item in everything if item.folder.name != keep]
            kept = [item for item in everything if item.folder.name == keep]
            removed: set[Path] = set()

            def remove_until(candidates: list[CachedItem], total: int, target: float) -> int:
                for item in candidates:
                    if total <= target:
                        break
                    if item.folder not in removed and self._remove(item.folder):
                        removed.add(item.folder)
                        total -= item.size
                return total

            transient = [item for item in items if item.transient]
            for item in transient:
                if now - item.used > self.transient_max_age and self._remove(item.folder):
                    removed.add(item.folder)
            transient = [item for item in transient if item.folder not in removed]
            share = self.max_bytes * self.transient_share
            transient_total = sum(item.size for item in transient + [k for k in kept if k.transient])
            if transient_total > share:
                remove_until(transient, transient_total, share * 0.9)
            remaining = [item for item in items if item.folder not in removed]
            total = sum(item.size for item in remaining + kept)
            if total > self.max_bytes:
                oldest_first = [item for item in remaining if item.transient] + [
                    item for item in remaining if not item.transient]
                remove_until(oldest_first, total, self.max_bytes * 0.9)
            return len(removed)

    def clear(self) -> int:
        """Remove every entry. Returns how many were removed."""
        removed = sum(1 for folder, _, _ in list(self.entries()) if self._remove(folder))
        self._clean_staging(max_age=0)
        return removed

    def _remove(self, folder: Path) -> bool:
        trash = self.root / ".trash"
        trash.mkdir(parents=True, exist_ok=True)
        doomed = trash / f"{folder.name}-{uuid.uuid4().hex[:8]}"
        try:
            os.rename(folder, doomed)
        except OSError:
            return False
        shutil.rmtree(doomed, ignore_errors=True)
        return True

    def _clean_staging(self, max_age: float = STALE_STAGING_SECONDS) -> None:
        """Remove staging folders left by processes that were killed mid-way."""
        for name in (".staging", ".trash"):
            folder = self.root / name
            if not folder.is_dir():
                continue
            for item in os.scandir(folder):
                try:
                    if time.time() - item.stat().st_mtime >= max_age:
                        shutil.rmtree(item.path, ignore_errors=True)
                except FileNotFoundError:
                    pass


def _entry(key: str, folder: Path, meta: dict) -> AudioEntry:
    return AudioEntry(
        key=key,
        folder=folder,
        duration=float(meta["duration"]),
        cues=tuple(Cue(start, end, text) for start, end, text in meta["cues"]),
        files=dict(meta["files"]),
        sizes=dict(meta["sizes"]),
        speed=meta.get("speed", ""),
        voices=tuple(meta.get("voices", ())),
        created=float(meta.get("created", 0)),
        transient=bool(meta.get("transient", False)),
    )
