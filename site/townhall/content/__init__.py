"""The content the council's team edits: Markdown pages and YAML data, loaded and checked.

No Flask here: `load_site(folder)` returns a `Site` (with any problems found),
which the web layer and the search index both read.
"""

from .contacts import read_contact
from .files import fingerprint
from .loader import load_site
from .models import (
    Category,
    Charge,
    Contact,
    Council,
    Heading,
    Page,
    Service,
    Site,
    Standard,
    Timescale,
)
from .problems import ContentInvalid, ContentProblem, ProblemLog

__all__ = [
    "Category", "Charge", "Contact", "Council", "ContentInvalid", "ContentProblem", "Heading", "Page", "ProblemLog",
    "Service", "Site", "Standard", "Timescale", "fingerprint", "load_site", "read_contact",
]
