"""Putting the Listen controls into a finished page.

Section headings come from many templates and from Markdown, so the
per-section "Listen" controls are added to the page's finished HTML: each goes
just after its section's heading (``Section.anchor``, an index into the HTML
the script was built from), or at the start of ``<main>`` for a section with
no heading. The page bar's length is a marker the layout leaves in the bar,
replaced here once the script (and so the length) is known.

No Flask here: the web layer draws each control's markup and passes it in.
"""

from __future__ import annotations

from collections.abc import Callable

from .script import Section, SpeechScript

PAGE_DURATION_MARK = "<!--th-speech-page-duration-->"
BAR_START, BAR_END = "<!--th-speech-bar-->", "<!--/th-speech-bar-->"


def has_page_bar(html: str) -> bool:
    """True for a page drawn in the layout with the speech bar (whose length is still to fill in)."""
    return PAGE_DURATION_MARK in html


def splice_controls(html: str, script: SpeechScript, control: Callable[[Section], str], page_duration: str) -> str:
    """`html` with `control(section)` after each section's heading and the page's length in its bar."""
    insertions: list[tuple[int, str]] = []
    main_start = after_page_bar(html, script.main_start)
    for section in script.sections:
        position = section.anchor if section.anchor is not None else main_start
        if position is None:
            continue
        insertions.append((position, control(section)))
    for position, markup in sorted(insertions, key=lambda item: item[0], reverse=True):
        html = html[:position] + markup + html[position:]
    return fill_page_duration(html, page_duration)


def after_page_bar(html: str, position: int | None) -> int | None:
    """Where the start of <main> really is for a section control: after the page's own bar,
    which opens <main>, so the bar stays first."""
    if position is None:
        return None
    rest = html[position:]
    if rest.lstrip().startswith(BAR_START):
        end = html.find(BAR_END, position)
        if end >= 0:
            return end + len(BAR_END)
    return position


def fill_page_duration(html: str, text: str) -> str:
    return html.replace(PAGE_DURATION_MARK, text, 1)


def without_page_bar(html: str) -> str:
    """`html` without the page's speech bar: for a page that cannot be listened to (not a 200 answer)."""
    start = html.find(BAR_START)
    end = html.find(BAR_END, start)
    if start < 0 or end < 0:
        return html
    return html[:start] + html[end + len(BAR_END):]
