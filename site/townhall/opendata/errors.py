"""Requests the open data API cannot meet, each a value with a status, a code and a plain message.

The web layer turns them, like every ``TownhallError``, into the site's API error
shape (``{"error": {"code", "status", "message"}}``) in one place. Messages are
templates marked with ``N_`` so the web layer can translate them first.
"""

from __future__ import annotations

from ..errors import TownhallError
from ..text import N_


class OpenDataError(TownhallError):
    """Base for every open data answer that is not a result."""

    status = 400
    code = "bad_request"
    template = N_("We could not understand that request.")


class BadParameter(OpenDataError):
    """A query parameter we support, given a value we cannot read."""

    status = 400
    code = "bad_parameter"
    template = N_("%(name)s cannot be “%(value)s”. %(hint)s")


class NotSupported(OpenDataError):
    """A parameter the standard lists that this directory cannot answer, said rather than ignored."""

    status = 400
    code = "not_supported"
    template = N_("This directory cannot filter by %(name)s: %(reason)s Leave %(name)s out and try again.")


class NotFound(OpenDataError):
    status = 404
    code = "not_found"
    template = N_("There is no %(kind)s with the id “%(id)s”. Ids are listed by %(listing)s.")


ERROR_CLASSES: tuple[type[OpenDataError], ...] = (BadParameter, NotSupported, NotFound)
