"""Prometheus metrics: requests by route and status, how long they take, and what the engines do.

Served at /metrics to the machine itself only (a request from loopback that no
proxy forwarded): the figures are for the people who run the site, and say
nothing about any resident (no addresses, no query strings, routes by name).

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py
does) so each worker writes its figures to that folder and /metrics adds them
up, whichever worker answers.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections import Counter as Tallies

from flask import Blueprint, Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

from .common import WARM_UP

bp = Blueprint("metrics", __name__)
LOOPBACK = {"127.0.0.1", "::1"}

REQUESTS = Counter("townhall_requests_total", "Requests answered, by route and status", ["route", "status"])
LATENCY = Histogram("townhall_request_seconds", "Time to answer a request, by route", ["route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
ANSWERS = Histogram("townhall_answer_seconds", "Time the domain took for one answer (search, postcode)", ["kind"],
                    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1))
CACHE = Counter("townhall_page_cache_total", "Rendered pages served from the page cache or drawn", ["result"])
SYNTHESES = Counter("townhall_speech_syntheses_total", "Audio made by the speech engine, by outcome", ["outcome"])


class Tally:
    """Counts for the busiest path (a page served from the page cache), added to Prometheus once a second.

    With several workers each `inc()` writes the figure to a shared file under one lock for the whole
    process (prometheus_client's multiprocess mode). Here an answer adds one to a number in memory, and a
    thread of each process sends the numbers to Prometheus every `every` seconds (and /metrics sends its
    own process's before reading), so a figure is at most that far behind; the last second of a worker
    that is killed (not stopped) is not counted.
    """

    def __init__(self, every: float = 1.0) -> None:
        self.every = every
        self.counts: Tallies = Tallies()
        self.lock = threading.Lock()
        self.sender_pid = 0

    def add(self, *counters) -> None:
        with self.lock:
            for counter in counters:
                self.counts[counter] += 1
            if self.sender_pid != os.getpid():  # threads do not survive a fork: one sender per process
                self.sender_pid = os.getpid()
                threading.Thread(target=self._send_forever, name="metrics-tally", daemon=True).start()
                atexit.register(self.send)  # a worker that stops counts its last second too

    def send(self) -> None:
        with self.lock:
            counts, self.counts = self.counts, Tallies()
        for counter, number in counts.items():
            counter.inc(number)

    def _send_forever(self) -> None:
        while True:
            time.sleep(self.every)
            self.send()


TALLY = Tally()


def install(app: Flask) -> None:
    app.before_request(_start_clock)
    app.after_request(_count)
    app.register_blueprint(bp)


def _start_clock() -> None:
    g.metrics_started = time.perf_counter()


def _count(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if request.environ.get(WARM_UP):
        return response  # a new worker drawing its first pages for itself
    route = request.url_rule.rule if request.url_rule is not None else "(no route)"
    REQUESTS.labels(route, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(route).observe(time.perf_counter() - started)
    return response


def time_answer(kind: str):
    """Time one domain answer: `with time_answer("search"): ...`."""
    return ANSWERS.labels(kind).time()


def registry() -> CollectorRegistry | None:
    """The registry to read: every worker's figures when gunicorn runs several (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
        return collected
    return None


@bp.route("/metrics")
def metrics() -> Response:
    if request.remote_addr not in LOOPBACK or request.headers.get("X-Forwarded-For"):
        abort(404)  # not for the public: only the machine itself, never through a proxy
    TALLY.send()
    chosen = registry()
    body = generate_latest(chosen) if chosen is not None else generate_latest()
    response = Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0])
    response.headers["Cache-Control"] = "no-store"
    return response
