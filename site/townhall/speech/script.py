"""The speech script: what to read aloud from a page, worked out from its rendered HTML.

Only the page's main content is read: ``<main id="main-content">`` (or the
first ``<main>``; a page without one is read from ``<body>`` without its
header, navigation and footer). The script is split into sections at the
page's section headings, so that each can be played alone, and each section
keeps a stable id: its heading's ``id`` attribute, or a slug of its text.
What comes before the first section heading (the title and introduction) is
the section ``introduction``.

What is read, and how
---------------------
* The ``h1`` is read as the page title; other headings are announced:
  "Heading: How to pay." Sections start at the highest heading level used
  under the title (usually ``h2``); deeper headings stay inside their section.
  A section with nothing under its heading is not a section of its own (the
  whole page still reads the heading).
* Paragraphs are read sentence by sentence; each sentence is one cue in the
  WebVTT track, so the page can highlight it while it is read.
* List items are read one by one; items of a numbered list (``ol``) with their
  number.
* Links are read by their text, never their address. A ``tel:`` link's text is
  read as a phone number, digit by digit in its groups.
* Tables: the caption is announced ("Table: Opening hours."), then each row with
  its headers: "Monday to Friday: 8:30am to 5pm." (row header + one cell) or
  "Item: Garden waste, Charge: 52 pounds." (column headers).
* Description lists (the contact block) are read as "Phone: 0 1 6 3 2, ...".
* Line breaks (``<br>``, as in addresses) become short pauses.
* Images are read by their ``alt`` text, announced as an image; empty ``alt`` is skipped.
* Phone numbers, times, money and "free" charges anywhere are read as people say
  them (see ``spoken.py``).

What is left out
----------------
``nav``, ``footer``, ``script``, ``style``, ``template``, ``noscript`` (the
script must not depend on whether JavaScript runs), forms and their controls
(``form``, ``button``, ``input``, ``select``, ``textarea``), embedded media
(``audio``, ``video``, ``iframe``, ``object``, ``svg``, ``canvas``), and any
element that is ``hidden``, ``aria-hidden="true"`` or marked ``data-speech="skip"``.

Text hidden only visually (the ``th-visually-hidden`` class and the like) **is**
read: it exists to give screen reader users context ("Change *your name*"),
and a listener needs that context too.

``data-speech-*`` conventions for templates
-------------------------------------------
``data-speech="skip"``
    Leave this element and everything in it out (speech controls, echoed
    search terms, decorative text).
``data-speech="read"``
    Read this element even where it would be left out by default (a form
    whose text matters, a ``footer`` inside an article that should be read).
``data-speech="first"``
    Read this element before everything else, even when it sits outside
    ``<main>`` (the site-wide alert banner under the header). Its headings are
    read as plain sentences, so they never start a section of their own.
``data-speech="phone"``
    Read the element's text as a phone number (``tel:`` links already are).
``data-speech-as="..."``
    Say this instead of the element's text (the text is still what is
    highlighted). For abbreviations that engines get wrong, for example.
``data-speech-echo="..."``
    This element repeats what the reader typed (their search words, their
    postcode): say these neutral words instead, and keep them as the cue's
    text too. Nothing a request supplied may reach the speech engine or the
    audio cache (its cues and metadata), so the site can never be made to say
    someone's own text, nor keep residents' words on disk. Templates mark echoes
    with the ``echo(value, neutral)`` template global.
``data-speech-section="id"`` with ``data-speech-title="..."``
    Start a new section here even without a heading (for pages whose parts
    have no headings), with this id and title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import pairwise

from ..text import slugify, unique_id
from .spoken import normalise, speak_phone
from .words import Words, words_for

# Most characters of spoken text one page may produce. Council pages are far
# shorter; this bounds the work any single page (or a crafted result page)
# can cause.
MAX_PAGE_CHARACTERS = 40_000

INTRODUCTION_ID = "introduction"

# Pauses added after an utterance, in milliseconds, on top of espeak-ng's own.
PAUSE_AFTER_HEADING = 350
PAUSE_AFTER_BLOCK = 150
PAUSE_AFTER_SENTENCE = 0

_SKIPPED_TAGS = {
    "nav", "footer", "script", "style", "template", "noscript", "form", "button", "input",
    "select", "textarea", "audio", "video", "iframe", "object", "embed", "svg", "canvas", "datalist",
    "dialog", "head", "title", "meta", "link",
}
_PAGE_CHROME = {"header", "nav", "footer"}  # left out when a page has no <main>
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "details", "div", "dl", "dt", "dd", "fieldset",
    "figcaption", "figure", "header", "hr", "li", "main", "ol", "p", "pre", "section", "summary",
    "ul", "h1", "h2", "h3", "h4", "h5", "h6", "legend", "body", "caption",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TABLE_PARTS = {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col"}
_VALID_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,80}$")

# Sentence ends: . ! ? (with closing quotes or brackets) then space then a capital,
# a digit or an opening quote. Abbreviations that end in a full stop are not ends.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(£A-Z0-9ÀÂÄÈÉÊËÎÏÔÖÙÛÜŴŶŸ])")
_ABBREVIATIONS = {"e.g.", "i.e.", "etc.", "mr.", "mrs.", "ms.", "dr.", "st.", "no.", "approx.", "ref.", "tel."}


@dataclass(frozen=True)
class Utterance:
    """One cue: what the page shows (for highlighting) and what the engine says, in which language."""

    display: str
    spoken: str
    pause_ms: int = 0
    lang: str = "en"


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    level: int  # 1 for the introduction (it starts with the page title)
    utterances: tuple[Utterance, ...]
    # Where, in the HTML the script was built from, the section's heading ends
    # (an index into the string): the web layer puts the section's "Listen"
    # control there. None when the section has no heading (then: start of <main>).
    anchor: int | None = None
    # The ids of the deeper headings inside the section (an h3 under this h2), so a link to one of
    # them (an Ask Townhall passage under an h3) can be read with the section that holds it.
    inner_ids: tuple[str, ...] = ()

    @property
    def words(self) -> int:
        return sum(len(u.spoken.split()) for u in self.utterances)


@dataclass(frozen=True)
class SpeechScript:
    """Everything a page says, in order, in sections."""

    title: str
    lang: str
    sections: tuple[Section, ...]
    # The whole page in document order, as a screen reader would read it. A
    # section's utterances need not be contiguous in it (see "Sections" above).
    utterances: tuple[Utterance, ...] = ()
    truncated: bool = False
    main_start: int | None = None  # index just after the <main ...> start tag, if any

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def section_holding(self, heading_id: str) -> Section | None:
        """The section a heading starts, or the section a deeper heading with this id sits in."""
        return self.section(heading_id) or next((s for s in self.sections if heading_id in s.inner_ids), None)

    @property
    def words(self) -> int:
        return sum(s.words for s in self.sections)

    def is_empty(self) -> bool:
        return not self.sections


# --- parsing ------------------------------------------------------------------


@dataclass
class _Segment:
    display: str
    spoken: str | None = None  # None: read the display text (normalised)
    lang: str = ""


@dataclass
class _Block:
    kind: str  # "title", "heading", "text", "item", "term", "row", "caption", "image", "section"
    segments: list[_Segment] = field(default_factory=list)
    level: int = 0
    id: str | None = None
    prefix: str = ""  # spoken before the text, e.g. a list item's number
    title: str = ""  # for "section" markers
    lead: int = 0  # how many segments came from a list number or a term ("Phone: ")
    container: int | None = None  # a heading's enclosing <section>/<article>/<aside>, by serial
    end: tuple[int, int] | None = None  # (line, column) of a heading's end tag in the source

    def display(self) -> str:
        return _collapse("".join(s.display for s in self.segments))


@dataclass
class _Cell:
    header: bool
    scope: str
    segments: list[_Segment] = field(default_factory=list)
    span: int = 1


@dataclass
class _Table:
    rows: list[tuple[bool, list[_Cell]]] = field(default_factory=list)  # (in thead, cells)
    caption: list[_Segment] = field(default_factory=list)
    in_head: bool = False
    row: list[_Cell] | None = None
    cell: _Cell | None = None
    in_caption: bool = False


@dataclass
class _Open:
    tag: str
    skipped: bool  # this element starts a skipped subtree
    capture: str | None = None  # "phone" or "as"
    speak_as: str | None = None
    lang: str = ""
    serial: int = 0


_SECTIONING = {"section", "article", "aside"}


class _ScriptParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.current: _Block | None = None
        self.stack: list[_Open] = []
        self.skip_depth = 0  # how many open elements start a skipped subtree
        self.lists: list[list] = []  # [ordered, counter]
        self.tables: list[_Table] = []
        self.capture: list[tuple[str, str | None, list[str]]] = []  # (kind, speak_as, texts)
        self.html_lang = ""
        self.main_lang = ""
        self.page_title = ""
        self.in_title = False
        self.main_depth: int | None = None  # stack depth of the <main> we read, once found
        self.main_done = False
        self.has_main = False
        self.fallback_blocks: list[_Block] = []  # blocks from <body>, for pages with no <main>
        self.chrome_depth = 0
        # A list item or description whose text is in a nested block (<li><p>...,
        # <dd><address>...): its number or term is carried to that block.
        self.carried: _Block | None = None
        self.serial = 0
        self.main_start: tuple[tuple[int, int], int] | None = None
        self.first_blocks: list[_Block] = []  # from elements marked data-speech="first"
        self.first_depth: int | None = None  # stack depth of the data-speech="first" element we are in

    # where text goes ---------------------------------------------------------

    @property
    def reading(self) -> bool:
        if self.skip_depth:
            return False
        if self.main_depth is not None or self.first_depth is not None:
            return True
        return not self.main_done and not self.chrome_depth

    def _target_blocks(self) -> list[_Block]:
        if self.first_depth is not None:
            return self.first_blocks
        return self.blocks if self.main_depth is not None else self.fallback_blocks

    def _flush(self) -> None:
        block, self.current = self.current, None
        if block is None:
            return
        own = block.segments[block.lead:]
        if block.kind == "item" and (block.lead or block.prefix) and not _has_text(own):
            self.carried = block  # nothing of its own yet: its text is in a nested block
            return
        if block.kind == "section" or _has_text(block.segments):
            self._target_blocks().append(block)

    def _drop_carried(self) -> None:
        """At the end of an item whose nested blocks never came: read what it has."""
        if self.carried is not None:
            block, self.carried = self.carried, None
            if _has_text(block.segments):
                self._target_blocks().append(block)

    def _new_block(self, kind: str, **values: object) -> _Block:
        block = _Block(kind, **values)  # type: ignore[arg-type]
        if self.carried is not None and kind in ("text", "item"):
            carried, self.carried = self.carried, None
            block.kind, block.prefix = "item", carried.prefix
            block.segments = [*carried.segments, *block.segments]
            block.lead = len(block.segments)
        return block

    def _start(self, kind: str, **values: object) -> _Block:
        self._flush()
        if kind == "item":
            self._drop_carried()
        self.current = self._new_block(kind, **values)
        return self.current

    def _add(self, segment: _Segment) -> None:
        segment.lang = segment.lang or self.language
        if self.capture:
            self.capture[-1][2].append(segment.display)
            return
        table = self.tables[-1] if self.tables else None
        if table is not None and table.in_caption:
            table.caption.append(segment)
            return
        if table is not None and table.cell is not None:
            table.cell.segments.append(segment)
            return
        if self.current is None:
            if not segment.display.strip() and segment.spoken is None:
                return  # whitespace between blocks
            self.current = self._new_block("text")
        self.current.segments.append(segment)

    # parser callbacks --------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        if tag == "html":
            self.html_lang = values.get("lang", "")
        if tag == "title" and not self.page_title:
            self.in_title = True
        speech = values.get("data-speech", "").strip().lower()
        skipped = self._skips(tag, values, speech)
        if tag == "main" and self.main_depth is None and not self.main_done and not self.skip_depth:
            if not self.has_main or values.get("id") == "main-content":
                self._flush()
                self.blocks = []
                self.has_main = True
                self.main_depth = len(self.stack)
                self.main_lang = values.get("lang", "")
                self.main_start = (self.getpos(), len(self.get_starttag_text() or ""))
        if tag in _PAGE_CHROME and self.main_depth is None:
            self.chrome_depth += 1
        if speech == "first" and self.first_depth is None and not skipped and not self.skip_depth:
            self._flush()
            self.first_depth = len(self.stack)
        if tag in _VOID:
            if self.reading and not skipped:
                self._void(tag, values)
            return
        self.serial += 1
        entry = _Open(tag, skipped, lang=values.get("lang", "").strip(), serial=self.serial)
        self.stack.append(entry)
        if skipped:
            self.skip_depth += 1
            return
        if not self.reading:
            return
        self._open(tag, values, speech, entry)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.handle_starttag(tag, attrs)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _VOID:
            return
        # Close up to the matching open element; ignore stray end tags.
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index].tag == tag:
                break
        else:
            return
        while len(self.stack) > index:
            entry = self.stack.pop()
            if entry.skipped:
                self.skip_depth -= 1
            elif self.reading:
                self._close(entry)
                if entry.tag in _SECTIONING:
                    self._flush()
                    self._target_blocks().append(_Block("resume", container=entry.serial))
            if entry.tag in _PAGE_CHROME and self.main_depth is None and self.chrome_depth:
                self.chrome_depth -= 1
            if self.main_depth is not None and len(self.stack) == self.main_depth:
                self._flush()
                self.main_depth = None
                self.main_done = True
            if self.first_depth is not None and len(self.stack) == self.first_depth:
                self._flush()
                self.first_depth = None

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page_title += data
        if self.reading and data:
            self._add(_Segment(data))

    # element handling ------------------------------------------------------

    def _skips(self, tag: str, values: dict[str, str], speech: str) -> bool:
        if speech == "skip" or "hidden" in values or values.get("aria-hidden", "").lower() == "true":
            return True
        if speech == "read":
            return False
        return tag in _SKIPPED_TAGS

    def _void(self, tag: str, values: dict[str, str]) -> None:
        if tag == "br":
            self._add(_Segment(" ", ", "))
        elif tag == "hr":
            self._flush()
        elif tag == "img":
            alt = _collapse(values.get("alt", ""))
            if alt:
                words = words_for(self.language)
                if self.current is not None and self.current.display():
                    self._add(_Segment("", alt))  # an image inside text: say its text in place
                else:
                    self._start("image", segments=[_Segment("", f"{words.image}: {alt}")])
                    self._flush()

    def _open(self, tag: str, values: dict[str, str], speech: str, entry: _Open) -> None:
        if "data-speech-section" in values:
            section_id = values["data-speech-section"]
            self._start("section", id=section_id, title=values.get("data-speech-title", ""))
            self._flush()
        if tag in _TABLE_PARTS:
            self._table_open(tag, values)
        elif tag in _HEADINGS and self.first_depth is not None:
            self._start("text")  # read first, as a sentence: it must not start a section of the page
        elif tag in _HEADINGS:
            level = int(tag[1])
            container = next((e.serial for e in reversed(self.stack[:-1]) if e.tag in _SECTIONING), None)
            self._start(
                "title" if level == 1 else "heading", level=level, id=values.get("id") or None, container=container
            )
        elif tag in ("ul", "ol"):
            self._flush()
            start = values.get("start", "1")
            self.lists.append([tag == "ol", int(start) - 1 if start.isascii() and start.isdigit() else 0])
        elif tag == "li":
            prefix = ""
            if self.lists and self.lists[-1][0]:
                self.lists[-1][1] += 1
                prefix = f"{self.lists[-1][1]}. "
            self._start("item", prefix=prefix)
        elif tag == "dt":
            self._start("term")
        elif tag == "dd":
            previous = self.current if self.current and self.current.kind == "term" else None
            if previous is None and self._target_blocks() and self._target_blocks()[-1].kind == "term":
                previous = self._target_blocks().pop()
            self.current = None
            self._flush()
            self._drop_carried()
            if previous is not None:
                # "Phone: 0 1 6 3 2 ...": the term and its first description as one cue.
                lead = [*previous.segments, _Segment(" ", ": ")]
                self.current = _Block("item", segments=lead, lead=len(lead))
            else:
                self._start("item")
        elif tag in _BLOCKS:
            self._flush()
        if tag == "a" and values.get("href", "").lower().startswith("tel:") or speech == "phone":
            entry.capture = "phone"
            self.capture.append(("phone", None, []))
        elif "data-speech-echo" in values:
            entry.capture = "echo"
            self.capture.append(("echo", values["data-speech-echo"], []))
        elif "data-speech-as" in values:
            entry.capture = "as"
            entry.speak_as = values["data-speech-as"]
            self.capture.append(("as", values["data-speech-as"], []))

    def _close(self, entry: _Open) -> None:
        tag = entry.tag
        if entry.capture and self.capture:
            kind, speak_as, texts = self.capture.pop()
            display = "".join(texts)
            if kind == "phone":
                spoken = speak_phone(display, words_for(self.language)) if display.strip() else ""
            elif kind == "echo":
                display = spoken = speak_as or ""  # what was typed is neither said nor kept
            else:
                spoken = speak_as or ""
            self._add(_Segment(display, spoken))
        if tag in _TABLE_PARTS:
            self._table_close(tag)
        elif tag in ("ul", "ol"):
            self._flush()
            self._drop_carried()
            if self.lists:
                self.lists.pop()
        elif tag in ("li", "dd"):
            self._flush()
            self._drop_carried()
        elif tag == "dt":
            if self.current is not None and self.current.kind == "term":
                block, self.current = self.current, None
                self._target_blocks().append(block)
        elif tag in _HEADINGS or tag in _BLOCKS:
            if tag in _HEADINGS and self.current is not None and self.current.kind in ("title", "heading"):
                self.current.end = self.getpos()
            self._flush()

    # tables ---------------------------------------------------------------

    def _table_open(self, tag: str, values: dict[str, str]) -> None:
        if tag == "table":
            self._flush()
            self.tables.append(_Table())
            return
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "caption":
            table.in_caption = True
        elif tag == "thead":
            table.in_head = True
        elif tag in ("tbody", "tfoot"):
            table.in_head = False
        elif tag == "tr":
            table.row = []
            table.rows.append((table.in_head, table.row))
        elif tag in ("td", "th"):
            if table.row is None:
                table.row = []
                table.rows.append((table.in_head, table.row))
            span = values.get("colspan", "1")
            table.cell = _Cell(tag == "th", values.get("scope", "").lower(), span=int(span) if span.isascii() and span.isdigit() else 1)
            table.row.append(table.cell)

    def _table_close(self, tag: str) -> None:
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "caption":
            table.in_caption = False
        elif tag in ("td", "th"):
            table.cell = None
        elif tag == "tr":
            table.row = None
        elif tag == "thead":
            table.in_head = False
        elif tag == "table":
            self.tables.pop()
            self._flush()
            self._target_blocks().extend(_table_blocks(table, words_for(self.language)))

    @property
    def page_language(self) -> str:
        return self.main_lang or self.html_lang or "en"

    @property
    def language(self) -> str:
        """The language of the text being read now: the nearest lang attribute."""
        return next((e.lang for e in reversed(self.stack) if e.lang), self.html_lang or "en")


def _table_blocks(table: _Table, words: Words) -> list[_Block]:
    """A table as cues: its caption, then each body row read with its headers."""
    blocks: list[_Block] = []
    caption = _collapse("".join(s.display for s in table.caption))
    blocks.append(
        _Block("caption", segments=[_Segment("", f"{words.table}: "), *table.caption] if caption
               else [_Segment("", f"{words.table}.")])
    )
    header_rows = [cells for in_head, cells in table.rows if in_head]
    body_rows = [cells for in_head, cells in table.rows if not in_head]
    if not header_rows and body_rows and all(cell.header for cell in body_rows[0]) and len(body_rows) > 1:
        header_rows, body_rows = [body_rows[0]], body_rows[1:]
    column_names: list[str] = []
    if header_rows:
        for cell in header_rows[-1]:
            column_names.extend([_spoken_text(cell.segments)] * cell.span)
    for cells in body_rows:
        if not cells:
            continue
        has_row_header = cells[0].header and cells[0].scope != "col"
        segments: list[_Segment] = []
        data_cells = cells[1:] if has_row_header else cells
        offset = cells[0].span if has_row_header else 0
        if has_row_header:
            segments.extend(cells[0].segments)
        named = len(data_cells) > 1 or not has_row_header
        for cell in data_cells:
            name = column_names[offset] if offset < len(column_names) else ""
            offset += cell.span
            if not _collapse("".join(s.display for s in cell.segments)) and not any(s.spoken for s in cell.segments):
                continue
            if segments:
                separator = ": " if has_row_header and cell is data_cells[0] and not named else ", "
                if has_row_header and cell is data_cells[0] and named:
                    separator = ". "
                segments.append(_Segment(" ", separator))
            if named and name:
                segments.append(_Segment("", f"{name}: "))
            segments.extend(cell.segments)
        blocks.append(_Block("row", segments=segments))
    return blocks


# --- from blocks to sections -------------------------------------------------


def _has_text(segments: Iterable[_Segment]) -> bool:
    return any(s.display.strip() or (s.spoken or "").strip() for s in segments)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _spoken_text(segments: Iterable[_Segment]) -> str:
    return _collapse("".join(s.display if s.spoken is None else s.spoken for s in segments))


def _sentence_cuts(display: str, protected: list[tuple[int, int]]) -> list[int]:
    cuts = []
    for match in _SENTENCE_END.finditer(display):
        start = match.start()
        word = display[:start].rsplit(None, 1)[-1].lower() if display[:start].strip() else ""
        if word in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.){2,}", word):
            continue
        if any(a < start < b for a, b in protected):
            continue
        cuts.append(match.end())
    return cuts


def _main_language(segments: Iterable[_Segment], default: str) -> str:
    """The language most of this text is in (a Welsh term with an English description...)."""
    counts: dict[str, int] = {}
    for segment in segments:
        size = len((segment.display or segment.spoken or "").strip())
        if size:
            code = _language_code(segment.lang or default)
            counts[code] = counts.get(code, 0) + size
    return max(counts, key=lambda code: counts[code]) if counts else default


def _language_code(lang: str) -> str:
    return (lang or "en").split("-")[0].lower()


def _utterances(block: _Block, page_lang: str) -> list[Utterance]:
    """Split a block into sentences, keeping display and spoken text side by side."""
    if block.kind in ("title", "heading", "row", "caption", "image"):
        lang = _main_language(block.segments, page_lang)
        display = block.display()
        spoken = normalise(_spoken_text(block.segments), lang)
        if not spoken:
            return []
        if block.kind == "heading":
            spoken = f"{words_for(lang).heading}: {spoken}"
        pause = PAUSE_AFTER_HEADING if block.kind in ("title", "heading", "caption") else PAUSE_AFTER_BLOCK
        return [Utterance(display, _end_sentence(spoken), pause, lang)]
    # Where each segment sits in the block's display text.
    display = "".join(s.display for s in block.segments)
    spans: list[tuple[int, int, _Segment]] = []
    position = 0
    for segment in block.segments:
        spans.append((position, position + len(segment.display), segment))
        position += len(segment.display)
    protected = [(a, b) for a, b, s in spans if s.spoken is not None]
    cuts = [0, *_sentence_cuts(display, protected), len(display)]
    result: list[Utterance] = []
    for first, (a, b) in enumerate(pairwise(cuts)):
        parts: list[str] = []
        chosen: list[_Segment] = []
        for start, end, segment in spans:
            if segment.spoken is None:
                if end > a and start < b:
                    parts.append(segment.display[max(a, start) - start : min(b, end) - start])
                    chosen.append(_Segment(parts[-1], None, segment.lang))
            elif a <= start < b or (start == end == b and b == len(display)):
                parts.append(segment.spoken)
                chosen.append(segment)
        lang = _main_language(chosen, page_lang)
        spoken = normalise("".join(parts), lang)
        shown = _collapse(display[a:b])
        if not spoken:
            continue
        if first == 0 and block.prefix:
            spoken = f"{block.prefix}{spoken}"
        result.append(Utterance(shown, spoken, PAUSE_AFTER_SENTENCE, lang))
    if result:
        last = result[-1]
        result[-1] = Utterance(last.display, last.spoken, PAUSE_AFTER_BLOCK, last.lang)
    return result


def _end_sentence(text: str) -> str:
    """Headings and table rows end with a full stop so the engine pauses after them."""
    return text if text[-1:] in ".!?:" else f"{text}."


def build_script(html: str, lang: str | None = None) -> SpeechScript:
    """The speech script of a rendered page.

    `lang` overrides the page's own ``lang`` (from ``<main>`` or ``<html>``);
    parts of the page marked with another ``lang`` are read in that language.
    """
    parser = _ScriptParser()
    parser.feed(html)
    parser.close()
    parser._flush()
    blocks = [block for block in parser.first_blocks if block.kind != "resume"]
    blocks += parser.blocks if parser.has_main else parser.fallback_blocks
    language = _language_code(lang or parser.page_language)
    title_block = next((b for b in blocks if b.kind == "title"), None)
    title = title_block.display() if title_block else _collapse(parser.page_title).split(" – ")[0]
    levels = [b.level for b in blocks if b.kind == "heading"]
    split_level = min(levels) if levels else 7

    lines = [0]
    for line in html.splitlines(keepends=True):
        lines.append(lines[-1] + len(line))

    def after_tag(position: tuple[int, int] | None) -> int | None:
        if position is None:
            return None
        index = lines[position[0] - 1] + position[1]
        close = html.find(">", index)
        return close + 1 if close >= 0 else None

    anchors: dict[str, int | None] = {}
    sections: dict[str, tuple[str, int, list[Utterance]]] = {}
    order: list[Utterance] = []
    used: set[str] = {INTRODUCTION_ID}
    current: str | None = None
    flow: str | None = None  # the section the main flow of the page is in
    containers: dict[str, int | None] = {}  # section id -> the <section> element it started in
    said: set[str] = set()  # sections that say something besides their own heading
    inner: dict[str, list[str]] = {}  # section id -> the ids of the deeper headings in it
    characters = 0
    truncated = False
    for block in blocks:
        if block.kind == "resume":
            # A <section> that held a section has ended: what follows belongs to
            # the page's main flow again (the introduction, or the last section
            # whose heading was not inside a <section>).
            if current is not None and containers.get(current) == block.container:
                current = flow
            continue
        starts = block.kind == "section" or (block.kind == "heading" and block.level <= split_level)
        if starts:
            heading = block.title if block.kind == "section" else block.display()
            wanted = block.id if block.id and _VALID_ID.match(block.id) else slugify(heading, fallback="section")
            current = unique_id(wanted, used)
            sections[current] = (heading, block.level or 2, [])
            anchors[current] = after_tag(block.end)
            containers[current] = block.container
            if block.container is None:
                flow = current
            if block.kind == "section":
                continue
        elif current is None:
            current = flow = INTRODUCTION_ID
            sections.setdefault(INTRODUCTION_ID, (title, 1, []))
            anchors[INTRODUCTION_ID] = after_tag(block.end) if block.kind == "title" else None
        own_heading = starts or block.kind == "title"
        if block.kind == "heading" and not starts and block.id:
            inner.setdefault(current, []).append(block.id)
        for utterance in _utterances(block, language):
            characters += len(utterance.spoken)
            if characters > MAX_PAGE_CHARACTERS:
                truncated = True
                break
            sections[current][2].append(utterance)
            order.append(utterance)
            if not own_heading:
                said.add(current)
        if truncated:
            notice = Utterance("", words_for(language).too_long, 0, language)
            sections[current][2].append(notice)
            order.append(notice)
            said.add(current)
            break
    if INTRODUCTION_ID in sections:  # the introduction comes first even when it continues later
        sections = {INTRODUCTION_ID: sections.pop(INTRODUCTION_ID), **sections}
    # A section that says nothing but its heading ("More information" before the headings of what
    # follows, a title with nothing under it) is not one to listen to on its own; the whole page still
    # reads its heading.
    built = tuple(
        Section(section_id, heading, level, tuple(utterances), anchors.get(section_id),
                tuple(inner.get(section_id, ())))
        for section_id, (heading, level, utterances) in sections.items()
        if utterances and section_id in said
    )
    main_start = None
    if parser.main_start is not None:
        (line, column), length = parser.main_start
        main_start = lines[line - 1] + column + length
    return SpeechScript(
        title=title, lang=language, sections=built, utterances=tuple(order), truncated=truncated, main_start=main_start
    )
