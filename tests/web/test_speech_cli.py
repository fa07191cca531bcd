"""`flask speech ...` commands, run through Flask's CLI runner with real synthesis."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from townhall import create_app
from townhall.cli.speech import site_pages
from townhall.speech import Speaker, build_script

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


@pytest.fixture
def cli_app(tmp_path: Path):
    return create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path),
                       "TOWNHALL_AUDIO_CACHE": str(tmp_path / "audio-cache")})


def test_every_page_is_found_by_following_links(cli_app) -> None:
    pages = site_pages(cli_app)
    assert {"/", "/cy/", "/services/report-a-missed-bin", "/cy/services/report-a-missed-bin", "/contact-us",
            "/a-to-z", "/categories/bins-and-recycling"} <= set(pages)
    assert not [page for page in pages if page.startswith(("/listen", "/cy/listen", "/assets"))]
    assert len(pages) == len(set(pages))


def test_pregenerate_warms_the_cache_and_a_second_run_finds_it_warm(cli_app) -> None:
    runner = cli_app.test_cli_runner()
    result = runner.invoke(args=["speech", "pregenerate", "--path", "/your-area", "--path", "/cy/your-area"])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output and "0 already cached" in result.output
    # What a listener's request would need is now in the cache.
    speaker = Speaker.from_settings(cli_app.config)
    html = cli_app.test_client().get("/your-area").get_data(as_text=True)
    script = build_script(html)
    assert speaker.cached(script.sections[0].utterances, "normal") is not None
    assert speaker.cached(script.utterances, "normal") is not None
    again = runner.invoke(args=["speech", "pregenerate", "--path", "/your-area"])
    assert " 0 made" in again.output and "0 failed" in again.output


def test_status_voices_and_clear_cache(cli_app) -> None:
    runner = cli_app.test_cli_runner()
    runner.invoke(args=["speech", "pregenerate", "--path", "/your-area", "--sections-only"])
    status = runner.invoke(args=["speech", "status"])
    assert "Formats: ogg, mp3" in status.output and "1 audio" in status.output
    voices = runner.invoke(args=["speech", "voices"])
    assert voices.exit_code == 0
    assert "en: gmw/en - available" in voices.output and "cy: cel/cy - available" in voices.output
    cleared = runner.invoke(args=["speech", "clear-cache"])
    assert "Removed 1 cached audio." in cleared.output


def test_pregenerate_says_when_speech_is_unavailable(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path),
                      "TOWNHALL_AUDIO_CACHE": str(tmp_path / "audio-cache"),
                      "TOWNHALL_SPEECH_COMMAND": "/nonexistent/python"})
    result = app.test_cli_runner().invoke(args=["speech", "pregenerate", "--path", "/your-area"])
    assert result.exit_code == 1
    assert "could not make audio for /your-area" in result.output


def test_pregenerate_keeps_one_off_audio_a_page_of_the_site_uses(cli_app) -> None:
    """Audio first made for a search (one-off) that a page of the site also reads becomes lasting."""
    speaker = Speaker.from_settings(cli_app.config)
    searched = build_script(cli_app.test_client().get("/search?q=zebra").get_data(as_text=True))
    made = speaker.audio(searched.section("introduction").utterances, "normal", transient=True)
    speaker.synthesiser.close()
    assert made.transient
    runner = cli_app.test_cli_runner()
    status = runner.invoke(args=["speech", "status"])
    assert "1 for one-off addresses" in status.output
    result = runner.invoke(args=["speech", "pregenerate", "--path", "/search", "--sections-only"])
    assert result.exit_code == 0 and "1 already cached" in result.output, result.output
    assert not speaker.cache.get(made.key).transient
    assert "0 for one-off addresses" in runner.invoke(args=["speech", "status"]).output
