"""Request bodies that cannot be read become a 400 or a 408, never a 500.

The server hands the app the body as a stream (``wsgi.input``) that is read
only when a view asks for the form. If the client sent a malformed chunked
body, stopped half-way (the read times out: see townhall/serving.py) or went
away, that read raises the server's own exception deep inside the form parser,
and Flask answered 500 with a traceback in the log. Wrapping the stream turns
those into HTTP errors the error pages already word kindly: 400 for a body we
cannot understand, 408 for one that stopped coming.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.exceptions import BadRequest, HTTPException, RequestTimeout

log = logging.getLogger(__name__)

try:  # gunicorn's errors for a malformed body (InvalidChunkSize, ChunkMissingTerminator...)
    from gunicorn.http.errors import ParseException
except ImportError:  # pragma: no cover - another WSGI server
    class ParseException(Exception):  # type: ignore[no-redef]
        """Stands in when gunicorn is not installed."""


class GuardedInput:
    """``wsgi.input`` whose read errors are HTTP errors (see the module's docstring)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _guard(self, read: Callable[..., Any], *args: Any) -> Any:
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


def install(app: Flask) -> None:
    inner = app.wsgi_app

    def guarded(environ: dict, start_response: Callable) -> Iterable[bytes]:
        stream = environ.get("wsgi.input")
        if stream is not None and not isinstance(stream, GuardedInput):
            environ["wsgi.input"] = GuardedInput(stream)
        return inner(environ, start_response)

    app.wsgi_app = guarded  # type: ignore[method-assign]
