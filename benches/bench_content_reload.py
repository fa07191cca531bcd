"""Content reload benchmark: one edited page live in pages and search, on a 2,000-page site, while searching.

A synthetic content folder (the demo's shared files, plus 2,000 service pages
written from the demo's words and Debian's word list) is served by the real app
(production settings, its own instance folder in benches/.work/) on a local port.
One thread searches without pause over HTTP the whole time. Each round edits one
page (a new title and a word no page has), then measures from the moment the
file is saved until (a) the page shows the new title and (b) a search for the
new word finds it. The site notices changes by itself (TOWNHALL_CONTENT_POLL_MS,
default 500 ms, included in the figures): nothing is restarted and the index
is updated in place (search/update.py). A full rebuild of the same index
(`flask search build`) is timed for comparison. Writes the "## Content reload"
section of BENCHMARKS.md.

    python benches/bench_content_reload.py [--pages 2000] [--rounds 10] [--poll-ms 500]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
import re
import shutil
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))
sys.path.insert(0, str(ROOT / "benches"))

from werkzeug.serving import make_server  # noqa: E402

from _common import cpu_model, percentile, write_section  # noqa: E402
from townhall import create_app, engines  # noqa: E402
from townhall.engines.search_index import all_documents, search_fingerprint  # noqa: E402
from townhall.search import build_index  # noqa: E402

WORK = ROOT / "benches" / ".work" / "content-reload"
SHARED = ("council.yaml", "categories.yaml", "contacts.yaml", "standards.yaml", "home.yaml", "owners.yaml",
          "closures.yaml", "style", "search")
TARGET_SECONDS = 2.0


def vocabulary() -> list[str]:
    words = re.findall(r"[a-z]{3,}", " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "content").rglob("*.md")))
    dictionary = Path("/usr/share/dict/words")
    if dictionary.exists():
        words += [w for w in dictionary.read_text(encoding="utf-8", errors="ignore").split() if w.isalpha()
                  and w.islower()][:30000]
    return words


def make_content(folder: Path, pages: int, seed: int = 14) -> None:
    """The demo's shared files and `pages` synthetic service pages (each with headings, lists and links)."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "services").mkdir(parents=True)
    (folder / "pages").mkdir()
    for name in SHARED:
        source = ROOT / "content" / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        elif source.exists():
            shutil.copy(source, folder / name)
    words = vocabulary()
    pick = random.Random(seed)
    categories = re.findall(r"^- slug: (\S+)", (folder / "categories.yaml").read_text(encoding="utf-8"), re.M)

    def sentence(count: int) -> str:
        return " ".join(pick.choice(words) for _ in range(count)).capitalize() + "."

    for number in range(pages):
        body = []
        for section in range(4):
            body.append(f"## Section {section + 1} {pick.choice(words)}")
            body.append(" ".join(sentence(pick.randint(6, 14)) for _ in range(pick.randint(3, 6))))
            body.append("\n".join(f"- {sentence(pick.randint(3, 8))}" for _ in range(3)))
        body.append(f"See [page {(number + 1) % pages}](/services/page-{(number + 1) % pages}).")
        (folder / "services" / f"page-{number}.md").write_text(
            f"---\ntitle: Page {number} {pick.choice(words)} {pick.choice(words)}\n"
            f"summary: {sentence(10)}\ncategory: {pick.choice(categories)}\n"
            f"keywords: [{pick.choice(words)}, {pick.choice(words)}]\nresponsible: Customer Services\n"
            f"contact: customer-services\ncharges: free\nstandard:\n  promise: answer you\n  within: 5 working days\n"
            f"owner: customer-services\nreviewed: 2026-11-01\n---\n" + "\n\n".join(body) + "\n", encoding="utf-8")


