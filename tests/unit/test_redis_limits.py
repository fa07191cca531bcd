"""The limits counted in Redis (TOWNHALL_REDIS_URL): shared by every process, addresses never stored."""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path

import pytest
import redis

from townhall.speech.limits import RateLimiter, RedisRateLimiter, SpeechLimit, SynthesisLimit, counter


@pytest.fixture
def redis_url(redis_server) -> str:
    redis_server.flush()
    return redis_server.url


def test_two_limiters_on_one_redis_share_the_count(redis_url: str) -> None:
    # Two limiters stand for two machines: each counts in the same Redis.
    first, second = RedisRateLimiter(redis_url, 2, 60, "track"), RedisRateLimiter(redis_url, 2, 60, "track")
    assert first.hit("198.51.100.1").allowed
    assert second.hit("198.51.100.1").allowed
    refused = first.hit("198.51.100.1")
    assert not refused.allowed and refused.count == 3 and 1 <= refused.retry_after <= 60
    assert second.hit("198.51.100.2").allowed  # another client
    assert not second.peek("198.51.100.1").allowed  # peeking says so without counting
    assert second.peek("198.51.100.2").count == 1


def test_peek_counts_nothing(redis_url: str) -> None:
    limiter = RedisRateLimiter(redis_url, 1, 60, "login")
    assert all(limiter.peek("192.0.2.8").allowed for _ in range(5))
    assert limiter.hit("192.0.2.8").allowed
    assert not limiter.peek("192.0.2.8").allowed


def test_namespaces_are_counted_apart(redis_url: str) -> None:
    assert RedisRateLimiter(redis_url, 1, 600, "submissions").hit("192.0.2.9").allowed
    assert RedisRateLimiter(redis_url, 1, 600, "feedback").hit("192.0.2.9").allowed
    assert not RedisRateLimiter(redis_url, 1, 600, "submissions").hit("192.0.2.9").allowed


def test_redis_never_holds_an_address_and_the_salt_expires(redis_url: str) -> None:
    limiter = RedisRateLimiter(redis_url, 5, 60, "track")
    limiter.hit("203.0.113.77")
    client = redis.Redis.from_url(redis_url)
    keys = [key.decode() for key in client.keys("*")]
    assert keys and not any("203.0.113.77" in key for key in keys)
    assert all(b"203.0.113.77" not in (client.dump(key) or b"") for key in keys)
    salts = [key for key in keys if ":salt:" in key]
    assert len(salts) == 1 and 0 < client.ttl(salts[0]) <= 2 * 24 * 60 * 60
    client.close()


def test_a_redis_that_is_not_there_lets_requests_through(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{port}/0", 1, 60, "login")
    with caplog.at_level(logging.WARNING):
        assert all(limiter.hit("192.0.2.1").allowed for _ in range(3))
        assert limiter.peek("192.0.2.1").allowed
    assert "letting requests through" in caplog.text and "192.0.2.1" not in caplog.text


def test_while_redis_is_away_this_machine_counts(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    """Password and reference guesses stay limited (per machine) while Redis does not answer."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    limiter = counter({"TOWNHALL_REDIS_URL": f"redis://127.0.0.1:{port}/0"}, tmp_path / "limits.sqlite3", 2,
                      namespace="login")
    with caplog.at_level(logging.WARNING):
        answers = [limiter.hit("192.0.2.9").allowed for _ in range(4)]
    assert answers == [True, True, False, False]
    assert not limiter.peek("192.0.2.9").allowed and limiter.peek("192.0.2.10").allowed
    assert "counting them on this machine" in caplog.text and "192.0.2.9" not in caplog.text


def test_a_redis_that_hangs_holds_one_request_half_a_second_and_the_next_ones_not_at_all() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        limiter = RedisRateLimiter(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", 1, 60, "track")
        started = time.monotonic()
        assert limiter.hit("192.0.2.2").allowed
        first = time.monotonic() - started
        started = time.monotonic()
        assert all(limiter.hit("192.0.2.2").allowed for _ in range(20))
        rest = time.monotonic() - started
    assert 0.3 < first < 3 and rest < 0.2


def test_a_limit_of_zero_turns_limiting_off(redis_url: str) -> None:
    limiter = RedisRateLimiter(redis_url, 0, 60, "feedback")
    assert all(limiter.hit("192.0.2.1").allowed for _ in range(5))


def test_the_setting_chooses_where_limits_count(redis_url: str, tmp_path: Path) -> None:
    assert isinstance(counter({}, tmp_path / "x.sqlite3", 3), RateLimiter)
    assert isinstance(counter({"TOWNHALL_REDIS_URL": redis_url}, tmp_path / "x.sqlite3", 3), RedisRateLimiter)
    settings = {"TOWNHALL_AUDIO_CACHE": str(tmp_path), "TOWNHALL_SPEECH_RATE_LIMIT": "7",
                "TOWNHALL_SPEECH_CLIENT_SYNTHESES": "3", "TOWNHALL_SPEECH_SYNTHESES": "9",
                "TOWNHALL_REDIS_URL": redis_url}
    assert isinstance(SpeechLimit.from_settings(settings).limiter, RedisRateLimiter)
    syntheses = SynthesisLimit.from_settings(settings)
    # Per client across machines; for everyone on this machine (it guards this machine's CPU).
    assert isinstance(syntheses.per_client, RedisRateLimiter) and isinstance(syntheses.everyone, RateLimiter)


def test_processes_agree_on_a_new_salt_after_redis_forgets_it(redis_url: str, monkeypatch) -> None:
    """Redis keeps nothing on disk: after a restart every process must soon count a client under one key."""
    import townhall.speech.limits as limits

    old = RedisRateLimiter(redis_url, 2, 60, "track")
    assert old.hit("192.0.2.44").allowed
    redis.Redis.from_url(redis_url).flushall()  # Redis restarted: the counts and the salt are gone
    new = RedisRateLimiter(redis_url, 2, 60, "track")
    assert new.hit("192.0.2.44").allowed  # makes today's new salt
    monkeypatch.setattr(limits, "SALT_RECHECK_SECONDS", 0)  # as a minute later
    assert old.hit("192.0.2.44").count == 2  # the old process has taken up the new salt
    assert not new.hit("192.0.2.44").allowed
