"""Kind error pages: say what went wrong and what the reader can do next.

Every HTTP error becomes a page (or, for htmx, a message block) in the site's
layout. The 500 page must never fail itself, so if even the layout cannot be
drawn it falls back to plain HTML with the phone number.
"""

from __future__ import annotations

import logging
from datetime import date
from urllib.parse import quote, quote_from_bytes

from flask import Flask, current_app, jsonify, redirect, request
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import escape
from werkzeug.exceptions import BadHost, HTTPException, InternalServerError

from ..errors import TownhallError
from .common import content_site, is_api, render
from .templating import council_name

log = logging.getLogger(__name__)

PLAIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body><main><h1>{title}</h1>
<p>{explanation}</p>{help}
<p><a href="/">Go to the home page</a></p></main></body></html>"""


def plain_page(title: str = "Sorry, there is a problem with this website",
               explanation: str = "Please try again in a few minutes.") -> str:
    """An error page in plain HTML, for when the layout cannot be drawn: with the council's number
    when the content can give it."""
    help_line = ""
    try:
        contact = content_site().council.main_contact
        if contact and contact.phone:
            help_line = f"\n<p>If you need help now, call us on {escape(contact.phone)}.</p>"
    except Exception:  # noqa: BLE001 - this page is drawn when everything else has failed
        help_line = ""
    return PLAIN_PAGE.format(title=escape(title), explanation=escape(explanation), help=help_line)


def fallback_500() -> str:
    """The last-resort error page in plain HTML."""
    return plain_page()


def install(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(TownhallError, domain_error)
    app.register_error_handler(Exception, unexpected_error)


def error_message(error: TownhallError) -> str:
    """A domain error's message in the reader's language: the template translated, then
    filled in with words in that language too (the council's name, a month)."""
    council = content_site().council
    params = {**error.params, "council": council_name(), "example": council.example_postcode}
    if isinstance(params.get("withdrawn"), date):
        params["withdrawn"] = format_date(params["withdrawn"], "MMMM y")
    return _(error.template, **params)


def domain_error(error: TownhallError):
    """A domain error no view turned into its own answer: JSON under /api/, else the error page with its message."""
    headers = {"Retry-After": str(error.retry_after or 60)} if error.status in (429, 503) else {}
    message = error_message(error)
    if is_api():
        return jsonify({"error": {**error.as_dict(), "message": message}}), error.status, headers
    title, _explanation = messages(error.status)
    body = render("errors/error.html", block="error_message", code=error.status, title=title, explanation=message)
    return body, error.status, headers


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


PATH_SAFE = "/:@!$&'()*+,;=-._~"  # the path is decoded: a "%" in it is written %25
QUERY_SAFE = PATH_SAFE + "?%"  # the query string is as sent, already encoded
API_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 412: "precondition_failed",
             413: "too_large", 429: "too_many_requests", 500: "server_error", 503: "unavailable"}


def without_trailing_slash() -> str | None:
    """For a 404 on /services/x/, the address /services/x if that one exists."""
    path = request.path
    if len(path) < 2 or not path.endswith("/"):
        return None
    try:
        adapter = current_app.url_map.bind_to_environ(request.environ)
        adapter.match(path.rstrip("/"), method="GET")
    except Exception:  # noqa: BLE001 - NotFound, MethodNotAllowed, RequestRedirect: not a page to send them to
        return None
    # Percent-encoded: the path may hold anything a client sent (a carriage return, broken UTF-8), and a
    # Location header may not (werkzeug refuses a newline in a header, which was a 500).
    query = quote_from_bytes(request.query_string, safe=QUERY_SAFE)
    return request.script_root + quote(path.rstrip("/"), safe=PATH_SAFE) + (f"?{query}" if query else "")


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
    if isinstance(error, BadHost):
        # A Host header no address can be built from (3,000 characters, say): the layout's links cannot be
        # drawn either, so the kind page is plain. One short line in the log, not a traceback.
        log.info("Bad Host header (%d characters); answered 400", len(request.headers.get("Host", "")))
        return plain_page(title, explanation), code, {**headers, "Content-Type": "text/html; charset=utf-8"}
    try:
        body = render("errors/error.html", block="error_message", code=code, title=title, explanation=explanation)
    except Exception:  # the error page must not fail
        log.exception("Could not draw the error page")
        return fallback_500(), code, {"Content-Type": "text/html; charset=utf-8"}
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