class Searcher(threading.Thread):
    """Searches without pause over HTTP, recording each answer's time and any failure."""

    def __init__(self, base: str, words: list[str]):
        super().__init__(daemon=True)
        self.base, self.words = base, words
        self.times: list[float] = []
        self.failures = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        pick = random.Random(1)
        while not self.stopping.is_set():
            query = urllib.parse.urlencode({"q": " ".join(pick.sample(self.words, 2))})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{self.base}/search?{query}", timeout=30) as answer:
                    answer.read()
                    ok = answer.status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            self.times.append(time.perf_counter() - started)
            self.failures += 0 if ok else 1


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read().decode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--poll-ms", type=int, default=500)
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="  %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per search would drown the figures

    content, instance = WORK / "content", WORK / "instance"
    started = time.perf_counter()
    make_content(content, options.pages)
    shutil.rmtree(instance, ignore_errors=True)
    made = time.perf_counter() - started
    started = time.perf_counter()
    app = create_app({"TOWNHALL_CONTENT": str(content), "TOWNHALL_INSTANCE": str(instance),
                      "TOWNHALL_CONTENT_POLL_MS": options.poll_ms})
    startup = time.perf_counter() - started
    documents = engines.search(app).info.documents
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    searcher = Searcher(base, vocabulary()[:2000])
    searcher.start()
    time.sleep(2)

    page_times, search_times = [], []
    pick = random.Random(3)
    for round_number in range(options.rounds):
        number = pick.randrange(options.pages)
        word = f"zqx{round_number}marker"
        path = content / "services" / f"page-{number}.md"
        text = path.read_text(encoding="utf-8")
        title = f"Page {number} edited {round_number}"
        text = re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M)
        text = text.replace("## Section 2", f"A new sentence with {word} in it.\n\n## Section 2", 1)
        saved = time.perf_counter()
        path.write_text(text, encoding="utf-8")
        page_live = search_live = None
        while page_live is None or search_live is None:
            if time.perf_counter() - saved > 60:
                raise SystemExit(f"round {round_number}: not live after 60 s")
            if page_live is None and f"<h1>{title}</h1>" in fetch(f"{base}/services/page-{number}"):
                page_live = time.perf_counter() - saved
            if search_live is None and f"/services/page-{number}" in fetch(f"{base}/search?q={word}"):
                search_live = time.perf_counter() - saved
            time.sleep(0.02)
        page_times.append(page_live)
        search_times.append(search_live)
        print(f"round {round_number}: page live in {page_live:.2f} s, in search in {search_live:.2f} s", flush=True)
        time.sleep(1.5)
    searcher.stopping.set()
    searcher.join()
    server.shutdown()

    started = time.perf_counter()
    with app.app_context():
        build_index(WORK / "full-build", all_documents(app), search_fingerprint(app))
    full_build = time.perf_counter() - started

    worst = max(max(page_times), max(search_times))
    load = os.getloadavg()
    lines = [
        "## Content reload",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {cpu_model(platform.processor() or 'unknown CPU')}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; load average at the end "
        f"{load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}, by `benches/bench_content_reload.py`.",
        f"A synthetic content folder of {options.pages:,} service pages (the demo's shared files, each page four "
        f"sections of text, lists and a link; {documents:,} search documents with the facilities and places pages) "
        "served by the app with production settings on a local port. One thread searched over HTTP without pause "
        "throughout. Each round saved one edited page (a new title and a word no page had) and timed, from the "
        "save, until the page showed the new title and until a search for the new word found it. The site notices "
        f"changes itself (TOWNHALL_CONTENT_POLL_MS={options.poll_ms}, counted in the figures) and updates the "
        "index in place.",
        "",
        "| measure | median | p90 | worst |",
        "| --- | ---: | ---: | ---: |",
        f"| edited page live (s) | {statistics.median(page_times):.2f} | {percentile(page_times, 0.9):.2f} | "
        f"{max(page_times):.2f} |",
        f"| new word found by search (s) | {statistics.median(search_times):.2f} | "
        f"{percentile(search_times, 0.9):.2f} | {max(search_times):.2f} |",
        f"| search answer during the run (ms) | {statistics.median(searcher.times) * 1000:.1f} | "
        f"{percentile(searcher.times, 0.9) * 1000:.1f} | {max(searcher.times) * 1000:.1f} |",
        "",
        f"- {len(searcher.times):,} searches answered during the run, {searcher.failures} failed.",
        f"- For comparison: a full rebuild of the same index took {full_build:.1f} s; starting the app "
        f"(loading {options.pages:,} pages and building the index) {startup:.1f} s; writing the folder {made:.1f} s.",
        f"- Target: one changed page live in pages and search in under {TARGET_SECONDS:.0f} s, searches answered "
        f"throughout: **{'met' if worst < TARGET_SECONDS and searcher.failures == 0 else 'not met'}** "
        f"(worst {worst:.2f} s over {options.rounds} rounds).",
        "",
    ]
    write_section(ROOT / "BENCHMARKS.md", "Content reload", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
