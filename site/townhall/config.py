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
    "TOWNHALL_AUDIO_CACHE": "",  # default: <instance>/audio-cache
    "TOWNHALL_AUDIO_CACHE_MB": 512,
    "TOWNHALL_LANGUAGES": "en,cy",
    # Host names the site answers to, comma-separated (e.g. "www.example-council.gov.uk"). Empty accepts any,
    # which is right behind a proxy that checks them; set it otherwise, as API links use the Host header.
    "TOWNHALL_TRUSTED_HOSTS": "",
    "TOWNHALL_BOUNDARY_WARNING_METRES": 100,
    # How many nearest places of each kind `flask geodata` imports store for every postcode
    # (more are worked out on request).
    "TOWNHALL_NEAREST_PRECOMPUTED": 10,
    "TOWNHALL_SPEECH_WORKERS": 2,
    "TOWNHALL_SPEECH_TIMEOUT": 20,
    "TOWNHALL_SPEECH_RATE_LIMIT": 60,  # audio requests per client per minute
    "TOWNHALL_FFMPEG": "ffmpeg",  # the encoder for Ogg Opus and MP3; WAV is served when it is missing
    "TOWNHALL_SPEECH_COMMAND": "",  # the synthesis worker command; empty means Python running speech.worker
    # Largest request body we accept. Forms are tiny; anything bigger is a mistake
    # or an attack and gets a kind 413 page rather than a 500.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_FORM_MEMORY_SIZE": 64 * 1024,
    "MAX_FORM_PARTS": 100,
}

INTEGER_SETTINGS = {
    "TOWNHALL_AUDIO_CACHE_MB",
    "TOWNHALL_CONTENT_POLL_MS",
    "TOWNHALL_SEARCH_UPDATE_WORKER",
    "TOWNHALL_BOUNDARY_WARNING_METRES",
    "TOWNHALL_NEAREST_PRECOMPUTED",
    "TOWNHALL_SPEECH_WORKERS",
    "TOWNHALL_SPEECH_TIMEOUT",
    "TOWNHALL_SPEECH_RATE_LIMIT",
    "MAX_CONTENT_LENGTH",
    "MAX_FORM_MEMORY_SIZE",
    "MAX_FORM_PARTS",
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


def finish(settings: dict[str, Any]) -> dict[str, Any]:
    """Coerce types and fill the paths that default to places inside the instance folder."""
    for key in INTEGER_SETTINGS:
        settings[key] = int(settings[key])
    instance = Path(settings["TOWNHALL_INSTANCE"])
    if not settings.get("TOWNHALL_SEARCH_INDEX"):
        settings["TOWNHALL_SEARCH_INDEX"] = str(instance / "search-index")
    if not settings.get("TOWNHALL_AUDIO_CACHE"):
        settings["TOWNHALL_AUDIO_CACHE"] = str(instance / "audio-cache")
    if not settings.get("TOWNHALL_LAST_GOOD"):
        settings["TOWNHALL_LAST_GOOD"] = str(instance / "content-last-good")
    if not settings.get("TOWNHALL_IMAGES"):
        settings["TOWNHALL_IMAGES"] = str(instance / "images")
    languages = settings["TOWNHALL_LANGUAGES"]
    if isinstance(languages, str):
        languages = [code.strip() for code in languages.split(",") if code.strip()]
    settings["TOWNHALL_LANGUAGES"] = languages or ["en"]
    hosts = settings.get("TOWNHALL_TRUSTED_HOSTS") or ""
    if isinstance(hosts, str):
        hosts = [host.strip() for host in hosts.split(",") if host.strip()]
    settings["TRUSTED_HOSTS"] = hosts or None
    return settings
