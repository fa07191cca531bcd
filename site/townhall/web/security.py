"""Response headers that keep readers safe and keep every request on our own host.

The Content Security Policy allows nothing from other hosts, no inline
script and no eval: the site makes no third-party requests, and a test checks
that in a real browser too.
"""

from __future__ import annotations

from flask import Flask, Response

from .common import is_api

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def install(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=(), interest-cohort=()")
    if is_api():
        headers.setdefault("Access-Control-Allow-Origin", "*")  # open data: anyone may read it from a browser
    if response.mimetype == "text/html":
        # The same address answers with a whole page or an htmx fragment. (Pages shaped by a cookie also
        # vary on it: see caching.py; pages that are the same for everyone must not, or no cache could keep them.)
        response.vary.add("HX-Request")
    return response
