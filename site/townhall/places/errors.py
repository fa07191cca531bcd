"""Answers that are not an area: each a value with a plain-English message and a status.

The web layer turns these into pages and JSON in one place. Messages are
templates (``%(postcode)s``) plus parameters so the web layer can translate the
template before filling it in; ``N_`` marks them for the message catalogue.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..errors import TownhallError
from ..text import N_

FIND_YOUR_COUNCIL = "https://www.gov.uk/find-local-council"
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


class PlacesError(TownhallError):
    """Base for every answer that is not a result. ``status`` is the HTTP status to use."""

    status = 400
    code = "places_error"
    template = N_("Something went wrong with that place.")


class NotAPostcode(PlacesError):
    status = 400
    code = "not_a_postcode"
    template = N_(
        "“%(typed)s” is not a postcode. A postcode has letters and numbers, "
        "then a space, then a number and two letters, like %(example)s."
    )
    EMPTY = N_("Enter a postcode, like %(example)s.")


class NotARealAddress(NotAPostcode):
    """A ZZ99 pseudo-postcode: some records use them for people with no fixed address. It looks
    like a postcode, so "not a postcode, it should look like this" would puzzle the reader."""

    status = 400
    code = "not_a_real_address"
    template = N_(
        "%(typed)s is not the postcode of a real address. Some records use postcodes starting "
        "ZZ99 for people with no fixed address. Enter the postcode of the address you want "
        "to know about, like %(example)s."
    )


class PostcodeNotFound(PlacesError):
    status = 404
    code = "postcode_not_found"
    template = N_(
        "We cannot find the postcode %(postcode)s. Check that it is typed correctly. "
        "A new postcode can take a few months to reach our records."
    )


class PostcodeTerminated(PlacesError):
    """``withdrawn`` is a ``date`` (the first of the month) or a year; the web layer puts
    it in words in the reader's language, ``message`` in English."""

    status = 410
    code = "postcode_terminated"
    template = N_(
        "The postcode %(postcode)s is no longer in use. It was withdrawn in %(withdrawn)s. "
        "Check the postcode on a recent letter, or try a neighbouring postcode."
    )

    @property
    def message(self) -> str:
        withdrawn = self.params.get("withdrawn")
        if isinstance(withdrawn, date):
            return self.template % {**self.params, "withdrawn": f"{_MONTHS[withdrawn.month - 1]} {withdrawn.year}"}
        return super().message


class OutsideArea(PlacesError):
    status = 404
    code = "outside_area"
    template = N_(
        "%(place)s is outside %(council)s’s area, so we cannot answer for it. "
        "Your own council can help."
    )
    # Where to send the reader: pages show it as a link, the API as a field of the error.
    find_council = FIND_YOUR_COUNCIL

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "find_council": self.find_council}


class NotALocation(PlacesError):
    status = 400
    code = "not_a_location"
    template = N_(
        "We could not read that location. Latitude must be between -90 and 90 "
        "and longitude between -180 and 180."
    )


class UnknownCategory(PlacesError):
    status = 404
    code = "unknown_category"
    template = N_("We do not have a list of “%(category)s”. Choose a type of place from the list.")


class UnknownLayer(PlacesError):
    status = 404
    code = "unknown_layer"
    template = N_("We do not publish an area layer called “%(layer)s”.")


class GeodataMissing(PlacesError):
    status = 503
    code = "geodata_missing"
    template = N_(
        "Postcode search is not available at the moment. Please try again later, "
        "or phone us."
    )


class NoCategory(PlacesError):
    status = 400
    code = "no_category"
    template = N_("Choose the type of place you want to find.")
