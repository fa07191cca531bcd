"""Per-client limits on what residents and staff send: forms, page feedback, tracking guesses, logins.

Each limit counts in its own small SQLite file in ``<instance>/limits/``, so
every gunicorn worker on the machine shares one count (the same counter the
speech limit uses). Clients are counted by a hash of their address, never the
address itself. Tracking guesses and logins count only failures: a resident
who checks their own case every day is never turned away.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from ..speech.limits import Decision, RateLimiter

# name -> (setting with the number allowed, window in seconds)
LIMITS = {
    "submissions": ("TOWNHALL_SUBMISSION_RATE_LIMIT", 600),
    "feedback": ("TOWNHALL_FEEDBACK_RATE_LIMIT", 600),
    "track": ("TOWNHALL_TRACK_RATE_LIMIT", 900),
    "login": ("TOWNHALL_LOGIN_RATE_LIMIT", 900),
}


class CountingLimiter(RateLimiter):
    """A `RateLimiter` that can also say whether a client is over the limit without counting a request."""

    def peek(self, address: str, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        window = int(now // self.window)
        retry_after = max(1, int((window + 1) * self.window - now))
        if self.limit <= 0:
            return Decision(True, 0, self.limit, retry_after)
        try:
            row = self._connection().execute("SELECT count FROM hits WHERE client = ? AND window = ?",
                                             (self.client_key(address), window)).fetchone()
        except (sqlite3.Error, OSError):
            return Decision(True, 0, self.limit, retry_after)  # as `hit`: a broken counter lets people through
        count = row[0] if row else 0
        return Decision(count < self.limit, count, self.limit, retry_after)


@dataclass(frozen=True)
class ClientLimits:
    submissions: CountingLimiter
    feedback: CountingLimiter
    track: CountingLimiter
    login: CountingLimiter


def make_limits(app: Flask) -> ClientLimits:
    folder = Path(app.config["TOWNHALL_INSTANCE"]) / "limits"
    made = {name: CountingLimiter(folder / f"{name}.sqlite3", int(app.config[setting]), window)
            for name, (setting, window) in LIMITS.items()}
    return ClientLimits(**made)
