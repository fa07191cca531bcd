"""Speech mode in a real browser: axe on pages in speech mode (with a player open too), playback with
the keyboard only (Listen, Play, Pause, speed), the sentence highlight following the cues, and the
plain links without JavaScript. Audio is really synthesised and really played (Chromium, muted)."""

from __future__ import annotations

import pytest

from townhall.preferences import Preferences

SPEECH = Preferences(speech="on")
SERVICE = "/services/report-a-missed-bin"
SECTION = "if-we-miss-your-bin-again"  # short: quick to synthesise


@pytest.fixture
def open_player(tab_to):
    """Open the player of one section with the keyboard, and wait until it is ready to play."""

    def open_section(page, section: str = SECTION) -> None:
        tab_to(page, f'a.th-speech-section__link[hx-target="#th-listen-{section}"]')
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#th-listen-{section} [data-speech-player][data-speech-ready]", timeout=30_000)

    return open_section


@pytest.mark.parametrize(("width", "colours"), [(1280, "standard"), (320, "dark"), (320, "yellow-on-black")])
def test_a_page_in_speech_mode_has_no_accessibility_violations(
        open_page, axe, describe_violations, width: int, colours: str) -> None:
    page = open_page(SERVICE, width=width, preferences=Preferences(speech="on", colours=colours, text="large"))
    assert page.locator(".th-speech-section").count() > 3
    assert page.locator(".th-speech-bar").is_visible()
    violations = axe(page)
    assert not violations, describe_violations(violations)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_a_page_with_a_player_open_has_no_accessibility_violations(
        open_page, axe, describe_violations, open_player) -> None:
    page = open_page(SERVICE, width=320, preferences=SPEECH)
    open_player(page)
    violations = axe(page)
    assert not violations, describe_violations(violations)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


@pytest.mark.parametrize("path", [f"/listen?page={SERVICE}", f"/cy/listen?page={SERVICE}",
                                  f"/listen/player?page={SERVICE}&section={SECTION}"])
def test_the_speech_pages_have_no_accessibility_violations(open_page, axe, describe_violations, path: str) -> None:
    page = open_page(path, preferences=SPEECH)
    violations = axe(page)
    assert not violations, describe_violations(violations)


DIRECTORY_AND_PLACES = [
    "/directory", "/directory/not-sure", "/directory/emergency-services-999", "/your-area?postcode=BK1+1AA",
    "/find-my-nearest?category=libraries&postcode=BK1+1AA", "/school-catchment-areas?postcode=BK1+1AA",
    "/wards/BKWD01",
]


@pytest.mark.parametrize("prefix", ["", "/cy"])
@pytest.mark.parametrize("path", DIRECTORY_AND_PLACES)
def test_directory_and_places_pages_in_speech_mode_have_no_accessibility_violations(
        open_page, axe, describe_violations, prefix: str, path: str) -> None:
    page = open_page(prefix + path, width=320, preferences=Preferences(speech="on", text="large", colours="dark"))
    assert page.locator(".th-speech-bar").is_visible()
    assert page.locator(".th-speech-section").count() >= 1
    violations = axe(page)
    assert not violations, describe_violations(violations)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


@pytest.mark.parametrize("path", ["/cy/find-my-nearest?category=libraries&postcode=BK1+1AA", "/directory/not-sure"])
def test_a_result_page_with_a_player_open_has_no_accessibility_violations(
        open_page, axe, describe_violations, path: str) -> None:
    page = open_page(path, preferences=SPEECH)
    link = page.locator("a.th-speech-section__link").last
    target = link.get_attribute("hx-target")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{target} [data-speech-player][data-speech-ready]", timeout=60_000)
    assert page.evaluate("document.activeElement.matches('[data-speech-toggle]')")
    violations = axe(page)
    assert not violations, describe_violations(violations)


