"""The audio cache on disk: atomic entries, a size cap with least-recently-used eviction,
and safety when several processes share it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from townhall.speech.cache import AudioCache
from townhall.speech.engine import Cue, Rendering
from townhall.speech.errors import SpeechTimedOut


def put(cache: AudioCache, key: str, size: int = 1000, transient: bool = False):
    staged = cache.staging()
    (staged / "audio.ogg").write_bytes(b"O" * size)
    rendering = Rendering(staged, {"ogg": "audio.ogg"}, 1.5, (Cue(0.0, 1.5, "Hello & <bye>"),), ("gmw/en",))
    return cache.commit(key, staged, rendering, speed="normal", engine="test", transient=transient)


def age(cache: AudioCache, key: str, seconds_ago: float) -> None:
    meta = cache.folder_for(key) / "meta.json"
    moment = time.time() - seconds_ago
    os.utime(meta, (moment, moment))


def test_an_entry_round_trips(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, 10_000_000)
    made = put(cache, "ab12")
    found = cache.get("ab12")
    assert found == made
    assert found.duration == 1.5 and found.formats == ("ogg",)
    assert found.path("ogg").read_bytes() == b"O" * 1000
    assert found.etag("ogg") == "ab12-ogg"
    assert found.cues_path.read_text() == "WEBVTT\n\ns1\n00:00:00.000 --> 00:00:01.500\nHello &amp; &lt;bye&gt;\n"
    assert cache.get("cd34") is None


def test_entries_appear_whole_and_staging_is_left_empty(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, 10_000_000)
    put(cache, "ab12")
    assert sorted(p.name for p in cache.folder_for("ab12").iterdir()) == ["audio.ogg", "cues.vtt", "meta.json"]
    assert list((tmp_path / ".staging").iterdir()) == []


def test_a_second_commit_of_the_same_key_keeps_the_first(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, 10_000_000)
    first = put(cache, "ab12", size=10)
    second = put(cache, "ab12", size=20)
    assert second.sizes == first.sizes == {"ogg": 10}
    assert list((tmp_path / ".staging").iterdir()) == []


def test_least_recently_used_entries_go_first_when_over_the_cap(tmp_path: Path) -> None:
    probe = AudioCache(tmp_path / "probe", 10_000_000)
    put(probe, "ffff")
    entry_size = probe.total_bytes()
    cache = AudioCache(tmp_path / "cache", int(entry_size * 4.5), touch_interval=0)
    for number, key in enumerate(["aa01", "aa02", "aa03", "aa04"]):
        put(cache, key)
        age(cache, key, 100 - number)  # aa01 oldest
    cache.get("aa01")  # ...but aa01 is read now, so aa02 becomes the least recently used
    put(cache, "aa05")  # five entries: over the cap of four and a half
    remaining = {folder.name for folder, _, _ in cache.entries()}
    assert remaining == {"aa01", "aa03", "aa04", "aa05"}
    assert cache.total_bytes() <= cache.max_bytes * 0.9


def test_reading_an_entry_marks_it_as_used(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, 10_000_000, touch_interval=60)
    put(cache, "ab12")
    age(cache, "ab12", 3600)
    cache.get("ab12")
    used = (cache.folder_for("ab12") / "meta.json").stat().st_mtime
    assert time.time() - used < 5


def test_the_entry_just_made_is_never_evicted(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, 100)
    entry = put(cache, "ab12", size=5000)
    assert cache.get("ab12") == entry


def test_clear_removes_everything(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, 10_000_000)
    put(cache, "ab12")
    put(cache, "cd34")
    assert cache.clear() == 2
    assert cache.get("ab12") is None and cache.total_bytes() == 0


def test_stale_staging_folders_are_cleaned(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, 10_000_000)
    left = cache.staging()
    old = time.time() - 7200
    os.utime(left, (old, old))
    put(cache, "ab12")  # eviction runs after each new entry and tidies staging
    assert not left.exists()


def test_bad_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        AudioCache(tmp_path, 1000).folder_for("../etc")


# --- one-off (transient) audio: for addresses with a query string ------------------------------


def entry_bytes(tmp_path: Path) -> int:
    probe = AudioCache(tmp_path / "probe", 10_000_000)
    put(probe, "ffff")
    return probe.total_bytes()


def names(cache: AudioCache) -> set[str]:
    return {item.folder.name for item in cache.items()}


def test_one_off_audio_keeps_to_its_share_of_the_cache(tmp_path: Path) -> None:
    size = entry_bytes(tmp_path)
    cache = AudioCache(tmp_path / "cache", size * 20, touch_interval=0, transient_share=0.1)  # room for 2 one-off
    lasting = [f"aa{n:02d}" for n in range(5)]
    for key in lasting:
        put(cache, key)
    for number in range(10):  # residents' searches, one after another
        put(cache, f"bb{number:02d}", transient=True)
    one_off = {item.folder.name for item in cache.items() if item.transient}
    assert one_off <= {"bb08", "bb09"} and "bb09" in one_off  # the newest stay, within the share
    assert names(cache) >= set(lasting)  # the site's own audio is untouched, though the cache is far from full
    assert sum(item.size for item in cache.items() if item.transient) <= size * 2


def test_one_off_audio_goes_first_when_the_cache_is_full(tmp_path: Path) -> None:
    size = entry_bytes(tmp_path)
    cache = AudioCache(tmp_path / "cache", int(size * 4.5), touch_interval=0, transient_share=0.5)
    put(cache, "aa01")
    age(cache, "aa01", 500)  # the oldest of all...
    put(cache, "bb01", transient=True)
    put(cache, "aa02")
    put(cache, "aa03")
    put(cache, "aa04")  # five: over the cap
    assert names(cache) == {"aa01", "aa02", "aa03", "aa04"}  # ...but lasting, so the one-off audio went


def test_one_off_audio_unused_for_an_hour_is_removed(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, 10_000_000, touch_interval=0)
    put(cache, "aa01")
    put(cache, "bb01", transient=True)
    put(cache, "bb02", transient=True)
    age(cache, "aa01", 7200)
    age(cache, "bb01", 7200)
    put(cache, "aa02")  # eviction runs after each new entry
    assert names(cache) == {"aa01", "aa02", "bb02"}


def test_one_off_audio_is_marked_and_can_be_made_lasting(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, 10_000_000, touch_interval=0)
    made = put(cache, "bb01", transient=True)
    assert made.transient and cache.get("bb01").transient
    lasting = cache.make_lasting("bb01")
    assert lasting is not None and not lasting.transient and not cache.get("bb01").transient
    assert not any(item.transient for item in cache.items())
    assert sorted(p.name for p in cache.folder_for("bb01").iterdir()) == ["audio.ogg", "cues.vtt", "meta.json"]
    assert cache.make_lasting("cd34") is None  # not there: nothing to keep


HOLD_LOCK = """
import sys, time
from townhall.speech.cache import AudioCache
with AudioCache(sys.argv[1], 1000).key_lock(sys.argv[2], time.monotonic() + 10):
    print("ready", flush=True)
    sys.stdin.readline()
"""


def test_the_key_lock_holds_across_processes(tmp_path: Path) -> None:
    other = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path), "ab12"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert other.stdout.readline().strip() == "ready"
        cache = AudioCache(tmp_path, 1000)
        with pytest.raises(SpeechTimedOut):
            with cache.key_lock("ab12", time.monotonic() + 0.2):
                pass
    finally:
        other.communicate("go\n", timeout=10)
    with AudioCache(tmp_path, 1000).key_lock("ab12", time.monotonic() + 1):
        pass  # free again once the other process let go
