"""Keeping the header in step with an htmx answer.

A search or a postcode answer that htmx swaps in also changes the address (hx-push-url,
hx-replace-url), but the header was drawn for the page as it first loaded: its "Cymraeg" and
"Accessibility settings" links would lead to the empty page, and the reader would lose the answer.
So the header's settings and language links are sent again with every such answer, drawn for
its address, and htmx swaps them in out of band (the same macro draws them in the layout).
"""

from __future__ import annotations

from flask import Flask, Response, render_template_string, request

from .common import is_htmx

# The blueprints whose htmx answers become the page's address.
ANSWERS_WITH_AN_ADDRESS = frozenset({"search", "places"})
# Drawn with the page's context (the language versions of this address), as the layout draws them.
OUT_OF_BAND = ('{% from "components/navigation.html" import header_tools with context %}'
               '{{ header_tools(oob=true, with_query=with_query) }}')


def install(app: Flask) -> None:
    app.after_request(keep_header_links_in_step)


def keep_header_links_in_step(response: Response) -> Response:
    if (request.method != "GET" or request.blueprint not in ANSWERS_WITH_AN_ADDRESS or not is_htmx()
            or response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed):
        return response
    # An answer that is not a result (a mistyped postcode, an odd type of place) leads back to the
    # question, not to what was sent, which is never echoed.
    tools = render_template_string(OUT_OF_BAND, with_query=response.status_code == 200)
    response.set_data(response.get_data(as_text=True) + "\n" + tools)
    return response
