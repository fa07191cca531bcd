"""A search index file truncated while the real server runs: no worker crashes, searches keep their
results, and the site builds a whole index again by itself."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from townhall.search.index import MANIFEST, damage

pytestmark = pytest.mark.slow


def current_generation(server) -> Path:
    root = Path(server.instance, "search-index")
    return root / json.loads((root / "CURRENT").read_text())["generation"]


def test_a_truncated_index_file_crashes_nothing_and_is_rebuilt(start_server) -> None:
    server = start_server()
    assert b"Report a missed bin" in server.get("/search?q=missed+bin")[2]
    damaged = current_generation(server)
    victim = max((path for path in damaged.iterdir() if path.name != MANIFEST), key=lambda path: path.stat().st_size)
    with open(victim, "r+b") as handle:
        handle.truncate(victim.stat().st_size // 3)
    deadline = time.monotonic() + 60
    words = iter(["bins", "council tax", "library", "parking", "recycling", "school", "planning", "noise"] * 20)
    while current_generation(server) == damaged and time.monotonic() < deadline:
        try:
            status, _headers, body = server.get("/search?" + f"q={next(words)}".replace(" ", "+"))
        except OSError as error:  # the server went away: say what it logged, to see why
            pytest.fail(f"{type(error).__name__} while the index was damaged; the server said:\n"
                        f"{(server.error_text() + server.output_text())[-4000:]}")
        assert status == 200 and b"result" in body  # answered from the checked copy in memory
        time.sleep(0.2)
    fresh = current_generation(server)
    assert fresh != damaged and damage(fresh) is None
    status, _headers, body = server.get("/search?q=missed+bin")
    assert status == 200 and b"Report a missed bin" in body
    log = server.error_text() + server.output_text()
    assert "The search index is damaged" in log
    assert not re.search(r"SIGBUS|Worker \(pid:\d+\) was sent|exited with code", log), log[-2000:]
