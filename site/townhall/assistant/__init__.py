"""Ask Townhall: question understanding and the answer decision (answer, question back, not sure). No Flask.

- `passages`: headings and paragraphs of every page and directory entry, the pieces an answer quotes;
- `targets`: the questions pages say they answer (front matter `questions:`), and the extension point
  other capabilities (guided answers) use to add their own;
- `understanding`: what a question is about: its words, a postcode, the language;
- `intents`: questions about data the site holds (bin day, catchment, ward, nearest place, opening
  times, when will I hear back);
- `decide`: the `Assistant` and its confidence rule.
"""

from .decide import ANSWER, NOT_SURE, QUESTION, Assistant, Decision, Link, Option, PlaceContext
from .passages import Passage, site_passages
from .targets import QuestionTarget, page_targets

__all__ = [
    "ANSWER", "NOT_SURE", "QUESTION", "Assistant", "Decision", "Link", "Option", "Passage", "PlaceContext",
    "QuestionTarget", "page_targets", "site_passages",
]
