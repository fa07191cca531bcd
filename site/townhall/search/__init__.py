"""Search over everything a resident might be looking for: council services, other
organisations, general pages and facilities. No Flask here.

- `documents`: what gets indexed (`SearchDocument`) and how site content becomes documents;
- `synonyms`: the content team's synonym list (`content/search/synonyms.txt`);
- `query`: turning what a resident typed into a safe, expanded whoosh query;
- `index`: the schema, building an index into a temporary folder and swapping it in;
- `engine`: the read-only searcher the web layer calls.
"""

from .documents import SearchDocument, facility_documents, site_documents
from .engine import Hit, SearchEngine, SearchResults
from .index import (
    IndexInfo,
    build_index,
    current_index,
    ensure_index,
    index_fingerprint,
)

__all__ = [
    "Hit", "IndexInfo", "SearchDocument", "SearchEngine", "SearchResults", "build_index", "current_index",
    "ensure_index", "facility_documents", "index_fingerprint", "site_documents",
]
