"""The access log's line: no query strings, nothing identifying in paths, no referrer, user agent or
address unless the council turns addresses on."""

from __future__ import annotations

import pytest

from townhall.serving import ACCESS_LOG_FORMAT, loggable_path, private_atoms


@pytest.mark.parametrize(
    ("path", "query", "logged"),
    [
        ("/search", "q=my+address", "/search?…"),
        ("/your-area", "postcode=BK1+1AA", "/your-area?…"),
        ("/services/report-a-missed-bin", "", "/services/report-a-missed-bin"),
        ("/api/postcodes/BK1 1AA", "", "/api/postcodes/…"),
        ("/cy/api/postcodes/BK1 1AA", "", "/cy/api/postcodes/…"),
        ("/track/ABC-123", "", "/track/…"),
        ("/listen", "page=/search%3Fq%3Dzebra", "/listen?…"),
        ("", "", "/"),
    ],
)
def test_paths_are_logged_without_personal_data(path: str, query: str, logged: str) -> None:
    assert loggable_path(path, query) == logged


def atoms() -> dict:
    return {"h": "203.0.113.9", "r": "GET /search?q=zebra HTTP/1.1", "m": "GET", "U": "/search", "q": "q=zebra",
            "H": "HTTP/1.1", "f": "https://example.org/?q=zebra", "a": "Zebra browser", "s": "200",
            "{cookie}i": "th_prefs=speech:on", "{query_string}e": "q=zebra", "{content-type}o": "text/html"}


def test_the_atoms_lose_query_strings_referrer_agent_and_address() -> None:
    cleaned = private_atoms(atoms(), log_addresses=False)
    assert cleaned["r"] == "GET /search?… HTTP/1.1" and cleaned["U"] == "/search?…" and cleaned["q"] == ""
    assert cleaned["f"] == "-" and cleaned["a"] == "-" and cleaned["h"] == "-"
    assert "{cookie}i" not in cleaned and "{query_string}e" not in cleaned
    assert cleaned["{content-type}o"] == "text/html"
    assert "zebra" not in repr(cleaned).lower()


def test_addresses_are_logged_only_when_the_council_turns_them_on() -> None:
    assert private_atoms(atoms(), log_addresses=True)["h"] == "203.0.113.9"


@pytest.fixture
def access_logger(tmp_path):
    """gunicorn's own logger (Townhall's private one), writing its access lines to a file."""
    from gunicorn.config import Config

    from townhall.serving import PrivateLogger

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = PrivateLogger(config)
    yield logger
    for handler in list(logger.access_log.handlers) + list(logger.error_log.handlers):
        handler.close()
        logger.access_log.removeHandler(handler)
        logger.error_log.removeHandler(handler)


def line(number: int) -> dict:
    return {"h": "-", "t": "[now]", "r": f"GET /page-{number} HTTP/1.1", "s": "200", "B": "10", "M": "1"}


def test_access_lines_are_written_in_order_by_their_own_thread(access_logger, tmp_path) -> None:
    lines = access_logger._lines()
    for number in range(500):
        lines.put(ACCESS_LOG_FORMAT, line(number))
    assert lines.flush()
    assert [text.split('"')[1] for text in written(tmp_path)] == [f"GET /page-{n} HTTP/1.1" for n in range(500)]
    assert access_logger._lines() is lines  # one writer per process


def test_a_backlog_of_access_lines_is_written_by_the_requests_themselves(access_logger, tmp_path) -> None:
    from townhall.serving import AccessLines

    lines = AccessLines(access_logger)
    lines.BACKLOG = 0  # the writer "has fallen behind": the line is written at once, on this thread
    lines.put(ACCESS_LOG_FORMAT, line(1))
    assert len(written(tmp_path)) == 1


def written(folder) -> list[str]:
    path = folder / "access.log"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_lines_go_to_a_plain_file_together_and_to_other_handlers_one_record_each(access_logger, tmp_path) -> None:
    import logging.handlers

    from townhall.serving import AccessLines

    records = logging.handlers.BufferingHandler(capacity=10_000)  # as syslog would: one record per line
    access_logger.access_log.addHandler(records)
    lines = AccessLines(access_logger)
    batch = [(ACCESS_LOG_FORMAT, line(number)) for number in range(3)]
    lines._write_batch(batch)
    assert [record.getMessage().split('"')[1] for record in records.buffer] == [f"GET /page-{n} HTTP/1.1"
                                                                              for n in range(3)]
    access_logger.access_log.removeHandler(records)
    records.buffer.clear()
    lines._write_batch(batch)  # only the file now: one write of three lines
    assert len(written(tmp_path)) == 6
    lines._write_batch([("%(nonsense", line(9))])  # a broken format is reported, not raised
