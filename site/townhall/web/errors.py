"""Kind error pages: say what went wrong and what the reader can do next.

Every HTTP error becomes a page (or, for htmx, a message block) in the site's
layout. The 500 page must never fail itself, so if even the layout cannot be
drawn it falls back to plain HTML with the phone number.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, redirect, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from .common import render

log = logging.getLogger(__name__)

FALLBACK_500 = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sorry, there is a problem with this website</title></head>
<body><main><h1>Sorry, there is a problem with this website</h1>
<p>Please try again in a few minutes.</p>
<p>If you need help now, call Customer Services on 01632 960000, Monday to Friday 8:30am to 5pm.</p>
<p><a href="/">Go to the home page</a></p></main></body></html>"""


def install(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)


def messages(code: int) -> tuple[str, str]:
    """(title, explanation) for an error code, in the reader's language."""
    known = {
        400: (_("Sorry, we could not understand that request"),
              _("Something in the address or the form was not in the form we expected. Go back and try again.")),
        404: (_("Page not found"),
              _("If you typed the web address, check it is correct. If you pasted the web address, "
                "check you copied the entire address.")),
        405: (_("Sorry, that did not work"),
              _("This page cannot be used that way. Go back to the page you were on and try again.")),
        413: (_("What you sent is too long"),
              _("The form you sent had much more in it than we expected. Go back, shorten what you typed "
                "and try again.")),
        429: (_("You have made a lot of requests"),
              _("Please wait a minute before you try again.")),
        500: (_("Sorry, there is a problem with this website"),
              _("Please try again in a few minutes.")),
        503: (_("Sorry, this service is not available right now"),
              _("Please try again in a few minutes.")),
    }
    return known.get(code, known[500] if code >= 500 else known[400])


API_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
             429: "too_many_requests", 500: "server_error", 503: "unavailable"}


def is_api() -> bool:
    """Whether this request is for the JSON API (/api/..., in any language): errors there are JSON too."""
    return request.path == "/api" or request.path.startswith("/api/")


def without_trailing_slash() -> str | None:
    """For a 404 on /services/x/, the address /services/x if that one exists."""
    path = request.path
    if len(path) < 2 or not path.endswith("/"):
        return None
    try:
        adapter = current_app.url_map.bind_to_environ(request.environ)
        adapter.match(path.rstrip("/"), method="GET")
    except Exception:  # NotFound, MethodNotAllowed, RequestRedirect: not a page we can send them to
        return None
    query = request.query_string.decode("latin-1")
    return request.script_root + path.rstrip("/") + (f"?{query}" if query else "")


def http_error(error: HTTPException):
    code = error.code or 500
    if code == 404 and (target := without_trailing_slash()):
        return redirect(target, code=308)
    if code >= 500:
        log.error("HTTP %s for %s", code, request.path)
    title, explanation = messages(code)
    # What the error itself says the client needs: Allow (405), Content-Range (416)...
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    if code in (429, 503):
        headers["Retry-After"] = "60"
    if is_api():
        response = jsonify({"error": {"code": API_CODES.get(code, "error"), "status": code,
                                     "message": f"{title}. {explanation}"}})
        headers["Access-Control-Allow-Origin"] = "*"  # open data: a web page elsewhere may read the error too
        return response, code, headers
    try:
        body = render("errors/error.html", block="error_message", code=code, title=title, explanation=explanation)
    except Exception:  # the error page must not fail
        log.exception("Could not draw the error page")
        return FALLBACK_500, code, {"Content-Type": "text/html; charset=utf-8"}
    return body, code, headers


def unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return http_error(error)
    log.exception("Unexpected error for %s", request.path)
    if current_app.config.get("PROPAGATE_EXCEPTIONS") and current_app.testing and current_app.config.get(
        "TOWNHALL_RAISE_ERRORS"
    ):
        raise error
    return http_error(InternalServerError())
