"""Question targets: residents' phrasings of a question, and the page that answers it.

This is the extension point for anything that answers questions: service pages list theirs in
front matter (`questions:`), and other capabilities (guided answers, for one) add targets of
their own the same way — a `QuestionTarget` with the phrasings, a title and the address of the
page that answers them. The assistant matches a question against every target's phrasings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..content.models import Site


@dataclass(frozen=True)
class QuestionTarget:
    phrasings: tuple[str, ...]  # residents' own words: "when do the bin men come"
    title: str  # what a link to the answer says
    url: str  # where the answer is (a path on this site, without the language prefix)
    lang: str = "en"
    ref: str = ""  # the page it belongs to ("service:x"), when it is a content page
    kind: str = "service"  # "service", "guide"...: how the answer is shown


def page_targets(site: Site) -> Iterator[QuestionTarget]:
    """The questions service pages and general pages say they answer, in every language they are written in."""
    translated = sorted(site.translations.items())
    for kind, items in (("service", site.services), ("page", site.pages)):
        for page in [*items.values(), *(item for (key, _lang), item in translated if key.startswith(f"{kind}:"))]:
            if page.questions:
                yield QuestionTarget(tuple(page.questions), page.title, page.url_path, page.lang,
                                     f"{kind}:{page.slug}", kind)
