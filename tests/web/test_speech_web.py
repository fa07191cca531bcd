"""Speech mode through the test client: controls on every kind of page, players (with and without
htmx), the audio with ETag and Range, cues, the plain listing page, the rate limit, and the plain
messages when speech is unavailable or too slow. Synthesis is real; sections are short."""

from __future__ import annotations

import re
import shutil
import time
from html import unescape
from pathlib import Path

import pytest

from townhall import create_app, engines
from townhall.preferences import COOKIE_NAME
from townhall.speech import build_script

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

SERVICE = "/services/report-a-missed-bin"
SHORT_SECTION = "if-we-miss-your-bin-again"  # three sentences: quick to synthesise
HX = {"HX-Request": "true"}


def build(tmp_path: Path, **settings):
    settings.setdefault("TOWNHALL_INSTANCE", str(tmp_path))
    # These tests ask for much audio, one at a time: no synthesis limit, and a request waits for its audio
    # (tests of the limits and of "being prepared" set their own).
    settings.setdefault("TOWNHALL_SPEECH_CLIENT_SYNTHESES", 100_000)
    settings.setdefault("TOWNHALL_SPEECH_SYNTHESES", 100_000)
    settings.setdefault("TOWNHALL_SPEECH_WAIT", 60)
    # Named too, as config.finish fills it from the default instance before test settings apply.
    settings.setdefault("TOWNHALL_AUDIO_CACHE", str(tmp_path / "audio-cache"))
    if int(settings.get("TOWNHALL_SPEECH_RATE_LIMIT", 10_000)) < 100:
        clear_of_the_minute_edge()
    return create_app({"TESTING": True, **settings})


def clear_of_the_minute_edge(margin: float = 15.0) -> None:
    """Limits count in windows of a clock minute: a test that counts a few hits must not straddle two of them
    (the count would start again half-way), so it waits for the next minute when this one is nearly over."""
    into_minute = time.time() % 60
    if into_minute > 60 - margin:
        time.sleep(60.5 - into_minute)


@pytest.fixture(scope="module")
def speech_app(tmp_path_factory: pytest.TempPathFactory):
    app = build(tmp_path_factory.mktemp("speech-instance"), TOWNHALL_SPEECH_RATE_LIMIT=10_000)
    yield app
    close_speech(app)


@pytest.fixture
def listener(speech_app):
    """A reader with speech mode on."""
    client = speech_app.test_client()
    client.set_cookie(COOKIE_NAME, "speech:on")
    return client


def close_speech(app) -> None:
    """Stop the app's synthesis queue and spare worker (warnings are errors: nothing may be left running)."""
    preparer = engines.of(app).made("speech-preparer")
    if preparer is not None:
        preparer.close()
    speaker = engines.of(app).made("speaker")
    if speaker is not None:
        speaker.synthesiser.close()


def links(html: str, pattern: str) -> list[str]:
    return [unescape(m) for m in re.findall(pattern, html)]


def player_for(client, section: str = SHORT_SECTION, page: str = SERVICE, prefix: str = "", **extra) -> str:
    response = client.get(f"{prefix}/listen/player", query_string={"page": page, "section": section, **extra},
                          headers=HX)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


# --- speech mode on the page ------------------------------------------------------------


def test_without_speech_mode_there_are_no_listen_controls(speech_app) -> None:
    html = speech_app.test_client().get(SERVICE).get_data(as_text=True)
    assert "th-speech-bar" not in html and "th-speech-section" not in html and "Listen to this page" not in html


