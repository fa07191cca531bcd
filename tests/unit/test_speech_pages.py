"""Which pages the speech routes read (speech/pages.py) and how Listen controls go into a page
(speech/controls.py): no Flask needed."""

from __future__ import annotations

import pytest

from townhall.addresses import strip_language
from townhall.speech import build_script
from townhall.speech.controls import PAGE_DURATION_MARK, splice_controls
from townhall.speech.pages import download_name, readable_page

LANGUAGES = ["cy"]


@pytest.mark.parametrize("path", ["/", "/services/report-a-missed-bin", "/search?q=bins", "/cymraeg-page",
                                  "/cylinders", "/your-area?postcode=BK1+1AA"])
def test_pages_of_the_site_are_read(path: str) -> None:
    assert readable_page(path, LANGUAGES) == path


@pytest.mark.parametrize(
    "path",
    [None, "/listen", "/listen?page=/", "/listen/audio?page=/", "/assets/townhall.css", "/static/x", "/healthz",
     "/cy", "/cy/", "/cy/services/report-a-missed-bin", "/cy/listen/audio?page=/", "/cy/listen?page=/cy/listen",
     "/cy/cy/listen/player", "/cy/assets/townhall.css", "/" + "x" * 400, "/a\nb"],
)
def test_speech_routes_assets_and_language_prefixed_paths_are_not(path: str | None) -> None:
    assert readable_page(path, LANGUAGES) is None


def test_language_prefixes_are_stripped_however_many() -> None:
    assert strip_language("/cy/cy/listen", LANGUAGES) == "/listen"
    assert strip_language("/cy", LANGUAGES) == "/"
    assert strip_language("/cylinders", LANGUAGES) == "/cylinders"
    assert strip_language("/services/x", []) == "/services/x"


def test_download_names() -> None:
    assert download_name("/services/a?x=1", "all", "mp3", "brackenford") == "brackenford-services-a.mp3"
    assert download_name("/", "intro", "ogg", "ashby") == "ashby-home-intro.ogg"


def test_controls_go_after_each_section_heading_and_the_length_into_the_bar() -> None:
    html = (f'<html><body><p>({PAGE_DURATION_MARK})</p><main id="main-content"><h1>Title</h1><p>Intro.</p>'
            '<h2 id="one">One</h2><p>First.</p><h2 id="two">Two</h2><p>Second.</p></main></body></html>')
    script = build_script(html)
    spliced = splice_controls(html, script, lambda section: f"[{section.id}]", "1 minute")
    assert "(1 minute)" in spliced and PAGE_DURATION_MARK not in spliced
    assert '<h1>Title</h1>[introduction]<p>Intro.' in spliced
    assert '<h2 id="one">One</h2>[one]<p>First.' in spliced and '<h2 id="two">Two</h2>[two]<p>' in spliced


def test_the_page_bar_can_be_taken_out_again() -> None:
    from townhall.speech.controls import BAR_END, BAR_START, without_page_bar

    html = f"<body>{BAR_START}<div>Listen ({PAGE_DURATION_MARK})</div>{BAR_END}<main>Text</main></body>"
    assert without_page_bar(html) == "<body><main>Text</main></body>"
    assert without_page_bar("<body><main>Text</main></body>") == "<body><main>Text</main></body>"


def test_addresses_with_a_query_string_are_one_off() -> None:
    from townhall.speech.pages import one_off

    assert one_off("/search?q=bins") and one_off("/your-area?postcode=BK1+1AA")
    assert not one_off("/services/report-a-missed-bin") and not one_off("/find-my-nearest")
