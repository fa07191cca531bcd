"""The content the council's team edits: Markdown pages and YAML data, loaded and checked.

No Flask here: `load_site(folder)` returns a `Site` (with any problems found),
which the web layer and the search index both read.
"""

from .contacts import read_contact
from .files import fingerprint
from .loader import load_site
from .models import (
    Alert,
    AtoZEntry,
    BinChange,
    BinRules,
    Category,
    Charge,
    Contact,
    Council,
    Heading,
    Journey,
    LinkedSite,
    OnlineService,
    Page,
    Service,
    ServiceStatus,
    Site,
    Standard,
    Step,
    Timescale,
)
from .notices import timely_problems
from .problems import ContentInvalid, ContentProblem, ProblemLog

__all__ = [
    "Alert", "AtoZEntry", "BinChange", "BinRules", "Category", "Charge", "Contact", "Council", "ContentInvalid",
    "ContentProblem", "Heading", "Journey", "LinkedSite", "OnlineService", "Page", "ProblemLog", "Service",
    "ServiceStatus", "Site", "Standard", "Step", "Timescale", "fingerprint", "load_site", "read_contact",
    "timely_problems",
]
