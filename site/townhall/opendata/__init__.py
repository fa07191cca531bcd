"""Open data that other systems accept: the directory as an Open Referral UK 3.0 API.

No Flask here. ``open_referral`` turns the directory of other organisations into
the UK profile's records; ``paging`` reads page numbers and filters from a plain
mapping of query parameters and cuts lists into the standard's pages; ``errors``
are the plain-English answers when a request cannot be met. The web layer
(``web/openreferral.py``) parses the request, calls one function here and sends JSON.
"""

from .errors import BadParameter, NotFound, NotSupported, OpenDataError
from .open_referral import (
    API_META,
    OpenReferral,
    ServiceFilters,
    phones_extension_name,
)
from .paging import Paging, page_of

__all__ = [
    "API_META",
    "BadParameter",
    "NotFound",
    "NotSupported",
    "OpenDataError",
    "OpenReferral",
    "Paging",
    "ServiceFilters",
    "page_of",
    "phones_extension_name",
]
