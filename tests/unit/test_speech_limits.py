"""The per-client request limit and the synthesis limits, counted in a SQLite file every worker shares."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from townhall.speech.errors import SpeechBusy, SpeechLimited
from townhall.speech.limits import DAY_SECONDS, RateLimiter, SpeechLimit, SynthesisLimit


def test_requests_over_the_limit_are_refused_until_the_next_window(tmp_path: Path) -> None:
    limiter = RateLimiter(tmp_path / "limit.sqlite3", limit=2, window=60)
    now = 6_000_000.0  # the start of a window
    assert [limiter.hit("198.51.100.1", now + s).allowed for s in (0, 1, 2)] == [True, True, False]
    refused = limiter.hit("198.51.100.1", now + 10)
    assert not refused.allowed and refused.count == 4 and refused.retry_after == 50
    assert limiter.hit("198.51.100.2", now + 10).allowed  # another client
    assert limiter.hit("198.51.100.1", now + 61).allowed  # the next minute


def test_two_limiters_on_one_file_share_the_count(tmp_path: Path) -> None:
    first = RateLimiter(tmp_path / "limit.sqlite3", limit=2)
    second = RateLimiter(tmp_path / "limit.sqlite3", limit=2)
    now = 6_000_000.0
    assert first.hit("203.0.113.9", now).allowed
    assert second.hit("203.0.113.9", now).allowed
    assert not first.hit("203.0.113.9", now).allowed


def test_addresses_are_stored_only_as_hashes_salted_afresh_each_day(tmp_path: Path) -> None:
    path = tmp_path / "limit.sqlite3"
    limiter = RateLimiter(path, limit=5)
    day = 7_000 * DAY_SECONDS
    limiter.hit("203.0.113.77", day + 10)
    assert b"203.0.113.77" not in path.read_bytes()
    with sqlite3.connect(path) as connection:
        clients = [row[0] for row in connection.execute("SELECT client FROM hits")]
        salts = connection.execute("SELECT day FROM salts").fetchall()
    connection.close()
    # Not the unsalted hash the file once kept (anyone could hash every IPv4 address and find it).
    unsalted = hashlib.sha256(b"townhall-speech:203.0.113.77").hexdigest()[:24]
    assert clients and unsalted not in clients
    assert salts == [(7_000,)]
    # The next day: a new salt, yesterday's deleted, so the same address gets a key that cannot be linked.
    other = RateLimiter(path, limit=5)
    other.hit("203.0.113.77", day + DAY_SECONDS + 10)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT day FROM salts").fetchall() == [(7_001,)]
        keys = {row[0] for row in connection.execute("SELECT client FROM hits")}
    connection.close()
    assert keys and not keys & set(clients)


def test_every_process_uses_the_same_salt_on_the_same_day(tmp_path: Path) -> None:
    path = tmp_path / "limit.sqlite3"
    now = 7_000 * DAY_SECONDS + 100
    first, second = RateLimiter(path, limit=2), RateLimiter(path, limit=2)
    assert first.hit("192.0.2.1", now).allowed and second.hit("192.0.2.1", now).allowed
    assert not first.hit("192.0.2.1", now).allowed


def test_a_counter_that_cannot_be_written_lets_requests_through(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    limiter = RateLimiter(blocked / "limit.sqlite3", limit=1)
    assert all(limiter.hit("192.0.2.1").allowed for _ in range(3))


def test_a_limit_of_zero_turns_limiting_off(tmp_path: Path) -> None:
    limiter = RateLimiter(tmp_path / "limit.sqlite3", limit=0)
    assert all(limiter.hit("192.0.2.1").allowed for _ in range(5))


def test_only_audio_already_made_is_free(tmp_path: Path) -> None:
    limit = SpeechLimit(RateLimiter(tmp_path / "limit.sqlite3", limit=1))
    now = 6_000_000.0
    assert all(limit.check("192.0.2.5", made=True, now=now).allowed for _ in range(5))
    assert limit.check("192.0.2.5", made=False, now=now).allowed
    assert not limit.check("192.0.2.5", made=False, now=now).allowed
    assert limit.check("192.0.2.5", made=True, now=now).allowed


def test_the_limits_are_built_from_the_settings(tmp_path: Path) -> None:
    settings = {"TOWNHALL_AUDIO_CACHE": str(tmp_path), "TOWNHALL_SPEECH_RATE_LIMIT": "7",
                "TOWNHALL_SPEECH_CLIENT_SYNTHESES": "3", "TOWNHALL_SPEECH_SYNTHESES": "9"}
    limit = SpeechLimit.from_settings(settings)
    assert limit.limiter.limit == 7 and limit.limiter.path == tmp_path / ".rate-limit.sqlite3"
    syntheses = SynthesisLimit.from_settings(settings)
    assert (syntheses.per_client.limit, syntheses.everyone.limit) == (3, 9)
    assert syntheses.per_client.path == limit.limiter.path


def test_syntheses_are_limited_per_client_and_for_everyone(tmp_path: Path) -> None:
    path = tmp_path / "limit.sqlite3"
    limit = SynthesisLimit(RateLimiter(path, 2, namespace="syntheses"), RateLimiter(path, 3, namespace="all"))
    now = 6_000_000.0
    limit.allow("192.0.2.1", now)
    limit.allow("192.0.2.1", now)
    with pytest.raises(SpeechLimited) as mine:
        limit.allow("192.0.2.1", now)
    assert mine.value.status == 429 and 1 <= mine.value.retry_after <= 60
    limit.allow("192.0.2.2", now)  # 3 for everyone
    with pytest.raises(SpeechBusy) as everyone:
        limit.allow("192.0.2.3", now)
    assert everyone.value.status == 503 and everyone.value.retry_after
    limit.allow("192.0.2.3", now + 60)  # the next minute
    # Requests and syntheses are counted apart, though in one file.
    assert RateLimiter(path, 1).hit("192.0.2.1", now).allowed
