"""Real synthesis with pyttsx3 on espeak-ng, encoded by ffmpeg: formats, lengths, cues, the cache,
and what happens when the engine is missing, too slow or too busy. Nothing here is mocked.

Texts are kept short so the whole module runs in a few seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import wave
from pathlib import Path

import pytest

from townhall.speech import (
    NothingToRead,
    Slots,
    Speaker,
    SpeechBusy,
    SpeechTimedOut,
    SpeechUnavailable,
    Utterance,
    build_script,
)
from townhall.speech.cache import AudioCache
from townhall.speech.engine import Synthesiser, available_encoders

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

HAS_FFMPEG = bool(available_encoders("ffmpeg"))
needs_ffmpeg = pytest.mark.skipif(not HAS_FFMPEG, reason="ffmpeg is not installed")

SHORT = (Utterance("Bins.", "Bins.", 0, "en"),)
LONGER = (
    Utterance("Bins.", "Bins.", 0, "en"),
    Utterance("We empty your bins every week.", "We empty your bins every week.", 150, "en"),
    Utterance("Call 01632 960000.", "Call 0 1 6 3 2, 9 6 0, 0 0 0.", 0, "en"),
)


def make_speaker(root: Path, **options) -> Speaker:
    timeout = options.pop("timeout", 20)
    workers = options.pop("workers", 2)
    cap = options.pop("cap", 50 * 1024 * 1024)
    synthesiser = Synthesiser(slots=Slots(root / ".slots", workers), timeout=timeout, **options)
    return Speaker(AudioCache(root, cap), synthesiser, timeout)


@pytest.fixture(scope="module")
def speaker(tmp_path_factory: pytest.TempPathFactory):
    made = make_speaker(tmp_path_factory.mktemp("audio-cache"))
    yield made
    made.synthesiser.close()


def probe(path: Path) -> dict:
    """What ffprobe (from Debian's ffmpeg) says the file is."""
    output = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=format_name,duration:stream=codec_name,channels",
         "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(output)


@needs_ffmpeg
def test_audio_is_ogg_opus_and_mp3_of_the_right_length(speaker: Speaker) -> None:
    entry = speaker.audio(LONGER, "normal")
    assert entry.formats == ("ogg", "mp3")
    ogg, mp3 = entry.path("ogg"), entry.path("mp3")
    assert ogg.read_bytes()[:4] == b"OggS" and b"OpusHead" in ogg.read_bytes()[:100]
    head = mp3.read_bytes()[:3]
    assert head == b"ID3" or (head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    ogg_info, mp3_info = probe(ogg), probe(mp3)
    assert ogg_info["streams"][0]["codec_name"] == "opus" and ogg_info["streams"][0]["channels"] == 1
    assert mp3_info["streams"][0]["codec_name"] == "mp3"
    for info in (ogg_info, mp3_info):
        assert float(info["format"]["duration"]) == pytest.approx(entry.duration, abs=0.15)
    assert entry.sizes["ogg"] == ogg.stat().st_size


def test_duration_grows_with_the_text(speaker: Speaker) -> None:
    short = speaker.audio(SHORT, "normal")
    longer = speaker.audio(LONGER, "normal")
    assert 0.3 < short.duration < longer.duration
    assert longer.duration > 3 * short.duration - 0.5


def test_slower_speeds_make_longer_audio(speaker: Speaker) -> None:
    slow, fast = speaker.audio(LONGER, "slow"), speaker.audio(LONGER, "fast")
    assert slow.duration > speaker.audio(LONGER, "normal").duration > fast.duration


def test_each_sentence_has_a_cue_at_its_real_offset(speaker: Speaker) -> None:
    entry = speaker.audio(LONGER, "normal")
    assert [cue.text for cue in entry.cues] == ["Bins.", "We empty your bins every week.", "Call 01632 960000."]
    starts = [cue.start for cue in entry.cues]
    assert starts[0] == 0 and starts == sorted(starts)
    assert all(cue.end > cue.start for cue in entry.cues)
    assert entry.cues[-1].end == pytest.approx(entry.duration, abs=0.01)
    # The second sentence ends 150 ms before the third starts: the pause after it.
    assert entry.cues[2].start - entry.cues[1].end == pytest.approx(0.15, abs=0.002)
    vtt = entry.cues_path.read_text()
    assert vtt.startswith("WEBVTT\n\ns1\n00:00:00.000 --> ")
    assert "Call 01632 960000." in vtt


def test_the_second_request_is_served_from_the_cache(speaker: Speaker, tmp_path: Path) -> None:
    utterances = (Utterance("Cache me.", "Cache me.", 0, "en"),)
    first = speaker.audio(utterances, "normal")
    started = time.perf_counter()
    second = speaker.audio(utterances, "normal")
    assert time.perf_counter() - started < 0.05
    assert second.key == first.key and second.folder == first.folder
    # Proof that no synthesis happens: a speaker whose engine cannot even start
    # still answers, from the same cache folder.
    broken = make_speaker(speaker.cache.root, command=["/nonexistent/python"])
    assert broken.audio(utterances, "normal").key == first.key
    with pytest.raises(SpeechUnavailable):
        broken.audio((Utterance("Not cached.", "Not cached.", 0, "en"),), "normal")


def test_welsh_is_read_with_the_welsh_voice(speaker: Speaker) -> None:
    entry = speaker.audio((Utterance("Croeso.", "Croeso i Gyngor Dosbarth Brackenford.", 0, "cy"),), "normal")
    assert entry.voices == ("cel/cy",)
    assert entry.duration > 1


def test_a_page_section_from_the_speech_script(speaker: Speaker) -> None:
    script = build_script(
        "<main id='main-content'><h1>Report a pothole</h1><p>Tell us where it is.</p>"
        "<h2>Contact</h2><p>Call 01632 960200.</p></main>"
    )
    section = script.section("contact")
    entry = speaker.audio(section.utterances, "normal")
    assert [cue.text for cue in entry.cues] == ["Contact", "Call 01632 960200."]


def test_the_key_changes_with_text_speed_and_voice(speaker: Speaker) -> None:
    keys = {
        speaker.key(SHORT, "normal"),
        speaker.key(SHORT, "slow"),
        speaker.key(LONGER, "normal"),
        speaker.key((Utterance("Bins.", "Bins.", 0, "cy"),), "normal"),
    }
    assert len(keys) == 4
    assert speaker.key(SHORT, "normal") == speaker.key(SHORT, "normal")


def test_nothing_to_read() -> None:
    speaker = make_speaker(Path("/nonexistent-cache"))
    with pytest.raises(NothingToRead):
        speaker.audio((), "normal")


# --- when the engine is not available --------------------------------------------


def test_an_engine_command_that_does_not_exist_is_unavailable(tmp_path: Path) -> None:
    speaker = make_speaker(tmp_path, command=["/nonexistent/python"])
    with pytest.raises(SpeechUnavailable, match="could not start"):
        speaker.audio(SHORT, "normal")
    assert not any(tmp_path.glob("??/*"))  # nothing half-made left in the cache


def test_a_driver_pyttsx3_does_not_have_is_unavailable(tmp_path: Path) -> None:
    speaker = make_speaker(tmp_path, driver="no-such-driver")
    with pytest.raises(SpeechUnavailable, match="engine failed"):
        speaker.audio(SHORT, "normal")
    speaker.synthesiser.close()


def test_a_voice_espeak_does_not_have_is_unavailable(tmp_path: Path) -> None:
    speaker = make_speaker(tmp_path, voices={"en": "no/such-voice"})
    with pytest.raises(SpeechUnavailable, match="no voice"):
        speaker.audio(SHORT, "normal")
    speaker.synthesiser.close()


def test_a_language_without_a_voice_is_unavailable(tmp_path: Path) -> None:
    speaker = make_speaker(tmp_path)
    with pytest.raises(SpeechUnavailable, match="no speech voice"):
        speaker.audio((Utterance("Bonjour.", "Bonjour.", 0, "fr"),), "normal")


def test_without_ffmpeg_the_audio_is_kept_as_wav(tmp_path: Path) -> None:
    speaker = make_speaker(tmp_path, ffmpeg="/nonexistent/ffmpeg")
    entry = speaker.audio(SHORT, "normal")
    speaker.synthesiser.close()
    assert entry.formats == ("wav",)
    with wave.open(str(entry.path("wav"))) as audio:
        assert audio.getnchannels() == 1
        assert audio.getnframes() / audio.getframerate() == pytest.approx(entry.duration, abs=0.01)


# --- too slow, too busy ----------------------------------------------------------------


def test_synthesis_that_takes_longer_than_the_timeout_is_stopped(tmp_path: Path) -> None:
    speaker = make_speaker(tmp_path, timeout=0.01, keep_spare=False)
    started = time.monotonic()
    with pytest.raises(SpeechTimedOut):
        speaker.audio(LONGER, "normal")
    assert time.monotonic() - started < 2
    assert not any(tmp_path.glob("??/*"))
    assert not list((tmp_path / ".staging").iterdir())


def test_a_timeout_kills_the_worker_process(tmp_path: Path) -> None:
    speaker = make_speaker(tmp_path, keep_spare=False)
    long_text = tuple(Utterance(f"Sentence {n}.", f"This is sentence number {n} of many.", 0, "en") for n in range(200))
    seen: list[int] = []
    original = speaker.synthesiser._start_worker

    def remember():  # note the real process's id, to check it is gone afterwards
        process = original()
        seen.append(process.pid)
        return process

    speaker.synthesiser._start_worker = remember
    with pytest.raises(SpeechTimedOut):
        speaker.audio(long_text, "normal", timeout=0.5)
    assert seen
    assert not Path(f"/proc/{seen[0]}").exists()  # killed and reaped


def test_when_every_slot_is_taken_the_request_is_busy(tmp_path: Path) -> None:
    speaker = make_speaker(tmp_path, workers=1, timeout=0.3)
    holding = threading.Event()
    release = threading.Event()

    def hold_the_only_slot() -> None:
        with speaker.synthesiser.slots.acquire(time.monotonic() + 5):
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold_the_only_slot)
    holder.start()
    holding.wait(5)
    try:
        with pytest.raises(SpeechBusy):
            speaker.audio(SHORT, "normal")
    finally:
        release.set()
        holder.join()
        speaker.synthesiser.close()


def test_two_requests_for_the_same_audio_make_it_once(tmp_path: Path) -> None:
    speaker = make_speaker(tmp_path)
    utterances = (Utterance("Once only.", "Once only.", 0, "en"),)
    results = []
    threads = [threading.Thread(target=lambda: results.append(speaker.audio(utterances, "normal"))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    speaker.synthesiser.close()
    assert len({entry.key for entry in results}) == 1
    assert len(list(tmp_path.glob("??/*"))) == 1


@needs_ffmpeg
def test_the_encoder_restarts_when_the_audio_is_not_what_was_expected(tmp_path: Path) -> None:
    """The encoder starts before the first sentence with espeak-ng's usual format; other audio restarts it."""
    from townhall.speech.engine import _Sink

    synthesiser = Synthesiser(slots=Slots(tmp_path / ".slots", 1))
    sink = _Sink(synthesiser, tmp_path)
    sink.start((1, 2, 16000))
    sink.write((1, 2, 22050), b"\0\1" * 22050)  # one second at 22.05 kHz
    files = sink.finish(time.monotonic() + 20)
    assert set(files) == {"ogg", "mp3"}
    assert float(probe(tmp_path / files["mp3"])["format"]["duration"]) == pytest.approx(1.0, abs=0.1)


def test_synthesis_runs_at_a_lower_priority_than_the_site(tmp_path: Path) -> None:
    """So pages stay quick on a small machine while audio is made (BENCHMARKS.md, "Hostile clients")."""
    import os

    speaker = make_speaker(tmp_path)
    speaker.synthesiser.prepare()
    try:
        spare = speaker.synthesiser._spare[1]
        assert os.getpriority(os.PRIO_PROCESS, spare.pid) > os.getpriority(os.PRIO_PROCESS, 0)
    finally:
        speaker.synthesiser.close()