def test_keyboard_only_listening_with_highlighting(open_page, open_player, tab_to, same_host) -> None:
    requests: list[str] = []
    page = open_page(SERVICE, preferences=SPEECH, record=requests)
    open_player(page)
    player = page.locator(f"#th-listen-{SECTION} [data-speech-player]")
    # The player takes focus on its Play button, and nothing plays by itself.
    assert page.evaluate("document.activeElement.matches('[data-speech-toggle]')")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Play"
    assert player.locator("audio").evaluate("audio => audio.paused")
    assert "Length:" in player.inner_text()

    page.keyboard.press("Enter")  # Play
    page.wait_for_function(
        f"() => {{ const a = document.querySelector('#th-listen-{SECTION} audio'); return !a.paused && a.currentTime > 0.3; }}",
        timeout=20_000,
    )
    assert page.evaluate("document.activeElement.textContent.trim()") == "Pause"
    # The sentence being read is highlighted in the page, and shown under the player.
    page.wait_for_function("() => CSS.highlights.has('th-speech')", timeout=10_000)
    highlighted = page.evaluate("() => [...CSS.highlights.get('th-speech')][0].toString()")
    assert highlighted.strip() and highlighted.strip() in page.locator("main").inner_text()
    now = player.locator("[data-speech-now]")
    assert now.is_visible() and now.inner_text().strip()

    page.keyboard.press("Enter")  # Pause
    assert page.evaluate(f"document.querySelector('#th-listen-{SECTION} audio').paused")
    page.wait_for_function("() => document.activeElement.textContent.trim() === 'Resume'")  # the pause event is async

    # Change speed with the keyboard: a new player at that speed, focus back on its button.
    tab_to(page, f"#th-listen-{SECTION} a[data-speech-speed]:last-of-type")
    assert page.evaluate("document.activeElement.textContent").startswith("Fast")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#th-listen-{SECTION} .th-player__speed--current:text('Fast')", timeout=30_000)
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('[data-speech-toggle]')")
    assert all(same_host(url) for url in requests), [url for url in requests if not same_host(url)]


def test_listen_to_the_whole_page_from_the_bar(open_page, tab_to) -> None:
    page = open_page("/contact-us", preferences=SPEECH)
    tab_to(page, "a.th-speech-listen")
    page.keyboard.press("Enter")
    page.wait_for_selector("#th-speech-page-player [data-speech-player]", timeout=60_000)
    assert page.locator("#th-speech-page-player audio[controls][preload='none']").count() == 1
    assert page.locator("#th-speech-page-player source").count() == 2


def test_without_javascript_the_controls_are_plain_links(open_page) -> None:
    page = open_page(SERVICE, javascript=False, preferences=SPEECH)
    link = page.locator(f'a.th-speech-section__link[hx-target="#th-listen-{SECTION}"]')
    assert "format=mp3" in link.get_attribute("href")
    page.click("a.th-speech-listen")
    page.wait_for_url(lambda url: "/listen?page=" in url)
    audio = page.locator("main audio[controls]")
    assert audio.count() >= 2
    # The browser's own player needs no script: its first source is real audio.
    source = page.locator("main audio source").first.get_attribute("src")
    response = page.request.get(source)
    assert response.ok and response.headers["content-type"].startswith(("audio/ogg", "audio/mpeg"))


# --- audio not ready at once: "being prepared", asked for again, never a held request -------------


@pytest.fixture
def no_waiting(app, monkeypatch):
    """Requests never wait for their audio: every player not made yet is answered "being prepared" first."""
    from townhall import engines

    monkeypatch.setattr(engines.preparer(app), "wait", 0)


def test_a_player_being_prepared_is_asked_for_again_until_it_is_ready(
        open_page, axe, describe_violations, tab_to, no_waiting) -> None:
    section = "why-we-sometimes-leave-a-bin"
    page = open_page(SERVICE, width=320, preferences=Preferences(speech="on", text="large"))
    tab_to(page, f'a.th-speech-section__link[hx-target="#th-listen-{section}"]')
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#th-listen-{section} .th-speech-preparing", timeout=10_000)
    assert "Preparing the audio" in page.inner_text(f"#th-listen-{section}")
    violations = axe(page)
    assert not violations, describe_violations(violations)
    # htmx asks again every two seconds; the player replaces the message and takes the focus.
    page.wait_for_selector(f"#th-listen-{section} [data-speech-player][data-speech-ready]", timeout=30_000)
    assert page.locator(f"#th-listen-{section} .th-speech-preparing").count() == 0
    assert page.evaluate("document.activeElement.hasAttribute('data-speech-toggle')")


def test_without_javascript_a_player_being_prepared_has_a_link_to_try_again(
        open_page, axe, describe_violations, no_waiting) -> None:
    section = "if-you-need-help-to-put-your-bin-out"
    address = f"/listen/player?page={SERVICE}&section={section}"
    preferences = Preferences(speech="on", text="large")
    checked = open_page(address, width=320, preferences=preferences)  # axe needs JavaScript to run
    assert checked.inner_text("h1") == "Preparing the audio"
    violations = axe(checked)
    assert not violations, describe_violations(violations)
    page = open_page(address.replace("section=", "speed=slow&section="), javascript=False, width=320,
                     preferences=preferences)
    assert page.inner_text("h1") == "Preparing the audio"
    for _ in range(60):
        page.click("text=Check if the audio is ready")
        if page.locator("audio").count():
            break
        page.wait_for_timeout(500)
    assert page.locator("audio source").count() >= 1
