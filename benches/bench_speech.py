"""Speech benchmark: time to first audio, real-time factor, cached response time, bytes per minute.

Run by `make bench` (or `PYTHONPATH=site python benches/bench_speech.py`). Everything is real:
pyttsx3 on espeak-ng in its worker process, ffmpeg encoding, the on-disk cache, the Flask app
(test client) and a real HTTP server on a local port. Each cold measurement uses an empty cache.

The page is the demo service page whose speech script is closest to 500 words. Targets (issue 3):
the first section playable within 1 s cold, cached audio in under 5 ms. Results replace only the
"## Speech" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))

from werkzeug.serving import make_server  # noqa: E402

from _common import cpu_model, percentile, write_section  # noqa: E402
from townhall import (
    create_app,  # noqa: E402
    engines,
)
from townhall.speech import (  # noqa: E402
    AudioCache,
    Slots,
    Speaker,
    SpeechScript,
    Synthesiser,
    build_script,
)
from townhall.speech.engine import espeak_version  # noqa: E402

TARGET_WORDS = 500


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fresh_speaker(workers: int = 2, ffmpeg: str = "ffmpeg", timeout: float = 300) -> Speaker:
    root = Path(tempfile.mkdtemp(prefix="bench-speech-"))
    synthesiser = Synthesiser(slots=Slots(root / ".slots", workers), timeout=timeout, ffmpeg=ffmpeg)
    return Speaker(AudioCache(root, 2 * 1024**3), synthesiser, timeout)


def discard(speaker: Speaker) -> None:
    speaker.synthesiser.close()
    shutil.rmtree(speaker.cache.root, ignore_errors=True)


def choose_page(app) -> tuple[str, SpeechScript]:
    client = app.test_client()
    best: tuple[int, str, SpeechScript] | None = None
    for slug in engines.site(app).services:
        path = f"/services/{slug}"
        script = build_script(client.get(path).get_data(as_text=True))
        distance = abs(script.words - TARGET_WORDS)
        if best is None or distance < best[0]:
            best = (distance, path, script)
    assert best is not None
    return best[1], best[2]


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def machine_facts() -> list[str]:
    cpu = cpu_model(fallback="unknown CPU")
    ffmpeg = "none"
    if shutil.which("ffmpeg"):
        ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0]
    load = os.getloadavg()
    return [
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}, Python {platform.python_version()}",
        f"- Load average when the run started: {load[0]:.2f} (a shared machine: other jobs were running)",
        f"- Engine: pyttsx3 on espeak-ng {espeak_version()}; {ffmpeg}",
    ]


def run(rounds: int, requests: int) -> str:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    instance = Path(tempfile.mkdtemp(prefix="bench-speech-app-"))
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(instance),
                      "TOWNHALL_AUDIO_CACHE": str(instance / "audio-cache"),
                      "TOWNHALL_SPEECH_RATE_LIMIT": 10**9})
    facts = machine_facts()
    path, script = choose_page(app)
    first = script.sections[0]
    print(f"Page {path}: {script.words} words, {len(script.sections)} sections, {len(script.utterances)} sentences")

    # 1. Time to first audio, cold (empty cache). A fresh process has no spare worker yet; after
    #    its first job one is always waiting, which is the usual case on a running server.
    fresh_process, with_spare, all_sections = [], [], []
    for _ in range(rounds):
        speaker = fresh_speaker()
        seconds, _ = timed(speaker.audio, first.utterances, "normal")
        fresh_process.append(seconds)
        seconds, _ = timed(speaker.audio, first.utterances, "slow")  # different key: cold again, spare ready
        with_spare.append(seconds)
        discard(speaker)
    speaker = fresh_speaker()
    speaker.audio(first.utterances, "fast")  # start the spare
    section_rows = []
    for section in script.sections:
        seconds, entry = timed(speaker.audio, section.utterances, "normal")
        all_sections.append(seconds)
        section_rows.append((section.id, section.words, entry.duration, seconds))
    discard(speaker)

    whole_times, rtf, whole_entry = [], [], None
    for _ in range(max(2, rounds // 2)):
        speaker = fresh_speaker()
        speaker.audio(first.utterances, "fast")  # spare ready, as on a running server
        seconds, whole_entry = timed(speaker.audio, script.utterances, "normal")
        whole_times.append(seconds)
        rtf.append(seconds / whole_entry.duration)
        sizes = dict(whole_entry.sizes)
        duration = whole_entry.duration
        discard(speaker)

    # WAV, as kept when there is no encoder.
    speaker = fresh_speaker(ffmpeg="/nonexistent/ffmpeg")
    wav_entry = speaker.audio(script.utterances, "normal")
    sizes["wav"] = wav_entry.sizes["wav"]
    discard(speaker)

    # 2. Through the web layer: cold player (htmx), then cached audio through the test client and a real server.
    client = app.test_client()
    query = {"page": path, "section": first.id, "speed": "normal"}
    # A running server: the app has served a page and made audio before (spare worker ready).
    client.get("/listen/player?" + urlencode({"page": "/contact-us", "section": "introduction"}))
    cold_player, _ = timed(lambda: client.get("/listen/player?" + urlencode(query)))
    cold_player_seconds = cold_player
    html = client.get("/listen/player?" + urlencode(query), headers={"HX-Request": "true"}).get_data(as_text=True)
    audio_path = re.search(r'<source src="([^"]+format=mp3[^"]*)"', html).group(1).replace("&amp;", "&")
    plain_path = "/listen/audio?" + urlencode({**query, "format": "mp3"})
    for _ in range(20):
        client.get(audio_path)
    client_times, client_plain, client_range = [], [], []
    for _ in range(requests):
        seconds, response = timed(client.get, audio_path)
        client_times.append(seconds)
        response.close()
        seconds, response = timed(client.get, plain_path)
        client_plain.append(seconds)
        response.close()
        started = time.perf_counter()
        client.get(audio_path, headers={"Range": "bytes=1000-50999"}).close()
        client_range.append(time.perf_counter() - started)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port)
    http_times = []
    for number in range(requests + 20):
        started = time.perf_counter()
        connection.request("GET", audio_path)
        body = connection.getresponse().read()
        if number >= 20:
            http_times.append(time.perf_counter() - started)
    assert len(body) > 1000
    server.shutdown()
    made = engines.of(app).made("speaker")
    if made is not None:
        made.synthesiser.close()
    shutil.rmtree(instance, ignore_errors=True)

    median = statistics.median
    first_ok = median(with_spare) < 1.0
    cached_ok = median(client_times) < 0.005
    lines = [
        "## Speech",
        "",
        f"Run by `benches/bench_speech.py`. Page: `{path}`, the demo service page closest to {TARGET_WORDS} "
        f"words: {script.words} spoken words, {len(script.sections)} sections, {len(script.utterances)} sentences, "
        f"{duration / 60:.1f} minutes of audio at normal speed. Every cold figure starts from an empty cache; "
        f"synthesis is pyttsx3 on espeak-ng in a worker process, encoding to Ogg Opus and MP3 by one ffmpeg.",
        "",
        *facts,
        "",
        "| Measure | Result | Target |",
        "| --- | --- | --- |",
        f"| First section cold, server running (spare worker ready), median of {rounds} | {ms(median(with_spare))} "
        f"(max {ms(max(with_spare))}) | under 1 s: {'met' if first_ok else 'NOT met'} |",
        f"| First section cold, new process that has not shown a speech-mode page yet (starts the worker), median | "
        f"{ms(median(fresh_process))} | |",
        f"| First section cold through the web layer (player request: render page, synthesise, encode) | "
        f"{ms(cold_player_seconds)} | |",
        f"| Every section cold, one after another: median / max | {ms(median(all_sections))} / "
        f"{ms(max(all_sections))} | |",
        f"| Whole page cold ({duration:.0f} s of audio), median of {len(whole_times)} | {ms(median(whole_times))} | |",
        f"| Real-time factor, whole page (synthesis and encoding time / audio length) | {median(rtf):.3f} "
        f"({1 / median(rtf):.0f}x faster than real time) | |",
        f"| Cached audio, Flask test client, `v=` address: median / p95 of {requests} | "
        f"{ms(median(client_times))} / {ms(percentile(client_times, 0.95))} | under 5 ms (median): "
        f"{'met' if cached_ok else 'NOT met'} |",
        f"| Cached audio, test client, address without `v=` (page script from memory): median / p95 | "
        f"{ms(median(client_plain))} / {ms(percentile(client_plain, 0.95))} | |",
        f"| Cached audio, Range request (206, 50 KB): median | {ms(median(client_range))} | |",
        f"| Cached audio, real HTTP server (werkzeug, keep-alive), whole MP3 of the section: median / p95 | "
        f"{ms(median(http_times))} / {ms(percentile(http_times, 0.95))} | |",
        "",
        "Audio bytes per minute (whole page, normal speed):",
        "",
        "| Format | Bytes per minute | Whole page |",
        "| --- | --- | --- |",
    ]
    for name, label in (("ogg", "Ogg Opus, 24 kbit/s CBR, mono"), ("mp3", "MP3, 32 kbit/s CBR, mono, 22.05 kHz"),
                        ("wav", "WAV, 16-bit mono 22.05 kHz (no encoder)")):
        if name in sizes:
            lines.append(f"| {label} | {sizes[name] / (duration / 60) / 1000:.0f} KB | {sizes[name] / 1e6:.2f} MB |")
    lines += ["", "Each section, cold, one after another (spare worker ready):", "",
              "| Section | Words | Audio | Made in |", "| --- | --- | --- | --- |"]
    lines += [f"| {sid} | {words} | {audio:.1f} s | {ms(took)} |" for sid, words, audio, took in section_rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="cold runs of the first section")
    parser.add_argument("--requests", type=int, default=300, help="cached requests")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true", help="print the results only")
    options = parser.parse_args()
    section = run(options.rounds, options.requests)
    print(section)
    if not options.no_write:
        write_section(options.output, "Speech", section)
        print(f"Wrote the Speech section of {options.output}")


if __name__ == "__main__":
    main()
