"""One client floods the real server (gunicorn.conf.py, as `make run`) with requests for audio not made
yet, fifty different pages at once: pages are served normally throughout, and the excess is told to
come back later (202 being prepared, 429 or 503 with Retry-After), never held."""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest

from townhall.config import PROJECT_ROOT

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")]


def service_pages(count: int) -> list[str]:
    slugs = sorted(path.stem for path in (PROJECT_ROOT / "content" / "services").glob("*.md") if ".cy" not in path.name)
    assert len(slugs) >= count
    return [f"/services/{slug}" for slug in slugs[:count]]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def test_the_home_page_stays_quick_while_one_client_floods_speech(start_server) -> None:
    server = start_server()
    for _ in range(5):
        assert server.get("/")[0] == 200  # warm: templates compiled, the index open
    answers: Counter = Counter()
    retry_after: list[str] = []
    lock = threading.Lock()

    def ask(page: str) -> None:
        status, headers, _body = server.get("/listen/player?" + urlencode({"page": page, "section": "all"}),
                                            headers={"HX-Request": "true"}, timeout=60)
        with lock:
            answers[status] += 1
            if status in (202, 429, 503):
                retry_after.append(headers.get("retry-after", ""))

    flood = [threading.Thread(target=ask, args=(page,)) for page in service_pages(50)]
    home: list[float] = []
    for thread in flood:
        thread.start()
    while any(thread.is_alive() for thread in flood) or len(home) < 100:
        started = time.perf_counter()
        assert server.get("/", timeout=30)[0] == 200
        home.append(time.perf_counter() - started)
        time.sleep(0.01)
    for thread in flood:
        thread.join()
    assert sum(answers.values()) == 50 and set(answers) <= {200, 202, 429, 503}, answers
    assert all(value.isdigit() and int(value) >= 1 for value in retry_after)
    assert percentile(home, 0.99) < 0.2, sorted(home)[-5:]
    # Nothing was held: every answer came back, and far fewer syntheses were made than asked for.
    made = [path for path in Path(server.instance, "audio-cache").glob("??/*") if path.is_dir()]
    assert len(made) <= 12 + 4  # the per-client limit, and jobs already queued when it was reached
