"""Ask Townhall benchmark: time per turn (understanding, search, passages, decision), p95.

Run by `make bench` (or `PYTHONPATH=site python benches/bench_assistant.py`). Two corpora: the demo
content (the assistant over the demo's pages, the search index built from them), and the demo plus
synthetic documents (bench_search.py's generator, words from the content and a word list) to
`--documents` in all, each with one paragraph of passages, so both the index and the passage store
are that size. Every question of the judged set (tests/data/ask_judged.yaml) is asked `ROUNDS` times
with the search results cache off; its median counts. Targets (issue 12): p95 under 50 ms per turn on
the demo content, under 100 ms at 20,000 documents. Results replace the "## Ask Townhall" section of
BENCHMARKS.md. Building the 20,000-document index takes minutes; `--documents 0` skips it.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))

from _common import cpu_model, percentile, write_section  # noqa: E402
from bench_search import SEED, synthetic_documents  # noqa: E402
from townhall.assistant import Assistant, page_targets, site_passages  # noqa: E402
from townhall.assistant.passages import Passage, page_words  # noqa: E402
from townhall.content import load_site  # noqa: E402
from townhall.search import SearchEngine, build_index, site_documents  # noqa: E402
from townhall.search.query import stem_word  # noqa: E402
from townhall.search.synonyms import load_synonyms  # noqa: E402

ROUNDS = 3
JUDGED = ROOT / "tests" / "data" / "ask_judged.yaml"


def measure(assistant: Assistant, questions: list[tuple[str, str]]) -> list[float]:
    timings = []
    for text, lang in questions:
        rounds = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            assistant.ask(text, lang)
            rounds.append((time.perf_counter() - start) * 1000)
        timings.append(statistics.median(rounds))
    return timings


def corpus(content: Path, extra: int, folder: Path) -> tuple[Assistant, int, float]:
    site = load_site(content)
    documents = list(site_documents(site))
    passages = list(site_passages(site))
    if extra:
        synthetic = synthetic_documents(documents, extra, random.Random(SEED))
        documents += synthetic
        passages += [Passage(d.id, "service", d.title, d.url, "en", "", "", d.body[:500], 0) for d in synthetic]
    start = time.perf_counter()
    build_index(folder, documents, "bench")
    built = time.perf_counter() - start
    synonyms = load_synonyms(content / "search" / "synonyms.txt", key=stem_word)
    engine = SearchEngine(folder, synonyms, cache_size=0)

    def search(text: str, lang: str):
        return engine.search(text, lang=lang, per_page=8)

    assistant = Assistant(passages, page_targets(site), search, synonyms,
                          ("libraries", "recycling-centres", "leisure-centres"), {}, page_words(site))
    return assistant, len(documents), built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    questions = [(case["q"], case.get("lang", "en")) for case in yaml.safe_load(JUDGED.read_text(encoding="utf-8"))]
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        for name, extra, target in (("demo", 0, 50.0), ("synthetic", max(args.documents, 0), 100.0)):
            if name == "synthetic" and not extra:
                continue
            assistant, count, built = corpus(args.content, extra, Path(temporary) / name)
            timings = measure(assistant, questions)
            p95 = percentile(timings, 0.95)
            rows.append(f"| {name} | {count:,} | {len(questions)} | {built:.1f} | {statistics.median(timings):.2f} | "
                        f"{p95:.2f} | {target:.0f} | {'met' if p95 < target else 'not met'} |")
            print(rows[-1], flush=True)
    section = "\n".join([
        "## Ask Townhall",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {cpu_model(platform.processor() or 'unknown CPU')}, "
        f"Python {platform.python_version()}. Each question of the judged set asked {ROUNDS} times (search cache "
        "off), its median counted; per turn = understanding, search, passage choice and the decision.",
        "",
        "| corpus | documents | questions | index build (s) | median per turn (ms) | p95 per turn (ms) | target p95 (ms) | |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ])
    if not args.no_write:
        write_section(args.output, "Ask Townhall", section)
    print(section)


if __name__ == "__main__":
    main()
