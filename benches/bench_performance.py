"""How we're doing benchmark: the public page's render time from 18 months of demo figures plus 100,000 cases.

The page must stay quick however many cases there are, because it reads the
stored monthly figures (a few hundred rows), never the cases. This builds a
fresh SQLite database in benches/.work/performance/ at the newest migration,
adds 100,000 cases spread over the 18 months (bulk inserts with the columns the
figures read) and the demo's 18 months of figures, then times whole-page
renders through the app (the in-app page cache turned off, so every request is
drawn) in English and Welsh, and the htmx block for one standard. It also
times `refresh_month` over one month of those cases, the step that does count
them (run nightly, never on a request). Writes the "## How we're doing" section
of BENCHMARKS.md.

    python benches/bench_performance.py [--cases 100000] [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))
sys.path.insert(0, str(ROOT / "benches"))

from sqlalchemy import insert  # noqa: E402

from _common import cpu_model, percentile, write_section  # noqa: E402
from townhall import create_app, engines  # noqa: E402
from townhall.cases.models import Case  # noqa: E402
from townhall.performance import refresh_month, store_demo  # noqa: E402

WORK = ROOT / "benches" / ".work" / "performance"
TODAY = date(2026, 12, 4)
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
TARGET_MS = 50.0
BATCH = 5000


def make_cases(count: int, rng: random.Random) -> list[dict]:
    start = datetime(2025, 5, 20, 9, 0, tzinfo=UTC)
    span = (datetime(2026, 11, 30, tzinfo=UTC) - start).total_seconds()
    rows = []
    for number in range(count):
        received = start + timedelta(seconds=rng.random() * span)
        complaint = rng.random() < 0.08
        answer_days = 7 if complaint else 14
        acknowledged = received + timedelta(hours=rng.choice((1, 20, 50, 80)))
        answered = received + timedelta(days=rng.uniform(1, answer_days + 3))
        rows.append({
            "reference": f"BK-{number:08d}"[:12], "kind": "complaint" if complaint else "enquiry",
            "stage": 1 if complaint else None, "channel": rng.choice(("web", "email", "letter")),
            "received_at": received, "language": "cy" if rng.random() < 0.1 else "en", "details": "x",
            "contact_preference": "email", "status": "answered",
            "acknowledge_by": (received + timedelta(days=4)).date(),
            "answer_by": (received + timedelta(days=answer_days)).date(),
            "acknowledged_at": acknowledged, "answered_at": answered,
        })
    return rows


CPU: dict[str, list[float]] = {}


def timed(client, path: str, requests: int, headers: dict | None = None) -> list[float]:
    """Wall-clock milliseconds per request (what a resident waits), and the CPU time of each in `CPU`
    (what the page costs, whatever else the machine is doing)."""
    for _ in range(5):  # warm: templates compiled, explanations read
        assert client.get(path, headers=headers).status_code == 200
    times, cpu = [], CPU.setdefault(path + ("#htmx" if headers else ""), [])
    for _ in range(requests):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(WORK / "instance"), "TOWNHALL_PAGE_CACHE": 0,
                      "TOWNHALL_TODAY": TODAY.isoformat(), "TOWNHALL_SEARCH_INDEX": str(WORK / "index")})
    rng = random.Random(11)
    with app.app_context():
        database = engines.database()
        began = time.perf_counter()
        rows = make_cases(options.cases, rng)
        for first in range(0, len(rows), BATCH):
            database.transaction(lambda session, chunk=rows[first:first + BATCH]: session.execute(insert(Case),
                                                                                                   chunk))
        load_seconds = time.perf_counter() - began
        database.transaction(lambda session: store_demo(session, engines.site().standards, TODAY, NOW))
        began = time.perf_counter()
        counts = database.transaction(lambda session: refresh_month(session, date(2026, 10, 1), today=TODAY,
                                                                    now=NOW))
        refresh_ms = (time.perf_counter() - began) * 1000
        refreshed = sum(count.counted for count in counts.values())
    client = app.test_client()
    english = timed(client, "/how-we-are-doing", options.requests)
    welsh = timed(client, "/cy/how-we-are-doing", options.requests)
    block = timed(client, "/how-we-are-doing?standard=written-answer", options.requests, {"HX-Request": "true"})
    size = len(client.get("/how-we-are-doing").data)
    engines.database(app).dispose()

    cpu = iter(CPU.values())

    def row(name: str, times: list[float]) -> str:
        return (f"| {name} | {statistics.median(times):.1f} | {percentile(times, 0.95):.1f} | "
                f"{percentile(times, 0.99):.1f} | {statistics.median(next(cpu)):.1f} |")

    median = statistics.median(english)
    verdict = "met" if median < TARGET_MS and statistics.median(welsh) < TARGET_MS else "NOT met"
    section = "\n".join([
        "## How we're doing",
        "",
        f"`python benches/bench_performance.py` on {cpu_model(platform.processor() or 'unknown CPU')}, "
        f"{datetime.now(UTC):%Y-%m-%d}, SQLite, Python {platform.python_version()}: {options.cases:,} cases over "
        f"18 months plus the demo's 18 months of figures; {options.requests} requests each through the app "
        "(test client, in-app page cache off, so every request is drawn).",
        "",
        "| Request | median ms | p95 ms | p99 ms | median CPU ms |",
        "|---|---|---|---|---|",
        row("/how-we-are-doing (9 charts and tables, explanations)", english),
        row("/cy/how-we-are-doing", welsh),
        row("htmx block, one standard", block),
        "",
        f"Target: the page in under {TARGET_MS:.0f} ms median: **{verdict}** ({median:.1f} ms; the page is "
        f"{size / 1024:.0f} KB). The page reads the stored monthly figures, never the cases, so its time does not "
        f"grow with them. Counting one month again (`refresh_month`, {refreshed:,} promises among the "
        f"{options.cases:,} cases, run nightly by `flask performance refresh`): {refresh_ms:.0f} ms. "
        f"Loading the cases took {load_seconds:.1f} s. Load average while it ran: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times include waiting for a core; the CPU "
        "column is the page's own cost).",
        "",
    ])
    write_section(ROOT / "BENCHMARKS.md", "How we're doing", section)
    print(section)
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
