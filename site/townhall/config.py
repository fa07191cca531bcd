"""Townhall's configuration: safe defaults, then the environment (TOWNHALL_*), in one place.

Every setting a deployer may change is read here so that the rest of the code
never touches ``os.environ`` and tests can pass a plain mapping instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]

DEFAULTS: dict[str, Any] = {
    # "production" serves the last good version of a file that has errors (or leaves out a page that never
    # had one), logs why and keeps serving the rest; "preview" (make preview) and "development" (make dev)
    # show every page, with its problems and its checks listed on the page itself; "check" (the content
    # check in `make test` and the pre-commit hook) reads the content and writes nothing.
    "TOWNHALL_ENV": "production",
    # How often (milliseconds) the content folder is checked for changes, at most; 0: never (restart to
    # pick up changes, or run `flask content reload`). Checks happen while requests arrive.
    "TOWNHALL_CONTENT_POLL_MS": 500,
    "TOWNHALL_LAST_GOOD": "",  # default: <instance>/content-last-good
    # 1: update the search index after a content change in a worker process (so searches answered meanwhile
    # do not slow it down); 0: in the serving process. Small sites (under 500 documents) always use the latter.
    "TOWNHALL_SEARCH_UPDATE_WORKER": 1,
    "TOWNHALL_IMAGES": "",  # resized pictures; default: <instance>/images
    "TOWNHALL_CONTENT": str(PROJECT_ROOT / "content"),
    "TOWNHALL_GEODATA": str(PROJECT_ROOT / "geodata"),
    "TOWNHALL_INSTANCE": str(PROJECT_ROOT / "instance"),
    "TOWNHALL_SEARCH_INDEX": "",  # default: <instance>/search-index
    # A search index folder built ahead of time (at deploy, or once for a test run): when it holds an index of
    # exactly this content, it is copied in rather than built again. Empty: always build here.
    "TOWNHALL_SEARCH_INDEX_SEED": "",
    "TOWNHALL_AUDIO_CACHE": "",  # default: <instance>/audio-cache
    "TOWNHALL_AUDIO_CACHE_MB": 512,
    "TOWNHALL_LANGUAGES": "en,cy",
    # Host names the site answers to, comma-separated (e.g. "www.example-council.gov.uk"). Empty accepts any,
    # which is right behind a proxy that checks them; set it otherwise, as API links use the Host header.
    "TOWNHALL_TRUSTED_HOSTS": "",
    # How many reverse proxies (nginx, a load balancer) stand in front of the site. Their X-Forwarded-For and
    # X-Forwarded-Proto headers are believed only then, so cookies are Secure behind an HTTPS front and limits
    # count residents, not the proxy. 0: no proxy, and those headers are ignored (a client could forge them).
    "TOWNHALL_PROXY_COUNT": 0,
    # Keep pages that are the same for everyone in memory, drawn again when content, index or geodata change
    # and every minute (pages say "open now"). 0 turns it off.
    "TOWNHALL_PAGE_CACHE": 1,
    "TOWNHALL_BOUNDARY_WARNING_METRES": 100,
    # How many nearest places of each kind `flask geodata` imports store for every postcode
    # (more are worked out on request).
    "TOWNHALL_NEAREST_PRECOMPUTED": 10,
    "TOWNHALL_SPEECH_WORKERS": 2,
    "TOWNHALL_SPEECH_TIMEOUT": 20,
    "TOWNHALL_SPEECH_RATE_LIMIT": 60,  # audio requests per client per minute
    # Audio made (not served from the cache) per client per minute, and for everyone per minute on this
    # machine: making audio costs CPU, serving it does not (speech/limits.py).
    "TOWNHALL_SPEECH_CLIENT_SYNTHESES": 12,
    "TOWNHALL_SPEECH_SYNTHESES": 120,
    # Each serving process makes audio in its own small pool of threads, never in the threads that serve
    # pages (speech/queue.py): at most this many jobs waiting or running per process...
    "TOWNHALL_SPEECH_QUEUE": 8,
    # ...and at most this many requests per process waiting for their audio, each for at most
    # TOWNHALL_SPEECH_WAIT seconds; the others are told at once that it is being prepared.
    "TOWNHALL_SPEECH_WAITERS": 2,
    "TOWNHALL_SPEECH_WAIT": 3,
    "TOWNHALL_FFMPEG": "ffmpeg",  # the encoder for Ogg Opus and MP3; WAV is served when it is missing
    "TOWNHALL_SPEECH_COMMAND": "",  # the synthesis worker command; empty means Python running speech.worker
    # Listening (feedback, enquiries, complaints). Stored data: SQLite in the instance folder unless a URL is set,
    # e.g. postgresql+psycopg://townhall@db.internal/townhall. Migrated at start-up when it is behind.
    "TOWNHALL_DATABASE_URL": "",
    # Where emails go: smtp://host:25, smtp+starttls://user:password@host:587 or smtps://host:465.
    # Unset: each email is written as an .eml file in TOWNHALL_OUTBOX_FOLDER (default <instance>/outbox).
    "TOWNHALL_SMTP_URL": "",
    "TOWNHALL_OUTBOX_FOLDER": "",
    # Who emails come from; default: the council's name and no-reply@ the host of its website (council.yaml).
    "TOWNHALL_MAIL_FROM": "",
    # Seconds between each worker's outbox rounds (it is also woken at once after a form is sent).
    # 0 turns the background sender off: run `flask outbox send` from cron instead.
    "TOWNHALL_OUTBOX_INTERVAL": 5,
    # Seconds a sender holds the emails it took before another may send them: a sender that died after taking
    # them (a killed worker) delays them this long, and a live one must send its batch within it.
    "TOWNHALL_OUTBOX_LEASE": 300,
    # Signs the session cookie and CSRF tokens. Unset: a random key kept in <instance>/secret_key (0600),
    # made on first start. Set it (the same on every machine) when more than one machine serves the site.
    "TOWNHALL_SECRET_KEY": "",
    # Months after a case is closed before `flask data purge` removes its personal details.
    "TOWNHALL_RETENTION_MONTHS": 24,
    # Per-client limits, counted across every worker on the machine (on every machine with TOWNHALL_REDIS_URL): form submissions per 10 minutes,
    # page-feedback answers per 10 minutes, wrong tracking guesses per 15 minutes, failed staff logins per
    # 15 minutes. 0 turns a limit off.
    "TOWNHALL_SUBMISSION_RATE_LIMIT": 20,
    "TOWNHALL_FEEDBACK_RATE_LIMIT": 60,
    "TOWNHALL_TRACK_RATE_LIMIT": 10,
    "TOWNHALL_LOGIN_RATE_LIMIT": 10,
    # Where those limits and the per-client speech limits are counted when more than one machine serves the
    # site, e.g. redis://redis.internal:6379/0: every machine then shares each count. Unset: each machine counts
    # in small SQLite files of its own (in the instance folder and beside the audio cache).
    "TOWNHALL_REDIS_URL": "",
    # The session cookie holds only the CSRF token (and a member of staff's login). HttpOnly and SameSite=Lax
    # always; Secure whenever the request came over HTTPS (see web/security.py), or always when this is true.
    "SESSION_COOKIE_NAME": "townhall_session",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,
    # A form's CSRF token lasts as long as the browser session: a resident who takes an afternoon to write
    # a complaint must not lose it to a timer (WCAG 2.2.1).
    "WTF_CSRF_TIME_LIMIT": None,
    # Tests only: pin the clock. TOWNHALL_TODAY is a date (2026-11-25), TOWNHALL_NOW a date and time
    # (2026-11-25T08:30); empty means the real time. Statuses, alerts and bin dates follow them.
    "TOWNHALL_TODAY": "",
    "TOWNHALL_NOW": "",
    # Largest request body we accept. Forms are tiny; anything bigger is a mistake
    # or an attack and gets a kind 413 page rather than a 500.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_FORM_MEMORY_SIZE": 64 * 1024,
    "MAX_FORM_PARTS": 100,
    # How long a whole request body may take to arrive under gunicorn, in seconds (a sender that stops
    # half-way gets a 408 and the connection closes): web/bodies.py.
    "TOWNHALL_BODY_TIMEOUT": 10,
    # 1: write clients' IP addresses in the access log (off by default: they are personal data).
    "TOWNHALL_LOG_ADDRESSES": 0,
}

INTEGER_SETTINGS = {
    "TOWNHALL_AUDIO_CACHE_MB",
    "TOWNHALL_CONTENT_POLL_MS",
    "TOWNHALL_SEARCH_UPDATE_WORKER",
    "TOWNHALL_BOUNDARY_WARNING_METRES",
    "TOWNHALL_PROXY_COUNT",
    "TOWNHALL_PAGE_CACHE",
    "TOWNHALL_NEAREST_PRECOMPUTED",
    "TOWNHALL_SPEECH_WORKERS",
    "TOWNHALL_SPEECH_TIMEOUT",
    "TOWNHALL_SPEECH_RATE_LIMIT",
    "TOWNHALL_SPEECH_CLIENT_SYNTHESES",
    "TOWNHALL_SPEECH_SYNTHESES",
    "TOWNHALL_SPEECH_QUEUE",
    "TOWNHALL_SPEECH_WAITERS",
    "TOWNHALL_BODY_TIMEOUT",
    "TOWNHALL_LOG_ADDRESSES",
    "MAX_CONTENT_LENGTH",
    "MAX_FORM_MEMORY_SIZE",
    "MAX_FORM_PARTS",
    "TOWNHALL_OUTBOX_INTERVAL",
    "TOWNHALL_OUTBOX_LEASE",
    "TOWNHALL_RETENTION_MONTHS",
    "TOWNHALL_SUBMISSION_RATE_LIMIT",
    "TOWNHALL_FEEDBACK_RATE_LIMIT",
    "TOWNHALL_TRACK_RATE_LIMIT",
    "TOWNHALL_LOGIN_RATE_LIMIT",
}


def settings_for(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The defaults, overlaid with TOWNHALL_* values from the environment, then with `overrides` (tests).

    Paths that default to places inside the instance folder are filled last, so
    an override of TOWNHALL_INSTANCE moves the search index and audio cache too.
    """
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for key in DEFAULTS:
        if key in environ and environ[key] != "":
            settings[key] = environ[key]
    settings.update(overrides or {})
    return finish(settings)


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings a deployed site runs with."""
    return settings_for(None, environ)


BOOLEAN_SETTINGS = {"SESSION_COOKIE_SECURE"}


def finish(settings: dict[str, Any]) -> dict[str, Any]:
    """Coerce types and fill the paths that default to places inside the instance folder."""
    for key in INTEGER_SETTINGS:
        settings[key] = int(settings[key])
    settings["TOWNHALL_SPEECH_WAIT"] = float(settings["TOWNHALL_SPEECH_WAIT"])
    for key in BOOLEAN_SETTINGS:
        if isinstance(settings[key], str):
            settings[key] = settings[key].strip().lower() in {"1", "true", "yes", "on"}
    instance = Path(settings["TOWNHALL_INSTANCE"])
    if not settings.get("TOWNHALL_SEARCH_INDEX"):
        settings["TOWNHALL_SEARCH_INDEX"] = str(instance / "search-index")
    if not settings.get("TOWNHALL_AUDIO_CACHE"):
        settings["TOWNHALL_AUDIO_CACHE"] = str(instance / "audio-cache")
    if not settings.get("TOWNHALL_LAST_GOOD"):
        settings["TOWNHALL_LAST_GOOD"] = str(instance / "content-last-good")
    if not settings.get("TOWNHALL_IMAGES"):
        settings["TOWNHALL_IMAGES"] = str(instance / "images")
    if not settings.get("TOWNHALL_OUTBOX_FOLDER"):
        settings["TOWNHALL_OUTBOX_FOLDER"] = str(instance / "outbox")
    languages = settings["TOWNHALL_LANGUAGES"]
    if isinstance(languages, str):
        languages = [code.strip() for code in languages.split(",") if code.strip()]
    settings["TOWNHALL_LANGUAGES"] = languages or ["en"]
    hosts = settings.get("TOWNHALL_TRUSTED_HOSTS") or ""
    if isinstance(hosts, str):
        hosts = [host.strip() for host in hosts.split(",") if host.strip()]
    settings["TRUSTED_HOSTS"] = hosts or None
    return settings
