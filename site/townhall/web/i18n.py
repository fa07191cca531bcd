"""Languages in the URL: English at /services/..., Welsh at /cy/services/....

A small WSGI wrapper moves a language prefix such as ``/cy`` from the path to
the script root. Flask then routes ``/cy/services/x`` exactly like
``/services/x``, and every ``url_for`` in a Welsh page keeps the ``/cy``
prefix by itself. Each page therefore has one address per language, which is
what ``hreflang`` alternates and the plain-link language switcher need, and
no cookie is used to remember the language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, request

LANGUAGE_KEY = "townhall.language"
BASE_SCRIPT_KEY = "townhall.base_script_name"

MAX_QUERY_IN_LINKS = 1000
MAX_RETURN_ADDRESS = 500  # web/preferences.py's safe_return_path takes no longer

# Each language's own name for itself, for the switcher.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}


class LanguagePrefixMiddleware:
    """Strip a leading /<lang> from PATH_INFO and remember which language it was."""

    def __init__(self, wsgi_app: Callable, languages: Iterable[str], default: str = "en"):
        self.wsgi_app = wsgi_app
        self.prefixed = {code for code in languages if code != default}
        self.default = default

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        path = environ.get("PATH_INFO", "") or "/"
        script = environ.get("SCRIPT_NAME", "")
        environ[BASE_SCRIPT_KEY] = script
        environ[LANGUAGE_KEY] = self.default
        first, _, rest = path.lstrip("/").partition("/")
        if first in self.prefixed:
            environ[LANGUAGE_KEY] = first
            environ["SCRIPT_NAME"] = f"{script}/{first}"
            environ["PATH_INFO"] = "/" + rest
        return self.wsgi_app(environ, start_response)


def install_language_prefixes(app: Flask) -> None:
    app.wsgi_app = LanguagePrefixMiddleware(app.wsgi_app, app.config["TOWNHALL_LANGUAGES"])  # type: ignore[method-assign]


def current_language() -> str:
    """The language of this request (the Babel locale selector)."""
    try:
        return request.environ.get(LANGUAGE_KEY, "en")
    except RuntimeError:  # outside a request, e.g. in a CLI command
        return "en"


def url_in_language(language: str) -> str:
    """This same page's address in another language, query string included."""
    base = request.environ.get(BASE_SCRIPT_KEY, "")
    prefix = "" if language == "en" else f"/{language}"
    query = request.query_string.decode("latin-1")
    if len(query) > MAX_QUERY_IN_LINKS:  # no real page needs more; a huge one must not bloat every link
        query = ""
    return f"{base}{prefix}{request.path}" + (f"?{query}" if query else "")


def canonical_url() -> str:
    """This page's own full address, in this language: the query string is left out, since the pages that take
    one (search, postcode answers) are tools whose answers belong to the resident who asked."""
    base = request.environ.get(BASE_SCRIPT_KEY, "")
    here = current_language()
    prefix = "" if here == current_app.config["TOWNHALL_LANGUAGES"][0] else f"/{here}"
    return request.host_url.rstrip("/") + base + prefix + request.path


def alternates() -> list[dict[str, str]]:
    """Every language version of this page: code, own name, address, and whether it is this one."""
    here = current_language()
    return [
        {"code": code, "name": LANGUAGE_NAMES.get(code, code), "url": url_in_language(code), "current": code == here,
         "absolute": request.host_url.rstrip("/") + url_in_language(code)}
        for code in current_app.config["TOWNHALL_LANGUAGES"]
    ]


def current_address(with_query: bool = True) -> str:
    """This page's address in its own language, with its query (a search, a postcode) when it is short
    enough to come back to (settings' `return_to` takes 500 characters at most)."""
    query = request.query_string.decode("latin-1") if with_query else ""
    address = request.script_root + request.path
    with_query = f"{address}?{query}" if query else address
    return with_query if len(with_query) <= MAX_RETURN_ADDRESS else address
