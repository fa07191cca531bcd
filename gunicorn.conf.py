"""How `make run` serves Townhall: `gunicorn -c gunicorn.conf.py wsgi:app` (command-line options win).

Why these choices (figures in BENCHMARKS.md, "Hostile clients" and "Serving"):

* **gthread workers, 2 processes x 16 threads.** With sync workers each process
  serves one request at a time, so two clients that send half a request body
  (or a flood of requests that wait for audio) left nobody to serve the home
  page. gthread waits for the first bytes of a request in its event loop and
  only then gives the request to a thread; a stalled client holds one thread
  of 32, not a process. Two processes use the machine's two cores (Python runs
  one thread at a time per process). gthread accepts connections whether or not
  a thread is free, so a worker whose threads were all held by slow senders
  would queue the next visitor behind them: sixteen threads each leave room for
  many stalled clients (eight were measured) while they time out. Threads that
  wait cost no CPU. Measured: with eight stalled senders the home page's p99
  was 13 ms (sync workers: one answer in 12 s, after 48 s); quiet throughput
  on a service page about 13% below sync workers' (423 against 484 a second).
* **No preloading.** Measured, it gained nothing (328 requests a second against
  423 without, in the same run), and without it each worker builds the app
  itself, so whatever it opens (the search index, geodata, SQLite files, speech
  workers) is its own, never a file descriptor or thread shared across a fork.
  The search index is still built once (the others wait on its lock and reuse it).
* **Request bodies time out** (TOWNHALL_BODY_TIMEOUT, 10 s for the whole body): a
  sender that stops half-way gets a 408 and its thread back (townhall/web/bodies.py).
  In production the nginx front buffers whole request bodies before passing
  them on, so slow senders never reach gunicorn at all; this is the second line.
* **Access log without personal data**: no query strings, no referrer or user
  agent, no IP addresses unless TOWNHALL_LOG_ADDRESSES=1 (townhall/serving.py).
  Each worker writes its lines from one thread of its own: written by the
  request threads, every line waited for the log handler's lock, and the log
  cost a quarter of the rate of cached pages.
* **Workers start warm** (`post_worker_init`): a new worker draws the home page,
  a service page, a search and the postcode page in every language before it
  takes visitors. Cold, its first pages held the interpreter for a second or
  more while templates compiled, and the visitors it had accepted waited (15 of
  32 connections over 2 s in a benchmark run).
* **Prometheus figures from every worker**: each writes them to
  PROMETHEUS_MULTIPROC_DIR (a fresh temporary folder unless set) and /metrics
  adds them up, whichever worker answers.
* **Speech never runs in these threads**: audio is made by a small pool of its
  own in each process, with a bounded queue (townhall/speech/queue.py).
"""

import os
import shutil
import tempfile

# Each worker writes its Prometheus figures to this folder and /metrics adds every worker's up: a fresh folder
# for each start unless the council names one (then it is emptied at start: old workers' files would count
# twice). Set before anything imports prometheus_client, which reads it once.
metrics_folder_is_ours = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
metrics_folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="townhall-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_folder

from townhall.serving import ACCESS_LOG_FORMAT, PrivateLogger, send_app_logs_to_gunicorn, warm_up  # noqa: E402

bind = os.environ.get("TOWNHALL_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = 16
preload_app = False
timeout = 60  # a worker whose event loop is stuck this long is restarted
graceful_timeout = 30
keepalive = 5

# Requests larger than anything the site accepts are refused by gunicorn before the app (the app's own
# limit, MAX_CONTENT_LENGTH, gives the kind page for bodies).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

accesslog = "-"
errorlog = "-"
logger_class = PrivateLogger
access_log_format = ACCESS_LOG_FORMAT


def on_starting(server):
    send_app_logs_to_gunicorn(server.log)
    os.makedirs(metrics_folder, exist_ok=True)
    for old in os.scandir(metrics_folder):
        if old.name.endswith(".db"):
            os.unlink(old.path)


def post_fork(server, worker):
    send_app_logs_to_gunicorn(worker.log)


def post_worker_init(worker):
    warm_up(worker.wsgi, worker.log)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, metrics_folder)


def on_exit(server):
    if metrics_folder_is_ours:
        shutil.rmtree(metrics_folder, ignore_errors=True)
