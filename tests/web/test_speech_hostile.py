"""What a hostile client found in speech, through the test client: limits that count every synthesis,
keys that free only what they name, "being prepared" instead of a held thread, and nothing a request
supplied reaching the speech engine or the audio cache. Synthesis is real."""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from townhall import create_app, engines
from townhall.speech.engine import WORKER

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

SERVICE = "/services/report-a-missed-bin"
SHORT = "if-we-miss-your-bin-again"
OTHER_SHORT = "when-to-report-it"
HX = {"HX-Request": "true"}


@pytest.fixture
def build(tmp_path: Path):
    made = []

    def make(**settings):
        settings.setdefault("TOWNHALL_INSTANCE", str(tmp_path))
        settings.setdefault("TOWNHALL_AUDIO_CACHE", str(tmp_path / "audio-cache"))
        settings.setdefault("TOWNHALL_SPEECH_WAIT", 60)
        app = create_app({"TESTING": True, **settings})
        made.append(app)
        return app

    yield make
    for app in made:
        preparer = engines.of(app).made("speech-preparer")
        if preparer is not None:
            preparer.close()
        speaker = engines.of(app).made("speaker")
        if speaker is not None:
            speaker.synthesiser.close()


def entries(app) -> set[str]:
    return {folder.name for folder, _size, _used in engines.speaker(app).cache.entries()}


def key_in(html: str) -> str:
    return re.search(r"v=([0-9a-f]{40})", html).group(1)


# --- every synthesis counts -----------------------------------------------------------------


def test_a_borrowed_key_never_makes_uncounted_audio(build) -> None:
    """Five /listen/player?page=/search%3Fq%3D...&v=<cached key> after a 429 once made five new audio files."""
    app = build(TOWNHALL_SPEECH_RATE_LIMIT=2)
    client = app.test_client()
    made = client.get("/listen/player", query_string={"page": SERVICE, "section": SHORT}, headers=HX)  # 1
    assert made.status_code == 200
    key = key_in(made.get_data(as_text=True))
    assert client.get("/listen", query_string={"page": "/no-such-page"}).status_code == 404  # 2
    before = entries(app)
    for words in ("zebra", "quokka", "wombat", "yak", "okapi"):
        page = f"/search?q={words}"
        response = client.get("/listen/player", query_string={"page": page, "section": "all", "v": key}, headers=HX)
        assert response.status_code == 429, words
        assert response.headers["Retry-After"]
    assert entries(app) == before
    # The key still frees exactly what it names: that audio, and its cues.
    audio = client.get("/listen/audio", query_string={"page": SERVICE, "section": SHORT, "format": "mp3", "v": key})
    assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
    assert client.get("/listen/cues", query_string={"page": SERVICE, "section": SHORT, "v": key}).status_code == 200


