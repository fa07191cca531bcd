"""Request bodies that cannot be read become a 400 or a 408, never a 500.

The server hands the app the body as a stream (``wsgi.input``) that is read
only when a view asks for the form. If the client sent a malformed chunked
body, stopped half-way or went away, that read raised the server's own
exception deep inside the form parser, and Flask answered 500 with a traceback
in the log. Wrapping the stream turns those into HTTP errors the error pages
already word kindly: 400 for a body we cannot understand, 408 for one that
stopped coming.

Time limit: under gunicorn (which puts the connection's socket in the environ)
the whole body must arrive within TOWNHALL_BODY_TIMEOUT seconds of the first
read: before each read the socket's timeout is set to the time left. A sender
that stops half-way, or dribbles a byte every few seconds, gets a 408 and its
server thread back. (The nginx front buffers bodies, so in production slow
senders never reach the app; this is the second line.)

The query string is put right on the way in too: a client may send raw bytes
outside printable ASCII in it (gunicorn refuses such a request line, but other
servers, the development server among them, pass the bytes on), and
werkzeug decodes the query as UTF-8 without a fallback wherever it reads
``request.args`` or ``request.full_path``: one ``?\x80`` was a 500 on any page.
Such bytes are percent-encoded, as RFC 3986 wants them, so they read as the
replacement character like any other broken UTF-8.

No form of the site takes a file. A multipart body with a file part is kept in
memory (the body is at most MAX_CONTENT_LENGTH) instead of a temporary file
that werkzeug leaves open when the body breaks off half-way.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from io import BytesIO
from typing import Any

from flask import Flask
from werkzeug.exceptions import BadRequest, HTTPException, RequestTimeout

log = logging.getLogger(__name__)

try:  # gunicorn's errors for a malformed body (InvalidChunkSize, ChunkMissingTerminator...)
    from gunicorn.http.errors import ParseException
except ImportError:  # pragma: no cover - another WSGI server
    class ParseException(Exception):  # type: ignore[no-redef]
        """Stands in when gunicorn is not installed."""


NOT_IN_A_QUERY = re.compile(r"[^\x21-\x7e]")  # anything but printable ASCII (a space too)


def ascii_query(query: str) -> str:
    """A WSGI query string (bytes as Latin-1) with every byte outside printable ASCII percent-encoded."""
    if query.isascii() and query.isprintable() and " " not in query:
        return query
    return NOT_IN_A_QUERY.sub(lambda found: "".join(f"%{byte:02X}" for byte in found.group().encode(
        "latin-1" if ord(found.group()) < 256 else "utf-8")), query)


class GuardedInput:
    """``wsgi.input`` whose read errors are HTTP errors (see the module's docstring)."""

    def __init__(self, stream: Any, sock: Any = None, seconds: float = 0) -> None:
        self._stream = stream
        self._sock = sock if seconds and hasattr(sock, "settimeout") else None
        self._seconds = seconds
        self._deadline: float | None = None

    def _guard(self, read: Callable[..., Any], *args: Any) -> Any:
        if self._sock is not None:
            if self._deadline is None:
                self._deadline = time.monotonic() + self._seconds
            left = self._deadline - time.monotonic()
            if left <= 0:
                log.info("A request body took too long to arrive; answered 408")
                raise RequestTimeout()
            self._sock.settimeout(left)
        try:
            return read(*args)
        except HTTPException:
            raise
        except TimeoutError:
            log.info("A request body stopped arriving; answered 408")
            raise RequestTimeout() from None
        except (ParseException, OSError, ValueError) as error:
            log.info("A request body could not be read (%s); answered 400", type(error).__name__)
            raise BadRequest() from None

    def read(self, *args: Any) -> bytes:
        return self._guard(self._stream.read, *args)

    def readline(self, *args: Any) -> bytes:
        return self._guard(self._stream.readline, *args)

    def readlines(self, *args: Any) -> list[bytes]:
        return self._guard(self._stream.readlines, *args)

    def __iter__(self) -> GuardedInput:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


class FilesInMemory:
    """Mixed into the app's request class (htmx-flask's, which knows `request.htmx`): file parts in memory."""

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> BytesIO:
        return BytesIO()


def install(app: Flask) -> None:
    if not issubclass(app.request_class, FilesInMemory):
        app.request_class = type("Request", (FilesInMemory, app.request_class), {})
    inner = app.wsgi_app
    seconds = float(app.config["TOWNHALL_BODY_TIMEOUT"])

    def guarded(environ: dict, start_response: Callable) -> Iterable[bytes]:
        stream = environ.get("wsgi.input")
        if stream is not None and not isinstance(stream, GuardedInput):
            environ["wsgi.input"] = GuardedInput(stream, environ.get("gunicorn.socket"), seconds)
        if environ.get("QUERY_STRING"):
            environ["QUERY_STRING"] = ascii_query(environ["QUERY_STRING"])
        return inner(environ, start_response)

    app.wsgi_app = guarded  # type: ignore[method-assign]
