"""Guided answers: short question-and-answer flows for decisions ("Can I get a Blue Badge?").

The content team writes each as content/guides/<slug>.yaml; `load_guides` reads and checks them
(every path reaches an outcome, no loops, no dead ends, links that work, examples that hold), and
`follow` takes a reader's answers to the next question or the outcome. No Flask here: the
pages are web/guides.py, and the digital assistant links to `Guide.url(lang)`.
"""

from __future__ import annotations

from .loader import FOLDER, load_guides, read_guide
from .models import Example, Guide, GuideSet, Link, Option, Outcome, Question, Text
from .pages import content_pages
from .walk import Walk, check_guide, follow, follow_path, path_count

__all__ = [
    "FOLDER", "Example", "Guide", "GuideSet", "Link", "Option", "Outcome", "Question", "Text", "Walk",
    "check_guide", "content_pages", "follow", "follow_path", "load_guides", "path_count", "read_guide",
]
