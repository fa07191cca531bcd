"""The per-client rate limit, counted in a SQLite file every worker shares."""

from __future__ import annotations

from pathlib import Path

from townhall.speech.limits import RateLimiter, SpeechLimit


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


def test_addresses_are_not_stored(tmp_path: Path) -> None:
    limiter = RateLimiter(tmp_path / "limit.sqlite3", limit=5)
    limiter.hit("203.0.113.77")
    assert b"203.0.113.77" not in (tmp_path / "limit.sqlite3").read_bytes()


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


def test_the_limit_is_built_from_the_settings(tmp_path: Path) -> None:
    limit = SpeechLimit.from_settings({"TOWNHALL_AUDIO_CACHE": str(tmp_path), "TOWNHALL_SPEECH_RATE_LIMIT": "7"})
    assert limit.limiter.limit == 7 and limit.limiter.path == tmp_path / ".rate-limit.sqlite3"
