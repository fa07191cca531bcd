"""Making audio away from the threads that serve pages: a bounded queue with its own small pool.

Why: synthesis takes from a fraction of a second to many seconds, and a request
that waited for it held a server thread all that time. Fifty requests for audio
not made yet (one client, fifty pages) held every thread of every worker, and
the home page took forty seconds to answer. Now:

* each serving process has a small pool of threads (``threads``) that make
  audio, fed by a queue of at most ``capacity`` jobs waiting or running; past
  that a request is told to come back later (``SpeechBusy``, a 503 with
  Retry-After) instead of joining an ever longer line;
* the same audio asked for twice while it is being made is one job;
* a request may wait a little for its audio, so a short section still comes
  back in one round trip, but only ``waiters`` requests per process wait at
  once; the others are answered straight away ("being prepared, try again"),
  so however many people ask for audio the page-serving threads stay free;
* a job that failed is remembered for a short while, so the requests polling
  for it get the failure instead of starting it again.

The synthesis slots (engine.Slots) still bound how many espeak-ng processes run
at once across all the processes of the machine.

Fork-safe: the pool is started on first use in the process that uses it, and
started again in a child process (gunicorn forks its workers).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from .cache import AudioEntry
from .errors import SpeechBusy, SpeechError

FAILURE_MEMORY_SECONDS = 30.0


class SynthesisQueue:
    """At most `capacity` audio jobs per process, made by `threads` threads of their own."""

    def __init__(self, threads: int = 2, capacity: int = 8, waiters: int = 2,
                 failure_memory: float = FAILURE_MEMORY_SECONDS) -> None:
        self.threads = max(1, int(threads))
        self.capacity = max(1, int(capacity))
        self.waiters = max(0, int(waiters))
        self.failure_memory = failure_memory
        self._lock = threading.Lock()
        self._jobs: dict[str, Future] = {}
        self._failures: dict[str, tuple[float, SpeechError]] = {}
        self._waiting = threading.BoundedSemaphore(self.waiters) if self.waiters else None
        self._pool: ThreadPoolExecutor | None = None
        self._pid = os.getpid()

    # --- jobs ---------------------------------------------------------------------------------

    def pending(self) -> int:
        """Jobs waiting or running in this process."""
        with self._lock:
            self._after_fork()
            return len(self._jobs)

    def has_room(self) -> bool:
        return self.pending() < self.capacity

    def in_flight(self, key: str) -> Future | None:
        with self._lock:
            self._after_fork()
            return self._jobs.get(key)

    def recent_failure(self, key: str) -> SpeechError | None:
        """The error of a job for `key` that failed in the last few seconds, if any."""
        with self._lock:
            found = self._failures.get(key)
            if found is None:
                return None
            if time.monotonic() - found[0] > self.failure_memory:
                del self._failures[key]
                return None
            return found[1]

    def submit(self, key: str, make: Callable[[], AudioEntry]) -> Future:
        """Queue `make` to produce the audio for `key` (or join the job already making it).

        Raises SpeechBusy when the queue is full.
        """
        with self._lock:
            self._after_fork()
            running = self._jobs.get(key)
            if running is not None:
                return running
            if len(self._jobs) >= self.capacity:
                raise SpeechBusy("The speech queue of this process is full", retry_after=10)
            self._failures.pop(key, None)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="speech")
            future = self._pool.submit(make)
            self._jobs[key] = future
        future.add_done_callback(lambda done: self._finished(key, done))
        return future

    def _finished(self, key: str, future: Future) -> None:
        with self._lock:
            if self._jobs.get(key) is future:
                del self._jobs[key]
            error = None if future.cancelled() else future.exception()
            if isinstance(error, SpeechError):
                self._failures[key] = (time.monotonic(), error)
            now = time.monotonic()
            for old in [k for k, (when, _e) in self._failures.items() if now - when > self.failure_memory]:
                del self._failures[old]

    # --- waiting ------------------------------------------------------------------------------

    def wait(self, future: Future, seconds: float) -> AudioEntry | None:
        """The job's audio if it is ready within `seconds`, else None ("being prepared").

        Only `waiters` requests per process wait at once; others get None at
        once unless the job has already finished. A job's SpeechError is raised.
        """
        if not future.done():
            if self._waiting is None or seconds <= 0 or not self._waiting.acquire(blocking=False):
                return None
            try:
                future.exception(timeout=seconds)  # waits; the job's own error is raised below
            except FutureTimeout:
                return None
            finally:
                self._waiting.release()
        return future.result()

    def close(self) -> None:
        """Stop taking jobs; running ones finish (tests and the command line)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _after_fork(self) -> None:
        """In a forked child the parent's threads do not exist: forget its pool and jobs (lock held)."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._pool = None
            self._jobs = {}
            self._failures = {}
            self._waiting = threading.BoundedSemaphore(self.waiters) if self.waiters else None