def test_in_speech_mode_a_service_page_has_a_page_bar_and_a_control_per_section(listener) -> None:
    response = listener.get(SERVICE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    script = build_script(html)
    assert "Listen to this page" in html
    assert "<!--th-speech-page-duration-->" not in html
    assert html.count('class="th-speech-section"') == len(script.sections)
    # Each control: a plain link to the section's MP3, enhanced by htmx into a player, naming its section
    # and its length.
    section = script.section(SHORT_SECTION)
    control = re.search(r'<div class="th-speech-section".*?</div>\s*</div>', html[html.index(f'id="{SHORT_SECTION}"'):], re.S)
    assert control is not None
    text = control.group(0)
    assert f"section={SHORT_SECTION}" in text and "format=mp3" in text and 'hx-get="/listen/player?' in text
    assert re.search(r"Listen<span class=\"th-visually-hidden\"> to “" + re.escape(section.title) + "”</span>", text)
    assert re.search(r"\((about )?\d+ (seconds|minutes?)", text)
    # The controls are never read aloud themselves: the script is the same as without them.
    plain = build_script(listener.application.test_client().get(SERVICE).get_data(as_text=True))
    assert [u.spoken for u in script.utterances] == [u.spoken for u in plain.utterances]


def test_download_links_for_the_whole_page(listener) -> None:
    html = listener.get(SERVICE).get_data(as_text=True)
    downloads = links(html, r'href="([^"]*download=1[^"]*)"')
    assert {re.search(r"format=(\w+)", href).group(1) for href in downloads} == {"mp3", "ogg"}
    assert all("section=all" in href for href in downloads)


@pytest.mark.parametrize(
    "path", ["/", "/a-to-z", "/categories", "/categories/bins-and-recycling", "/contact-us", "/search?q=bins",
             "/your-area", "/cy/services/report-a-missed-bin", "/cy/contact-us"],
)
def test_every_kind_of_page_can_be_listened_to(listener, path: str) -> None:
    response = listener.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="th-speech-bar"' in html
    assert html.count('class="th-speech-section"') >= 1
    prefix = "/cy" if path.startswith("/cy") else ""
    assert f'href="{prefix}/listen?page=' in html


DIRECTORY_AND_PLACES = [
    "/directory", "/directory/a-to-z", "/directory/not-sure", "/directory/emergency-services-999",
    "/your-area?postcode=BK1+1AA", "/find-my-nearest?category=libraries&postcode=BK1+1AA",
    "/school-catchment-areas?postcode=BK1+1AA", "/wards/BKWD01",
]


@pytest.mark.parametrize("prefix", ["", "/cy"])
@pytest.mark.parametrize("path", DIRECTORY_AND_PLACES)
def test_directory_and_places_pages_can_be_listened_to(listener, speech_app, prefix: str, path: str) -> None:
    """The bar and a Listen per section; the shortest section's audio is really made, in the page's language."""
    response = listener.get(prefix + path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    script = build_script(html, lang="cy" if prefix else "en")
    assert 'class="th-speech-bar"' in html and "th-speech-page-duration" not in html
    assert html.count('class="th-speech-section"') == len(script.sections) >= 1
    # Every section has a title and something to say besides its heading.
    assert all(section.title and len(section.utterances) >= 2 for section in script.sections)
    shortest = min(script.sections, key=lambda section: section.words)
    player = player_for(listener, section=shortest.id, page=path, prefix=prefix)
    key = re.search(r"v=([0-9a-f]{40})", player).group(1)
    entry = engines.speaker(speech_app).cache.get(key)
    assert entry is not None and entry.duration > 0.5
    assert entry.transient == ("?" in path)
    assert f'srclang="{"cy" if prefix else "en"}"' in player
    listing = listener.get(f"{prefix}/listen", query_string={"page": path})
    assert listing.status_code == 200 and listing.get_data(as_text=True).count("<audio ") == len(script.sections) + 1


def test_htmx_fragments_and_error_pages_get_no_controls(listener) -> None:
    assert "th-speech-bar" not in listener.get("/no-such-page").get_data(as_text=True)
    # Places' answers that are not results come with a 4xx status: they cannot be listened to, so no
    # Listen bar is offered (it used to be, with a link that could only fail).
    for path in ("/your-area?postcode=say+anything", "/cy/find-my-nearest?category=nothing&postcode=BK1+1AA"):
        response = listener.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code in (400, 404)
        assert "There is a problem" in html or "Mae problem" in html
        assert "th-speech-bar" not in html and "th-speech-page-duration" not in html and "/listen?" not in html
    fragment = listener.get("/search?q=bins", headers=HX).get_data(as_text=True)
    assert "th-speech-section" not in fragment


# --- the player ----------------------------------------------------------------------------


def test_the_htmx_player_is_a_fragment_that_never_autoplays(listener) -> None:
    html = player_for(listener)
    assert "<html" not in html
    assert re.search(r"<audio[^>]*\bcontrols\b[^>]*>", html) and 'preload="none"' in html
    assert "autoplay" not in html
    assert '<source src="/listen/audio?' in html and 'type="audio/ogg; codecs=opus"' in html
    assert 'type="audio/mpeg"' in html
    assert re.search(r'<track kind="captions" src="/listen/cues\?[^"]*v=[0-9a-f]{40}"', html)
    assert re.search(r"Length: \d+ seconds", html)
    # Keyboard: a real button (focused after the swap) and speed links.
    assert re.search(r'<button type="button"[^>]*data-speech-toggle[^>]*data-focus-here', html)
    assert html.count("data-speech-speed") == 2 and 'aria-current="true">Normal' in html
    assert 'data-announce="Audio ready:' in html


def test_the_player_without_htmx_is_a_whole_page(listener) -> None:
    response = listener.get("/listen/player", query_string={"page": SERVICE, "section": SHORT_SECTION})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in html and "<h1>Listen:" in html and "data-speech-player" in html


def test_changing_speed_makes_audio_of_a_different_length(listener) -> None:
    def seconds(html: str) -> int:
        return int(re.search(r"Length: (\d+) seconds", html).group(1))

    normal, fast = player_for(listener), player_for(listener, speed="fast")
    assert seconds(fast) < seconds(normal)
    assert 'aria-current="true">Fast' in fast


def test_unknown_speeds_fall_back_to_normal(listener) -> None:
    assert 'aria-current="true">Normal' in player_for(listener, speed="warp")


def test_welsh_pages_are_read_in_welsh(listener, speech_app) -> None:
    welsh = build_script(listener.get("/cy/services/report-a-missed-bin").get_data(as_text=True))
    section = welsh.section("pryd-i-roi-gwybod")  # "When to report it", written in Welsh
    assert section is not None and section.utterances[0].spoken == "Pennawd: Pryd i roi gwybod."
    html = player_for(listener, section=section.id, prefix="/cy")
    assert 'srclang="cy"' in html and 'src="/cy/listen/audio?' in html
    key = re.search(r"v=([0-9a-f]{40})", html).group(1)
    assert engines.speaker(speech_app).cache.get(key).voices == ("cel/cy",)


# --- the audio ------------------------------------------------------------------------------


def audio_address(listener, audio_format: str = "mp3") -> str:
    html = player_for(listener)
    return next(href for href in links(html, r'<source src="([^"]+)"') if f"format={audio_format}" in href)


def test_audio_is_served_with_etag_and_ranges(listener) -> None:
    address = audio_address(listener)
    whole = listener.get(address)
    assert whole.status_code == 200 and whole.mimetype == "audio/mpeg"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert "immutable" in whole.headers["Cache-Control"]
    etag = whole.headers["ETag"]
    assert len(whole.data) > 1000
    part = listener.get(address, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole.data)}"
    assert part.data == whole.data[100:200]
    tail = listener.get(address, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.data == whole.data[-50:]
    assert listener.get(address, headers={"If-None-Match": etag}).status_code == 304


def test_ogg_opus_audio(listener) -> None:
    response = listener.get(audio_address(listener, "ogg"))
    assert response.mimetype == "audio/ogg" and response.data[:4] == b"OggS"


def test_audio_without_its_key_is_revalidated_not_cached_for_a_year(listener) -> None:
    response = listener.get("/listen/audio", query_string={"page": SERVICE, "section": SHORT_SECTION, "format": "mp3"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache" and response.headers["ETag"]


def test_download_as_audio(listener) -> None:
    response = listener.get("/listen/audio", query_string={
        "page": SERVICE, "section": SHORT_SECTION, "format": "ogg", "download": "1"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=brackenford-services-report-a-missed-bin-{SHORT_SECTION}.ogg"
    )


def test_cues_are_webvtt_with_a_cue_per_sentence(listener) -> None:
    html = player_for(listener)
    cues = listener.get(links(html, r'<track kind="captions" src="([^"]+)"')[0])
    assert cues.status_code == 200 and cues.mimetype == "text/vtt"
    text = cues.get_data(as_text=True)
    assert text.startswith("WEBVTT")
    section = build_script(listener.get(SERVICE).get_data(as_text=True)).section(SHORT_SECTION)
    assert text.count(" --> ") == len(section.utterances)


def test_the_text_comes_only_from_the_page_never_from_the_request(listener) -> None:
    plain = player_for(listener)
    tampered = player_for(listener, text="Say anything I like", spoken="free speech engine")
    key = re.search(r"v=([0-9a-f]{40})", plain).group(1)
    assert re.search(r"v=([0-9a-f]{40})", tampered).group(1) == key


# --- what readers type is never read aloud ------------------------------------------------------


# Each page with what it must never say. Pages answering these addresses show what was typed, but
# the speech script reads neutral words instead, so nobody can make the server say their own text.
ECHOING_PAGES = [
    ("/search?q=Zebra+Quokka", ["zebra", "quokka"]),
    ("/search?q=bnis+Quokka", ["bnis", "quokka"]),  # "Did you mean bins quokka?"
    ("/search?q=bins+colection+Quokka&page=2", ["colection", "quokka"]),
    ("/your-area?postcode=BK1+IAA", ["iaa"]),  # "You typed “BK1 IAA”. We searched for BK1 1AA."
    ("/find-my-nearest?category=libraries&postcode=bk1+iaa", ["iaa"]),
    ("/school-catchment-areas?postcode=BK1+IAA", ["iaa"]),
]


@pytest.mark.parametrize("prefix", ["", "/cy"])
@pytest.mark.parametrize(("path", "never"), ECHOING_PAGES)
def test_what_a_reader_typed_is_never_in_the_speech_script(listener, prefix: str, path: str, never: list[str]) -> None:
    response = listener.get(prefix + path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert any(word in html.lower() for word in never)  # shown on the page...
    script = build_script(html, lang="cy" if prefix else "en")
    spoken = " ".join(u.spoken for u in script.utterances).lower()
    assert not [word for word in never if word in spoken], spoken  # ...but never said
    assert 'class="th-speech-bar"' in html and 'class="th-speech-section"' in html


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_reviews_example_no_longer_says_what_was_typed(speech_app, language: str) -> None:
    """/listen/audio?page=/search%3Fq%3Dsay+anything&section=all read "10 results for 'say anything'"."""
    from townhall.web.speech import script_for

    with speech_app.test_request_context("/listen/audio", environ_overrides={"townhall.language": language}):
        script = script_for("/search?q=say+anything")
    spoken = [u.spoken for u in script.utterances]
    assert not [text for text in spoken if "say anything" in text.lower()]
    assert re.fullmatch(r"(Heading|Pennawd): \d+ \w+ (for your search|ar gyfer eich chwiliad)\.",
                        script.section("results-heading").utterances[0].spoken)


@pytest.mark.parametrize(
    "page", ["/your-area?postcode=say+anything", "/find-my-nearest?category=say+anything&postcode=BK1+1AA",
             "/school-catchment-areas?postcode=say+anything", "/your-area?postcode=ZZ99+9ZZ"],
)
def test_answers_that_are_not_results_cannot_be_listened_to(listener, speech_app, page: str) -> None:
    """Places' error answers (which repeat what was typed) are not 200 pages, so they are never read."""
    before = engines.speaker(speech_app).cache.total_bytes()
    for endpoint in ENDPOINTS:
        assert listener.get(endpoint, query_string={"page": page}).status_code == 404
    assert engines.speaker(speech_app).cache.total_bytes() == before


def test_audio_for_addresses_with_a_query_string_is_one_off(listener, speech_app) -> None:
    """Residents' searches and postcodes are kept briefly, in a small share of the cache (cache.py)."""

    def entry(page: str, section: str):
        html = player_for(listener, section=section, page=page)
        return engines.speaker(speech_app).cache.get(re.search(r"v=([0-9a-f]{40})", html).group(1))

    assert entry("/search?q=zebra+quokka", "results-heading").transient
    assert not entry(SERVICE, SHORT_SECTION).transient
    # The same audio on a page without a query string is kept like the rest.
    shared = entry("/search?q=yak+wombat", "introduction")
    assert shared.transient
    assert entry("/search", "introduction").key == shared.key
    assert not engines.speaker(speech_app).cache.get(shared.key).transient


# --- the plain listing page (no JavaScript) -----------------------------------------------


def test_the_listing_page_has_a_player_for_the_page_and_each_section(listener) -> None:
    response = listener.get("/listen", query_string={"page": SERVICE})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    sections = build_script(listener.get(SERVICE).get_data(as_text=True)).sections
    assert html.count("<audio ") == len(sections) + 1
    assert "autoplay" not in html
    assert f'href="{SERVICE}"' in html
    assert 'class="th-speech-section"' not in html  # its own players, no section controls


def test_the_listing_page_in_welsh(listener) -> None:
    response = listener.get("/cy/listen", query_string={"page": SERVICE})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'lang="cy"' in html and 'href="/cy/services/report-a-missed-bin"' in html


# --- bad requests: a plain message, never a 500 -------------------------------------------------


BAD_PAGES = [
    {},
    {"page": "https://evil.example/"},
    {"page": "//evil.example/x"},
    {"page": "services/no-leading-slash"},
    {"page": "/listen?page=/"},
    {"page": "/listen/audio?page=/"},
    {"page": "/assets/townhall.css"},
    {"page": "/no-such-page"},
    {"page": "/" + "x" * 400},
]
BAD_SECTIONS = [{"page": SERVICE, "section": "no-such-section"}, {"page": SERVICE, "section": "<script>"}]
ENDPOINTS = ["/listen", "/listen/player", "/listen/audio", "/listen/cues"]


@pytest.mark.parametrize(
    ("endpoint", "query"),
    [(endpoint, query) for endpoint in ENDPOINTS for query in BAD_PAGES]
    # The listing page lists every section, so it takes no section.
    + [(endpoint, query) for endpoint in ENDPOINTS[1:] for query in BAD_SECTIONS],
)
def test_requests_for_other_things_get_a_plain_404(listener, endpoint: str, query: dict) -> None:
    response = listener.get(endpoint, query_string=query)
    assert response.status_code == 404
    assert "could not find that page" in response.get_data(as_text=True)


# A language prefix inside `page` once hid the speech routes from the check, so the page was drawn
# internally (where the limit does not apply) or a listing page read another listing page.
WELSH_SECTION = "os-byddwn-yn-methu-eich-bin-eto"  # SHORT_SECTION in Welsh
SMUGGLED = [
    f"/cy/listen/audio?page={SERVICE}&section={WELSH_SECTION}&format=mp3",
    f"/cy/listen/cues?page={SERVICE}&section={WELSH_SECTION}",
    f"/cy/listen/player?page={SERVICE}&section={WELSH_SECTION}",
    f"/cy/listen?page={SERVICE}",
    "/cy/listen?page=/cy/listen?page=/",
    f"/cy/cy/listen/audio?page={SERVICE}&section={WELSH_SECTION}",
    "/cy/assets/townhall.css",
    "/cy/healthz",
]


@pytest.mark.parametrize("prefix", ["", "/cy"])
@pytest.mark.parametrize("smuggled", SMUGGLED)
def test_a_language_prefix_does_not_hide_the_speech_routes(tmp_path: Path, prefix: str, smuggled: str) -> None:
    app = build(tmp_path)
    client = app.test_client()
    for endpoint in ENDPOINTS:
        response = client.get(f"{prefix}{endpoint}", query_string={"page": smuggled, "section": "all"})
        assert response.status_code == 404, (endpoint, smuggled)
    speaker = engines.of(app).made("speaker")
    assert speaker is None or speaker.cache.total_bytes() == 0  # nothing was made on the way
    if speaker is not None:
        speaker.synthesiser.close()


@pytest.mark.parametrize(
    "path",
    [f"/listen/audio?page={SERVICE}&section={SHORT_SECTION}", f"/listen/player?page={SERVICE}&section=all",
     f"/listen?page={SERVICE}", "/listen/cues?page=/", "/assets/townhall.css", "/healthz", "/no-such-page",
     "/api/postcodes/BK1%201AA"],
)
def test_the_internal_renderer_only_draws_html_pages(speech_app, path: str) -> None:
    from townhall.web.speech import render_internally

    for language in ("en", "cy"):
        with speech_app.test_request_context("/listen", environ_overrides={"townhall.language": language}):
            assert render_internally(path) is None, (language, path)
    with speech_app.test_request_context("/listen"):
        assert "<main" in render_internally(SERVICE)


def test_a_player_problem_is_a_fragment_for_htmx(listener) -> None:
    response = listener.get("/listen/player", query_string={"page": "/no-such-page"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "<html" not in html
    assert "data-focus-here" in html and "data-announce=" in html


# --- speech not available, too slow, too many requests -----------------------------------------------


def test_when_the_engine_is_missing_the_control_says_so(tmp_path: Path) -> None:
    app = build(tmp_path, TOWNHALL_SPEECH_COMMAND="/nonexistent/python")
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, "speech:on")
    assert client.get(SERVICE).status_code == 200  # the page itself is fine
    fragment = client.get("/listen/player", query_string={"page": SERVICE, "section": SHORT_SECTION}, headers=HX)
    assert fragment.status_code == 503 and "<html" not in fragment.get_data(as_text=True)
    assert "listening is not available at the moment" in fragment.get_data(as_text=True)
    audio = client.get("/listen/audio", query_string={"page": SERVICE, "section": SHORT_SECTION})
    assert audio.status_code == 503 and audio.mimetype == "text/html"
    assert audio.headers["Retry-After"]


def test_when_synthesis_is_too_slow_the_control_says_so(tmp_path: Path) -> None:
    app = build(tmp_path)
    app.config["TOWNHALL_SPEECH_TIMEOUT"] = 0.01
    client = app.test_client()
    response = client.get("/listen/player", query_string={"page": SERVICE, "section": SHORT_SECTION}, headers=HX)
    assert response.status_code == 503
    assert "took too long to prepare" in response.get_data(as_text=True)
    engines.speaker(app).synthesiser.close()


def test_requests_are_limited_per_client_across_workers(tmp_path: Path) -> None:
    # Two apps sharing one instance folder stand for two gunicorn workers.
    first, second = build(tmp_path, TOWNHALL_SPEECH_RATE_LIMIT=3), build(tmp_path, TOWNHALL_SPEECH_RATE_LIMIT=3)
    missing = {"page": "/no-such-page"}
    player = first.test_client().get("/listen/player", query_string={"page": SERVICE, "section": SHORT_SECTION},
                                     headers=HX)
    assert player.status_code == 200  # 1
    audio = links(player.get_data(as_text=True), r'<source src="([^"]+)"')[0]
    codes = [first.test_client().get("/listen", query_string=missing).status_code,  # 2
             second.test_client().get("/listen", query_string=missing).status_code]  # 3, in the other worker
    assert codes == [404, 404]
    limited = second.test_client().get("/listen/player", query_string=missing, headers=HX)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert "asked for a lot of audio" in limited.get_data(as_text=True)
    assert "<html" not in limited.get_data(as_text=True)
    assert first.test_client().get("/listen/audio", query_string=missing).status_code == 429
    # Not counted: finished audio named by its key.
    assert second.test_client().get(audio).status_code == 200
    # Another client is not affected.
    other = first.test_client().get("/listen", query_string=missing, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 404
    engines.speaker(first).synthesiser.close()


def test_a_range_header_never_skips_the_limit(tmp_path: Path) -> None:
    """A Range not from byte 0 used to skip the limit, so audio could be made without any limit."""
    app = build(tmp_path, TOWNHALL_SPEECH_RATE_LIMIT=2)
    client = app.test_client()
    missing = {"page": "/no-such-page"}
    assert [client.get("/listen", query_string=missing).status_code for _ in range(2)] == [404, 404]
    wanted = {"page": SERVICE, "section": SHORT_SECTION, "format": "mp3"}
    for ranges in ("bytes=1-", "bytes=500-999", "bytes=-100", "bytes=0-"):
        for endpoint in ("/listen/audio", "/listen/cues"):
            response = client.get(endpoint, query_string=wanted, headers={"Range": ranges})
            assert response.status_code == 429, (endpoint, ranges)
    speaker = engines.of(app).made("speaker")
    assert speaker is None or speaker.cache.total_bytes() == 0  # nothing was made


def test_audio_already_made_is_not_counted_with_or_without_its_key(tmp_path: Path) -> None:
    app = build(tmp_path, TOWNHALL_SPEECH_RATE_LIMIT=2)
    client = app.test_client()
    wanted = {"page": SERVICE, "section": SHORT_SECTION, "format": "mp3"}
    made = client.get("/listen/audio", query_string=wanted)  # 1: made now
    assert made.status_code == 200
    assert client.get("/listen", query_string={"page": "/no-such-page"}).status_code == 404  # 2
    assert client.get("/listen", query_string={"page": "/no-such-page"}).status_code == 429
    # Seeking in, replaying or showing audio that is made costs nothing more.
    seek = client.get("/listen/audio", query_string=wanted, headers={"Range": "bytes=100-"})
    assert seek.status_code == 206 and seek.data == made.data[100:]
    assert client.get("/listen/audio", query_string=wanted).status_code == 200
    assert client.get("/listen/cues", query_string=wanted).status_code == 200
    assert client.get("/listen/player", query_string=wanted, headers=HX).status_code == 200
    # Audio not made yet still counts.
    other = {"page": SERVICE, "section": SHORT_SECTION, "format": "mp3", "speed": "fast"}
    assert client.get("/listen/audio", query_string=other, headers={"Range": "bytes=100-"}).status_code == 429
    engines.speaker(app).synthesiser.close()


def test_showing_a_page_in_speech_mode_gets_a_worker_ready(tmp_path: Path) -> None:
    app = build(tmp_path)
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, "speech:on")
    client.get(SERVICE)
    synthesiser = engines.speaker(app).synthesiser
    assert synthesiser._spare is not None and synthesiser._spare[1].poll() is None
    synthesiser.close()
    assert synthesiser._spare is None
