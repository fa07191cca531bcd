"""Per-client and site-wide limits on speech, shared by every process that serves the site.

Audio costs CPU to make, so nobody should be able to use the site as a free
speech engine, nor keep it busy making audio for everyone else. Two things are
counted, per minute (a fixed window), in a small SQLite file beside the audio
cache (SQLite's own locking makes the counts shared by all gunicorn workers on
the machine), or in Redis when TOWNHALL_REDIS_URL is set, so that every machine
shares the per-client counts (``counter``):

* **requests** to the speech routes (``SpeechLimit``): every one, except those
  answered exactly from audio already made;
* **syntheses** (``SynthesisLimit``): every time audio is actually made, per
  client (over the limit: 429) and for everyone together (over it: 503, the
  machine is busy). A request can never make audio without being counted here,
  whatever it says about itself.

Privacy: clients are counted by a salted hash of their address. The salt is
random, made for each day and deleted the next, so a count can never be traced
back to an address, nor linked with the same client's counts on other days.
Rows older than two minutes are deleted. If the file cannot be used (a
read-only disk, say) the limiter lets requests through and logs why: a broken
counter must not take listening away from everyone. The same holds for Redis
(``RedisRateLimiter``): its counts are kept by the maintained ``limits`` library
under the same salted hashes, the day's salt is shared through Redis and expires
after two days, and a Redis that does not answer within half a second lets the
request through, and the requests of the next five seconds without asking it.

The site-wide synthesis count stays on each machine even with Redis: it guards
this machine's CPU, and every machine has its own.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .errors import SpeechBusy, SpeechLimited

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
DAY_SECONDS = 24 * 60 * 60
FILE_NAME = ".rate-limit.sqlite3"
EVERYONE = "*"  # the "client" that counts everybody's syntheses together


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends


class Counter(Protocol):
    """What every limit needs from its counter: count a hit, or say whether one more would be allowed."""

    limit: int
    window: int
    namespace: str

    def peek(self, address: str, now: float | None = None) -> Decision: ...

    def hit(self, address: str, now: float | None = None) -> Decision: ...


class RateLimiter:
    """At most `limit` hits per client per window; `namespace` keeps different counts apart in one file."""

    def __init__(self, path: Path | str, limit: int, window: int = WINDOW_SECONDS,
                 namespace: str = "requests") -> None:
        self.path = Path(path)
        self.limit = int(limit)
        self.window = int(window)
        self.namespace = namespace
        self._local = threading.local()
        self._last_cleanup = 0.0
        self._salts: dict[int, bytes] = {}

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=0.5, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")  # counts are not precious
            connection.execute(
                "CREATE TABLE IF NOT EXISTS hits (client TEXT, window INTEGER, count INTEGER, "
                "PRIMARY KEY (client, window)) WITHOUT ROWID"
            )
            connection.execute("CREATE TABLE IF NOT EXISTS salts (day INTEGER PRIMARY KEY, salt BLOB NOT NULL)")
            self._local.connection = connection
        return connection

    def _salt(self, connection: sqlite3.Connection, day: int) -> bytes:
        """Today's salt, the same in every process: made by whichever process needs it first."""
        salt = self._salts.get(day)
        if salt is None:
            connection.execute("INSERT OR IGNORE INTO salts (day, salt) VALUES (?, ?)", (day, os.urandom(32)))
            salt = connection.execute("SELECT salt FROM salts WHERE day = ?", (day,)).fetchone()[0]
            connection.execute("DELETE FROM salts WHERE day < ?", (day,))  # yesterday's can never be used again
            self._salts = {day: salt}
        return salt

    def client_key(self, address: str, salt: bytes) -> str:
        return hashlib.sha256(salt + f"{self.namespace}\0{address}".encode()).hexdigest()[:24]

    def peek(self, address: str, now: float | None = None) -> Decision:
        """Whether one more hit from `address` would be allowed, without counting it."""
        now = time.time() if now is None else now
        window = int(now // self.window)
        retry_after = max(1, int((window + 1) * self.window - now))
        if self.limit <= 0:
            return Decision(True, 0, self.limit, retry_after)
        try:
            connection = self._connection()
            client = self.client_key(address, self._salt(connection, int(now // DAY_SECONDS)))
            row = connection.execute("SELECT count FROM hits WHERE client = ? AND window = ?",
                                     (client, window)).fetchone()
        except (sqlite3.Error, OSError):
            return Decision(True, 0, self.limit, retry_after)
        count = row[0] if row else 0
        return Decision(count < self.limit, count, self.limit, retry_after)

    def hit(self, address: str, now: float | None = None) -> Decision:
        """Count one hit from `address` and say whether it is within the limit."""
        now = time.time() if now is None else now
        window = int(now // self.window)
        retry_after = max(1, int((window + 1) * self.window - now))
        if self.limit <= 0:
            return Decision(True, 0, self.limit, retry_after)
        try:
            connection = self._connection()
            client = self.client_key(address, self._salt(connection, int(now // DAY_SECONDS)))
            count = connection.execute(
                "INSERT INTO hits (client, window, count) VALUES (?, ?, 1) "
                "ON CONFLICT (client, window) DO UPDATE SET count = count + 1 RETURNING count",
                (client, window),
            ).fetchone()[0]
            if now - self._last_cleanup > self.window:
                self._last_cleanup = now
                connection.execute("DELETE FROM hits WHERE window < ?", (window - 1,))
        except (sqlite3.Error, OSError) as error:
            log.warning("The speech rate limit could not be counted (%s); letting the request through", error)
            return Decision(True, 0, self.limit, retry_after)
        return Decision(count <= self.limit, count, self.limit, retry_after)


class SpeechLimit:
    """Which speech requests count towards the per-client request limit, and whether one more is allowed.

    Every request to the speech routes counts, except one answered exactly from
    audio already made (``made``): serving it costs no more than a static file,
    so seeking, replaying and showing a player for finished audio are free. The
    web layer decides ``made`` by looking in the cache for what it will serve,
    never from what the request says about itself: a Range header proves
    nothing, and a key (``v=``) frees only a request served from that very entry.
    """

    def __init__(self, limiter: Counter) -> None:
        self.limiter = limiter

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SpeechLimit:
        """Counted beside the audio cache or in Redis, shared by every worker (TOWNHALL_SPEECH_RATE_LIMIT)."""
        path = Path(settings["TOWNHALL_AUDIO_CACHE"]) / FILE_NAME
        return cls(counter(settings, path, int(settings["TOWNHALL_SPEECH_RATE_LIMIT"])))

    def check(self, address: str, *, made: bool, now: float | None = None) -> Decision:
        if made:
            return Decision(True, 0, self.limiter.limit, 0)
        return self.limiter.hit(address or "unknown", now)


class SynthesisLimit:
    """Every synthesis counts: per client (SpeechLimited, 429) and for everyone together (SpeechBusy, 503)."""

    def __init__(self, per_client: Counter, everyone: Counter) -> None:
        self.per_client = per_client
        self.everyone = everyone

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SynthesisLimit:
        """Counted beside the request limit (config.py: TOWNHALL_SPEECH_CLIENT_SYNTHESES, _SYNTHESES).

        Per client in Redis when it is set (a client must not make more audio by
        reaching another machine); for everyone always on this machine, whose CPU it guards.
        """
        path = Path(settings["TOWNHALL_AUDIO_CACHE"]) / FILE_NAME
        return cls(counter(settings, path, int(settings["TOWNHALL_SPEECH_CLIENT_SYNTHESES"]), namespace="syntheses"),
                   RateLimiter(path, int(settings["TOWNHALL_SPEECH_SYNTHESES"]), namespace="all-syntheses"))

    def check(self, address: str, now: float | None = None) -> None:
        """Raise now if one more synthesis for `address` would be refused (nothing is counted)."""
        mine = self.per_client.peek(address or "unknown", now)
        if not mine.allowed:
            raise SpeechLimited("Too much audio made for one client this minute", retry_after=mine.retry_after)
        everyone = self.everyone.peek(EVERYONE, now)
        if not everyone.allowed:
            raise SpeechBusy("Too much audio made for everyone this minute", retry_after=everyone.retry_after)

    def allow(self, address: str, now: float | None = None) -> None:
        """Count one synthesis for `address`; raise if it is one too many."""
        mine = self.per_client.hit(address or "unknown", now)
        if not mine.allowed:
            raise SpeechLimited("Too much audio made for one client this minute", retry_after=mine.retry_after)
        everyone = self.everyone.hit(EVERYONE, now)
        if not everyone.allowed:
            raise SpeechBusy("Too much audio made for everyone this minute", retry_after=everyone.retry_after)


# -- Shared by every machine: Redis, through the `limits` library --------------------------------

REDIS_TIMEOUT_SECONDS = 0.5  # a Redis that does not answer in time lets the request through
REDIS_KEY_PREFIX = "townhall"
SALT_RECHECK_SECONDS = 60
REDIS_RETRY_SECONDS = 5  # after Redis failed to answer, requests go through without asking it for this long
_redis_down_until: dict[str, float] = {}
_storages: dict[str, Any] = {}
_storages_lock = threading.Lock()


def _redis_storage(url: str) -> Any:
    """One `limits` Redis storage (one connection pool) per URL in this process, made on first use."""
    with _storages_lock:
        storage = _storages.get(url)
        if storage is None:
            from limits.storage import RedisStorage

            storage = RedisStorage(url, key_prefix=REDIS_KEY_PREFIX, wrap_exceptions=True,
                                   socket_timeout=REDIS_TIMEOUT_SECONDS,
                                   socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
            _storages[url] = storage
        return storage


class RedisRateLimiter:
    """The same limit as `RateLimiter`, counted in Redis so that every worker on every machine shares it.

    The counting is the ``limits`` library's fixed window (its windows start at a
    client's first hit and last `window` seconds, timed by Redis, so `now` is
    used only for the day of the salt). Clients are keyed by a salted hash of
    their address exactly as in the SQLite file: Redis never holds an address.
    The day's salt is made by whichever process needs it first (``SET NX``) and
    expires two days later, so yesterday's counts can never be linked with today's.
    """

    def __init__(self, url: str, limit: int, window: int = WINDOW_SECONDS, namespace: str = "requests",
                 fallback: Counter | None = None) -> None:
        from limits import RateLimitItemPerSecond
        from limits.strategies import FixedWindowRateLimiter

        self.url = url
        self.limit = int(limit)
        self.window = int(window)
        self.namespace = namespace
        self._storage = _redis_storage(url)
        self._strategy = FixedWindowRateLimiter(self._storage)
        self._item = RateLimitItemPerSecond(max(self.limit, 1), self.window, namespace=namespace)
        self._salts: dict[int, tuple[bytes, float]] = {}
        # While Redis does not answer, this machine's own counter (the SQLite file) counts instead: limits that
        # stop password and reference guessing keep working, per machine, rather than letting every guess in.
        self.fallback = fallback

    def _salt(self, day: int) -> bytes:
        """Today's salt, the same in every process on every machine.

        Kept in this process for a minute only: a Redis that restarts (it keeps
        nothing on disk) loses the salt, and every process must agree on the
        new one soon, or one client would be counted under two keys.
        """
        found = self._salts.get(day)
        if found is None or time.monotonic() - found[1] > SALT_RECHECK_SECONDS:
            client = self._storage.storage  # the redis-py client the `limits` storage holds
            name = f"{REDIS_KEY_PREFIX}:salt:{day}"
            client.set(name, os.urandom(32), nx=True, ex=2 * DAY_SECONDS)
            salt = client.get(name)
            if not salt:
                raise OSError("the day's salt could not be read back from Redis")
            found = (salt, time.monotonic())
            self._salts = {day: found}
        return found[0]

    def client_key(self, address: str, salt: bytes) -> str:
        return hashlib.sha256(salt + f"{self.namespace}\0{address}".encode()).hexdigest()[:24]

    def _decision(self, client: str, allowed: bool | None) -> Decision:
        key = self._item.key_for(client)
        count = int(self._storage.get(key))
        reset = self._storage.get_expiry(key)
        retry_after = max(1, int(reset - time.time() + 0.999)) if count else self.window
        if allowed is None:  # peek: would one more be allowed?
            allowed = count < self.limit
        return Decision(allowed, count, self.limit, retry_after)

    def _refused_quietly(self, error: Exception, address: str, now: float | None, counting: bool) -> Decision:
        """Leave Redis alone for a few seconds (no request waits on it meanwhile) and count on this machine."""
        _redis_down_until[self.url] = time.monotonic() + REDIS_RETRY_SECONDS
        log.warning("A rate limit could not be counted in Redis (%s); counting %s on this machine for %d s",
                    type(error).__name__, "them" if self.fallback is not None else "nothing: letting requests through",
                    REDIS_RETRY_SECONDS)
        return self._locally(address, now, counting)

    def _locally(self, address: str, now: float | None, counting: bool) -> Decision:
        if self.fallback is None:
            return Decision(True, 0, self.limit, self.window)
        return self.fallback.hit(address, now) if counting else self.fallback.peek(address, now)

    def _resting(self) -> bool:
        return time.monotonic() < _redis_down_until.get(self.url, 0.0)

    def peek(self, address: str, now: float | None = None) -> Decision:
        """Whether one more hit from `address` would be allowed, without counting it."""
        if self.limit <= 0:
            return Decision(True, 0, self.limit, self.window)
        if self._resting():
            return self._locally(address, now, counting=False)
        moment = time.time() if now is None else now
        try:
            client = self.client_key(address, self._salt(int(moment // DAY_SECONDS)))
            return self._decision(client, None)
        except Exception as error:  # noqa: BLE001 (redis, limits' StorageError, sockets: all mean "not counted")
            return self._refused_quietly(error, address, now, counting=False)

    def hit(self, address: str, now: float | None = None) -> Decision:
        """Count one hit from `address` and say whether it is within the limit."""
        if self.limit <= 0:
            return Decision(True, 0, self.limit, self.window)
        if self._resting():
            return self._locally(address, now, counting=True)
        moment = time.time() if now is None else now
        try:
            client = self.client_key(address, self._salt(int(moment // DAY_SECONDS)))
            allowed = self._strategy.hit(self._item, client)
            return self._decision(client, allowed)
        except Exception as error:  # noqa: BLE001 (as in peek)
            return self._refused_quietly(error, address, now, counting=True)


def counter(settings: Mapping[str, Any], path: Path | str, limit: int, window: int = WINDOW_SECONDS,
            namespace: str = "requests") -> Counter:
    """A limit's counter: in Redis when TOWNHALL_REDIS_URL is set (every machine shares it), else in `path`."""
    url = str(settings.get("TOWNHALL_REDIS_URL") or "")
    on_this_machine = RateLimiter(path, limit, window, namespace)
    if url:
        return RedisRateLimiter(url, limit, window, namespace, fallback=on_this_machine)
    return on_this_machine
