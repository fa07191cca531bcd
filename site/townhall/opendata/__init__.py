"""Open data that other systems accept: the directory as an Open Referral UK 3.0 API.

No Flask here. ``open_referral`` turns the directory of other organisations into
the UK profile's records; ``paging`` reads page numbers and filters from a plain
mapping of query parameters and cuts lists into the standard's pages; ``errors``
are the plain-English answers when a request cannot be met. The web layer
(``web/openreferral.py``) parses the request, calls one function here and sends JSON.
"""

from .errors import BadParameter, NotFound, NotSupported, OpenDataError
from .open_referral import API_META, PHONES, OpenReferral, ServiceFilters
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
    "PHONES",
    "page_of",
]
