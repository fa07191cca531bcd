"""Writing what the content team learns (searches, clicks, outside postcodes) without a resident waiting for it.

A search or a postcode answer only puts a small piece of work on a bounded
queue (`InsightsRecorder.record`) and goes on; one daemon thread per process
writes what is queued in batches, in a relaxed transaction (these counts may be
lost to a power cut without harm). When the queue is full the newest piece is
dropped; when the database is busy or broken, the batch is dropped. Either way
the log says so with the error's type only (never the words or the postcode),
and the resident's answer is never slowed or broken.

Under tests (``app.testing``) the work is done at once, still with every
failure swallowed, so tests can read what was written.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy.orm import Session

from ..cases.db import Database

log = logging.getLogger(__name__)

Work = Callable[[Session], object]
MAX_PENDING = 2000
BATCH = 200


class InsightsRecorder:
    def __init__(self, database: Database, *, synchronous: bool = False, max_pending: int = MAX_PENDING):
        self.database = database
        self.synchronous = synchronous
        self.pending: queue.Queue[Work] = queue.Queue(maxsize=max_pending)
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def record(self, work: Work) -> None:
        """Write `work(session)` soon; never raises."""
        try:
            if self.synchronous:
                self._write([work])
                return
            self._ensure_thread()
            self.pending.put_nowait(work)
        except queue.Full:
            log.warning("insights: queue full, one record dropped")
        except Exception as error:  # noqa: BLE001 - recording must never break the answer
            log.warning("insights: could not record (%s)", type(error).__name__)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until what is queued now has been written (for tests and shutdown)."""
        if self.synchronous or self._thread is None:
            return
        done = threading.Event()
        self.pending.put(done)  # type: ignore[arg-type]  # the writer sets it once what came before is committed
        done.wait(timeout)

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()  # a forked worker starts its own
                self._thread = threading.Thread(target=self._run, name="townhall-insights", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self.pending.get()]
            while len(batch) < BATCH:
                try:
                    batch.append(self.pending.get_nowait())
                except queue.Empty:
                    break
            waiting = [item for item in batch if isinstance(item, threading.Event)]
            work = [item for item in batch if not isinstance(item, threading.Event)]
            try:
                if work:
                    self._write(work)
            except Exception as error:  # noqa: BLE001 - the thread must keep going
                log.warning("insights: %d record(s) dropped (%s)", len(work), type(error).__name__)
            for event in waiting:
                event.set()

    def _write(self, batch: list[Work]) -> None:
        def work(session: Session) -> None:
            for item in batch:
                item(session)

        try:
            self.database.transaction(work, retries=2, durable=False)
        except Exception as error:  # noqa: BLE001 - swallowed: counts are not worth a resident's error page
            log.warning("insights: %d record(s) dropped (%s)", len(batch), type(error).__name__)


def make_recorder(app: Flask) -> InsightsRecorder:
    from . import database

    return InsightsRecorder(database(app), synchronous=app.testing)