def test_syntheses_are_limited_per_client_whatever_the_requests(build) -> None:
    app = build(TOWNHALL_SPEECH_CLIENT_SYNTHESES=1)
    client = app.test_client()
    first = client.get("/listen/player", query_string={"page": SERVICE, "section": SHORT}, headers=HX)
    assert first.status_code == 200
    refused = client.get("/listen/player", query_string={"page": SERVICE, "section": OTHER_SHORT}, headers=HX)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "asked for a lot of audio" in refused.get_data(as_text=True)
    assert client.get("/listen/audio", query_string={"page": SERVICE, "section": OTHER_SHORT}).status_code == 429
    # Audio already made is still served, and another client can still have audio made.
    assert client.get("/listen/player", query_string={"page": SERVICE, "section": SHORT}, headers=HX).status_code == 200
    other = client.get("/listen/player", query_string={"page": SERVICE, "section": OTHER_SHORT}, headers=HX,
                       environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert other.status_code == 200
    assert len(entries(app)) == 2


def test_a_busy_machine_answers_503_with_retry_after(build) -> None:
    app = build(TOWNHALL_SPEECH_SYNTHESES=1)
    client = app.test_client()
    assert client.get("/listen/player", query_string={"page": SERVICE, "section": SHORT}, headers=HX).status_code == 200
    busy = client.get("/listen/player", query_string={"page": SERVICE, "section": OTHER_SHORT}, headers=HX,
                      environ_base={"REMOTE_ADDR": "192.0.2.45"})
    assert busy.status_code == 503 and int(busy.headers["Retry-After"]) >= 1
    assert "a lot of people are listening" in busy.get_data(as_text=True)


# --- "being prepared" instead of a held thread --------------------------------------------------


def test_a_player_not_ready_at_once_is_being_prepared_and_asked_for_again(build) -> None:
    app = build(TOWNHALL_SPEECH_WAIT=0)
    client = app.test_client()
    query = {"page": SERVICE, "section": SHORT}
    fragment = client.get("/listen/player", query_string=query, headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 202 and "<html" not in html
    assert fragment.headers["Retry-After"] and fragment.headers["Cache-Control"] == "no-store"
    assert 'hx-trigger="load delay:2s"' in html and "again=1" in html and "data-announce=" in html
    assert "Check if the audio is ready" in html
    # Without JavaScript: a whole page with a link to try again (never a timed refresh).
    page = client.get("/listen/player", query_string=query)
    assert page.status_code == 202 and "<h1>Preparing the audio</h1>" in page.get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page.get_data(as_text=True)
    # Polls are not announced again, and the player comes once the audio is made.
    deadline = time.monotonic() + 30
    while True:
        again = client.get("/listen/player", query_string={**query, "again": "1"}, headers=HX)
        if again.status_code == 200 or time.monotonic() > deadline:
            break
        assert again.status_code == 202 and "data-announce=" not in again.get_data(as_text=True)
        time.sleep(0.2)
    assert again.status_code == 200 and "<audio" in again.get_data(as_text=True)
    assert len(entries(app)) == 1  # made once, however many times it was asked for


def test_the_audio_address_not_ready_is_a_503_with_retry_after(build) -> None:
    app = build(TOWNHALL_SPEECH_WAITERS=0)
    response = app.test_client().get("/listen/audio", query_string={"page": SERVICE, "section": SHORT})
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert response.headers["Retry-After"] == "2"
    assert "being prepared" in response.get_data(as_text=True)
    assert "Check if the audio is ready" in response.get_data(as_text=True)  # a link to the same address


def test_a_full_queue_answers_503(build) -> None:
    app = build(TOWNHALL_SPEECH_QUEUE=1, TOWNHALL_SPEECH_WAIT=0)
    client = app.test_client()
    first = client.get("/listen/player", query_string={"page": SERVICE, "section": "all"}, headers=HX)
    assert first.status_code == 202  # a whole page takes a while
    full = client.get("/listen/player", query_string={"page": SERVICE, "section": SHORT}, headers=HX)
    assert full.status_code == 503 and full.headers["Retry-After"]
    queue = engines.preparer(app).queue
    deadline = time.monotonic() + 60
    while queue.pending() and time.monotonic() < deadline:  # let the whole page finish before the app goes
        time.sleep(0.1)


# --- nothing the request supplied reaches espeak or the cache ---------------------------------

RECORDER = """
import io, os, runpy, sys
data = sys.stdin.buffer.read()
with open(os.environ["TOWNHALL_TEST_JOBS"], "ab") as log:
    log.write(data + b"\\n")
sys.stdin = io.TextIOWrapper(io.BytesIO(data))
sys.argv = [{worker!r}, *sys.argv[1:]]
runpy.run_path({worker!r}, run_name="__main__")
"""

# Every text parameter of every page that takes one, with words nobody would write on a council website.
CANARIES = ["Zebraquokka", "Wombatokapi", "Narwhalbongo"]
ECHOING = [
    "/search?q=Zebraquokka+Wombatokapi",
    "/search?q=bins+Zebraquokka",
    "/search?q=BK3+1FB",
    "/search?q=bnis+Narwhalbongo&kind=service&category=Zebraquokka&page=2",
    "/your-area?postcode=BK1+IAA",  # "You typed BK1 IAA. We searched for BK1 1AA."
    "/your-area?postcode=BK3+1FB&Zebraquokka=Wombatokapi",
    "/find-my-nearest?category=libraries&postcode=bk3+1fb",
    "/school-catchment-areas?postcode=BK3+1FB",
    "/directory?q=Zebraquokka",
]


@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_nothing_a_request_supplied_reaches_espeak_or_the_cache(build, tmp_path: Path, monkeypatch, prefix) -> None:
    recorder = tmp_path / "recorder.py"
    recorder.write_text(RECORDER.format(worker=str(WORKER)), encoding="utf-8")
    jobs = tmp_path / "jobs.jsonl"
    monkeypatch.setenv("TOWNHALL_TEST_JOBS", str(jobs))
    app = build(TOWNHALL_SPEECH_COMMAND=f"{sys.executable} {recorder}", TOWNHALL_SPEECH_CLIENT_SYNTHESES=1000)
    client = app.test_client()
    answered = 0
    pages = ECHOING if not prefix else ECHOING[1::2]  # Welsh: every other page (synthesis is the slow part)
    for page in pages:
        response = client.get(f"{prefix}/listen/player", query_string={"page": page, "section": "all"}, headers=HX)
        assert response.status_code in (200, 404), (page, response.status_code)
        answered += response.status_code == 200
    assert answered >= len(pages) - 1  # every page was read but the directory search (a 404 without results)
    said = " ".join(text["text"] for line in jobs.read_text(encoding="utf-8").splitlines() if line.strip()
                    for text in json.loads(line).get("texts", []))
    assert said, "nothing was synthesised"
    stored = " ".join(path.read_text(encoding="utf-8", errors="replace")
                      for path in Path(engines.speaker(app).cache.root).rglob("*")
                      if path.is_file() and path.suffix in (".json", ".vtt"))
    for text in (said, stored):
        lowered = text.lower()
        assert not [word for word in CANARIES if word.lower() in lowered]
        assert "iaa" not in lowered and "bnis" not in lowered
        assert "bk3 1fb" not in lowered  # the reader's postcode, even as we read it
