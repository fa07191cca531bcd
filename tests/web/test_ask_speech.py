"""Ask Townhall in speech mode: each answer turn has a Listen control for the section of the page its
passage came from (a page and a section of the site, never the resident's words), with and without
htmx, in English and Welsh. One real synthesis through the control's address."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from townhall import create_app, engines
from townhall.preferences import COOKIE_NAME
from townhall.speech import build_script

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
CONTROL = re.compile(r'<div class="th-speech-section th-speech-source".*?</div>\s*</div>', re.S)
MISSED_BIN = "what if my bin is missed again"  # answered from a section with its own heading
SERVICE, SECTION = "/services/report-a-missed-bin", "if-we-miss-your-bin-again"
HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def speech_app(tmp_path_factory: pytest.TempPathFactory):
    tmp_path: Path = tmp_path_factory.mktemp("ask-speech")
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path),
                      "TOWNHALL_AUDIO_CACHE": str(tmp_path / "audio-cache"), "TOWNHALL_SPEECH_WAIT": 60,
                      "TOWNHALL_SPEECH_RATE_LIMIT": 10_000})
    yield app
    preparer = engines.of(app).made("speech-preparer")
    if preparer is not None:
        preparer.close()
    speaker = engines.of(app).made("speaker")
    if speaker is not None:
        speaker.synthesiser.close()


@pytest.fixture
def listener(speech_app):
    """A resident with speech mode on (the display settings cookie)."""
    client = speech_app.test_client()
    client.set_cookie(COOKIE_NAME, "speech:on")
    return client


def ask(client, question: str, prefix: str = "", **headers) -> str:
    token = TOKEN.search(client.get(f"{prefix}/ask").get_data(as_text=True)).group(1)
    response = client.post(f"{prefix}/ask", data={"csrf_token": token, "q": question}, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def control_addresses(html: str) -> tuple[str, str]:
    """(plain link, htmx player address) of the one source Listen control in `html`."""
    controls = CONTROL.findall(html)
    assert len(controls) == 1, html
    plain = unescape(re.search(r'href="([^"]+)"', controls[0]).group(1))
    player = unescape(re.search(r'hx-get="([^"]+)"', controls[0]).group(1))
    return plain, player


def test_an_answer_turn_has_a_control_for_the_section_its_passage_came_from(listener) -> None:
    html = ask(listener, MISSED_BIN)
    plain, player = control_addresses(html)
    assert plain == f"/listen?page={SERVICE}#{SECTION}"  # without JavaScript: the plain listening page
    address = urlsplit(player)
    assert address.path == "/listen/player"
    assert parse_qs(address.query) == {"page": [SERVICE], "section": [SECTION], "speed": ["normal"]}
    assert 'hx-target="#th-listen-turn-1"' in html and 'id="th-listen-turn-1"' in html
    assert "missed again" not in plain + player  # the resident's words are never in a speech address
    listening = listener.get(plain.split("#")[0])
    assert listening.status_code == 200 and f'id="{SECTION}"' in listening.get_data(as_text=True)


def test_the_htmx_turn_has_the_control_too(listener) -> None:
    html = ask(listener, MISSED_BIN, **HX)
    assert control_addresses(html)[0] == f"/listen?page={SERVICE}#{SECTION}"


def test_a_passage_without_a_section_reads_the_pages_first_section(listener, speech_app) -> None:
    plain, player = control_addresses(ask(listener, "who do I call about a gas smell"))
    page_html = speech_app.test_client().get("/directory/gas-emergency").get_data(as_text=True)
    first = build_script(page_html, lang="en").sections[0].id
    assert plain == f"/listen?page=/directory/gas-emergency#{first}"
    assert parse_qs(urlsplit(player).query)["section"] == [first]


def test_a_passage_under_a_deeper_heading_reads_the_section_that_holds_it(listener) -> None:
    # The passage sits under "Direct debit" (an h3), inside the "Ways to pay" section (an h2).
    plain, _player = control_addresses(ask(listener, "how do I set up a direct debit for council tax"))
    assert plain == "/listen?page=/services/pay-your-council-tax#ways-to-pay"


def test_without_speech_mode_there_is_no_control(speech_app) -> None:
    html = ask(speech_app.test_client(), MISSED_BIN)
    assert "th-speech-source" not in html and "/listen" not in html


def test_not_sure_and_question_turns_have_no_control(listener) -> None:
    not_sure = ask(listener, "xyzzy plugh frobnicate")
    assert "th-ask-turn--not-sure" in not_sure and "th-speech-source" not in not_sure
    question = ask(listener, "when is my bin collected")  # asks for a postcode
    assert "th-ask-turn--question" in question and "th-speech-source" not in question


def test_welsh(listener) -> None:
    html = ask(listener, "sut mae talu treth y cyngor", prefix="/cy")
    plain, player = control_addresses(html)
    assert plain.startswith("/cy/listen?page=/services/pay-your-council-tax#")
    assert player.startswith("/cy/listen/player?page=/services/pay-your-council-tax&section=")
    page, section = plain.split("#")
    listening = listener.get(page)
    assert listening.status_code == 200 and f'id="{section}"' in listening.get_data(as_text=True)
    assert 'lang="cy"' in listening.get_data(as_text=True)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_control_plays_the_same_audio_as_the_pages_own_section_control(listener) -> None:
    _plain, player = control_addresses(ask(listener, MISSED_BIN, **HX))
    answer = listener.get(player, headers=HX)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert "<audio" in answer.get_data(as_text=True)
    # The page's own control for that section (in speech mode on the page itself) finds the very same audio.
    page = listener.get(SERVICE).get_data(as_text=True)
    own_address = next(unescape(found) for found in re.findall(r'hx-get="([^"]+)"', page) if f"section={SECTION}" in found)
    own = listener.get(own_address, headers=HX)
    key = re.compile(r"v=([0-9a-f]{40})")
    assert key.search(own.get_data(as_text=True)).group(1) == key.search(answer.get_data(as_text=True)).group(1)
