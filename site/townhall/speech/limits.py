"""A per-client request limit shared by every process that serves the site.

Audio costs CPU to make, so nobody should be able to use the site as a free
speech engine. The limit counts requests per client per minute (a fixed
window) in a small SQLite file beside the audio cache. SQLite's own locking
makes the count shared by all gunicorn workers on the machine, so the limit
is the same however many workers run. (On several machines each machine
counts separately: put a limit in the load balancer too if you run more than one.)

Clients are counted by a hash of their address, never the address itself,
and rows older than two minutes are deleted. If the file cannot be used
(a read-only disk, say) the limiter lets requests through and logs why:
a broken counter must not take listening away from everyone.

Which requests count is ``SpeechLimit``'s policy (the web layer asks it once per
speech request).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends


class RateLimiter:
    def __init__(self, path: Path | str, limit: int, window: int = WINDOW_SECONDS) -> None:
        self.path = Path(path)
        self.limit = int(limit)
        self.window = int(window)
        self._local = threading.local()
        self._last_cleanup = 0.0

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
            self._local.connection = connection
        return connection

    @staticmethod
    def client_key(address: str) -> str:
        return hashlib.sha256(f"townhall-speech:{address}".encode()).hexdigest()[:24]

    def hit(self, address: str, now: float | None = None) -> Decision:
        """Count one request from `address` and say whether it is within the limit."""
        now = time.time() if now is None else now
        window = int(now // self.window)
        retry_after = max(1, int((window + 1) * self.window - now))
        if self.limit <= 0:
            return Decision(True, 0, self.limit, retry_after)
        try:
            connection = self._connection()
            count = connection.execute(
                "INSERT INTO hits (client, window, count) VALUES (?, ?, 1) "
                "ON CONFLICT (client, window) DO UPDATE SET count = count + 1 RETURNING count",
                (self.client_key(address), window),
            ).fetchone()[0]
            if now - self._last_cleanup > self.window:
                self._last_cleanup = now
                connection.execute("DELETE FROM hits WHERE window < ?", (window - 1,))
        except (sqlite3.Error, OSError) as error:
            log.warning("The speech rate limit could not be counted (%s); letting the request through", error)
            return Decision(True, 0, self.limit, retry_after)
        return Decision(count <= self.limit, count, self.limit, retry_after)


class SpeechLimit:
    """Which speech requests count towards the per-client limit, and whether one more is allowed.

    Every request to the speech routes counts, except one for audio that is
    already made (``made``): serving it costs no more than a static file, so
    seeking, replaying and showing a player for finished audio are free. The
    web layer decides ``made`` by looking in the cache, never from what the
    request says about itself: a Range header in particular proves nothing
    (``Range: bytes=1-`` on audio not made yet would be free synthesis).
    """

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SpeechLimit:
        """The limiter beside the audio cache, shared by every worker (config.py: TOWNHALL_SPEECH_RATE_LIMIT)."""
        path = Path(settings["TOWNHALL_AUDIO_CACHE"]) / ".rate-limit.sqlite3"
        return cls(RateLimiter(path, int(settings["TOWNHALL_SPEECH_RATE_LIMIT"])))

    def check(self, address: str, *, made: bool, now: float | None = None) -> Decision:
        if made:
            return Decision(True, 0, self.limiter.limit, 0)
        return self.limiter.hit(address or "unknown", now)
