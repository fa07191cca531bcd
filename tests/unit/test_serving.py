"""The access log's line: no query strings, nothing identifying in paths, no referrer, user agent or
address unless the council turns addresses on."""

from __future__ import annotations

import pytest

from townhall.serving import loggable_path, private_atoms


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
