"""What gunicorn needs from Townhall beyond the app: an access log without personal data, and a time
limit on request bodies. ``gunicorn.conf.py`` (what ``make run`` uses) wires both in.

Access log
----------
gunicorn's default access log line holds the client's address, the whole request
line (query string included), the referring page and the user agent. On a
council site that is personal data: ``/search?q=...`` holds what a resident
typed, ``/your-area?postcode=...`` where they live, ``/api/postcodes/BK1 1AA``
the same in its path, ``/track/...`` a case reference, ``/listen?page=/search%3Fq...``
a search again, and the referrer repeats the page they came from. So the log
line here has:

* the path, with the part that identifies a person replaced by ``…`` on the
  routes that carry one in the path (``PRIVATE_PATHS``);
* never a query string: ``?…`` says there was one, not what it held;
* no referrer and no user agent;
* the client's address only when the council turns it on
  (``TOWNHALL_LOG_ADDRESSES=1``, for example while investigating abuse), else ``-``;
  gunicorn's own warnings ("Invalid request from ip=...") lose the address too.

Request bodies
--------------
A client that sends half a body and stops holds the thread reading it. gthread
workers have several threads, so one such client no longer takes a whole
worker, and the web layer gives the whole body TOWNHALL_BODY_TIMEOUT seconds
to arrive (web/bodies.py: the socket's timeout is set to the time left before
each read); then it answers 408 and gunicorn closes the connection. In
production the nginx front buffers whole bodies before the app sees them
(``proxy_request_buffering on``, its default), so slow senders never reach gunicorn.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gunicorn.glogging import Logger

# Routes whose path itself identifies a person (a postcode, a case reference), with or without a language
# prefix: the matched part is kept, the rest replaced.
PRIVATE_PATHS = re.compile(r"^((?:/[a-z]{2})?/(?:api/postcodes|postcodes|track)/).+$")
HIDDEN = "…"
_ADDRESS_IN_MESSAGE = re.compile(r"\bip=\S+")


def loggable_path(path: str, query: str = "") -> str:
    """The path to write in the access log: no query string, nothing identifying in the path."""
    shown = PRIVATE_PATHS.sub(lambda match: match.group(1) + HIDDEN, path or "/")
    return shown + (f"?{HIDDEN}" if query else "")


def private_atoms(atoms: Mapping[str, Any], log_addresses: bool) -> dict[str, Any]:
    """gunicorn's access log atoms with everything personal taken out (see the module's docstring)."""
    path = loggable_path(str(atoms.get("U", "")), str(atoms.get("q", "")))
    request_line = f"{atoms.get('m', '-')} {path} {atoms.get('H', '-')}"
    # Request headers and environ values appear as {name}i and {name}e atoms (the query string, the
    # address, cookies...): keep none of them, only the response's own headers ({name}o).
    cleaned = {name: value for name, value in atoms.items() if not name.endswith(("}i", "}e"))}
    cleaned.update({"r": request_line, "U": path, "q": "", "f": "-", "a": "-"})
    if not log_addresses:
        cleaned["h"] = "-"
    return cleaned


class PrivateLogger(Logger):
    """gunicorn's logger, writing access lines and warnings without personal data.

    Whether addresses are logged is the TOWNHALL_LOG_ADDRESSES setting (config.py), read once.
    """

    def __init__(self, cfg) -> None:
        from .config import from_environment

        self.log_addresses = bool(from_environment()["TOWNHALL_LOG_ADDRESSES"])
        super().__init__(cfg)

    def atoms(self, resp, req, environ, request_time):  # type: ignore[override]
        return private_atoms(super().atoms(resp, req, environ, request_time), self._addresses())

    def warning(self, msg, *args, **kwargs):  # type: ignore[override]
        if not self._addresses() and isinstance(msg, str):
            msg = _ADDRESS_IN_MESSAGE.sub("ip=-", msg)
        super().warning(msg, *args, **kwargs)

    def _addresses(self) -> bool:
        return self.log_addresses


ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms'


def send_app_logs_to_gunicorn(log: Logger) -> None:
    """Townhall's own log lines go where gunicorn's error log goes, in its format (once per process).

    Without this they reach Python's last-resort handler: bare messages on stderr, warnings only.
    """
    import logging

    app_log = logging.getLogger("townhall")
    if getattr(app_log, "_townhall_routed", False):
        return
    for handler in log.error_log.handlers:
        app_log.addHandler(handler)
    app_log.setLevel(logging.INFO)
    app_log.propagate = False
    app_log._townhall_routed = True  # type: ignore[attr-defined]
