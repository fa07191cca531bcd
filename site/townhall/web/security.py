"""Response headers that keep readers safe and keep every request on our own host.

The Content Security Policy allows nothing from other hosts, no inline
script and no eval: the site makes no third-party requests, and a test checks
that in a real browser too.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface

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


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over HTTPS.

    Flask's own setting is fixed for the app; the demo runs on plain HTTP at
    127.0.0.1 and production behind HTTPS, and the cookie must work on both.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def install(app: Flask) -> None:
    # X-Forwarded-* from TOWNHALL_PROXY_COUNT proxies is believed in one place: townhall.trust_proxies.
    app.session_interface = SessionCookies()
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
