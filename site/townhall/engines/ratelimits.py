"""Per-client limits on what residents and staff send: forms, page feedback, tracking guesses, logins.

Each limit counts in its own small SQLite file in ``<instance>/limits/``, so
every gunicorn worker on the machine shares one count (the same counter the
speech limit uses), or, when TOWNHALL_REDIS_URL is set, in Redis, so that every
machine behind the front shares it too (a client cannot get ten more guesses by
reaching another machine). Clients are counted by a salted hash of their
address, never the address itself. Tracking guesses and logins count only failures: a resident
who checks their own case every day is never turned away.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from ..speech.limits import Counter, counter

# name -> (setting with the number allowed, window in seconds)
LIMITS = {
    "submissions": ("TOWNHALL_SUBMISSION_RATE_LIMIT", 600),
    "feedback": ("TOWNHALL_FEEDBACK_RATE_LIMIT", 600),
    "track": ("TOWNHALL_TRACK_RATE_LIMIT", 900),
    "login": ("TOWNHALL_LOGIN_RATE_LIMIT", 900),
}


# Kept as a name: the limiter that can also `peek` (say whether a client is over without counting).
CountingLimiter = Counter


@dataclass(frozen=True)
class ClientLimits:
    submissions: CountingLimiter
    feedback: CountingLimiter
    track: CountingLimiter
    login: CountingLimiter


def make_limits(app: Flask) -> ClientLimits:
    folder = Path(app.config["TOWNHALL_INSTANCE"]) / "limits"
    made = {name: counter(app.config, folder / f"{name}.sqlite3", int(app.config[setting]), window, namespace=name)
            for name, (setting, window) in LIMITS.items()}
    return ClientLimits(**made)
