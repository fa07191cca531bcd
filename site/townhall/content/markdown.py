"""Markdown to safe HTML for page bodies, checking what would hurt a reader on the way.

The content team writes Markdown; what reaches residents must be accessible
and safe whatever was typed:

- The page title is the only level-1 heading, and headings go down one level
  at a time (screen reader users move around a page by its headings).
- Pictures need alt text that says what they show, and must be in the images
  folder; each is served in a few sizes (see images.py).
- Tables need a header row; a "table" whose line of dashes is missing is caught.
- Links to this site start with "/"; link targets and text are kept (with
  their line) for the link checks.
- HTML typed into a page is shown as text, except a short list of harmless
  tags (ALLOWED_HTML) such as <abbr> for an abbreviation or <span lang="cy">
  for a Welsh phrase. The whole body is finally passed through an HTML
  sanitiser (nh3) allowing only what this renderer itself writes.

Every finding has a code and the line in the file (``line_offset`` is where the
body starts in its file), so the content check can say exactly where to look.
Headings get stable ids so that the speech feature, the contents list and
links can point at a section.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..text import slugify, unique_id
from .images import ImageProblem, ImageVariants, image_name
from .models import Heading

# Tags a page may use, with the attributes each may have.
ALLOWED_HTML: dict[str, set[str]] = {
    "abbr": {"title"}, "span": {"lang"}, "br": set(), "sup": set(), "sub": set(), "kbd": set(),
}
# What this renderer writes (the final sanitiser allows these and nothing else).
_OUR_TAGS = {
    "p": set(), "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"}, "ul": set(), "ol": {"start"},
    "li": set(), "a": {"href"}, "strong": set(), "em": set(), "code": set(), "pre": set(), "blockquote": set(),
    "table": {"class"}, "thead": set(), "tbody": set(), "tr": set(), "th": {"scope"}, "td": set(), "hr": set(),
    "figure": {"class"}, "figcaption": set(), "picture": set(), "source": {"type", "srcset", "sizes"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding"},
}
SAFE_TAGS = {tag: attrs | ALLOWED_HTML.get(tag, set()) for tag, attrs in {**_OUR_TAGS, **ALLOWED_HTML}.items()}
# Alt text that says nothing about the picture.
USELESS_ALT = {"image", "picture", "photo", "photograph", "img", "pic", "graphic", "icon", "logo", "alt", "screenshot",
               "an image", "a picture", "a photo", "image of", "picture of", "photo of"}
IMAGE_SIZES = "(min-width: 48em) 40em, 100vw"
_TAG = re.compile(r"^<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>$")
_ATTRIBUTE = re.compile(r"([^\s=>/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")
_SCHEMES = ("http://", "https://", "mailto:", "tel:")
BROKEN_LINK = re.compile(r"(?<!!)\[[^\]\n]+\]\s+\((?:/|https?://|#|mailto:)[^)\s]*\)")
BROKEN_PICTURE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\s[^)\n]*\)")
PLACEHOLDER = re.compile(r"\b(?:TODO|FIXME|XXX+|lorem ipsum|dolor sit amet)\b|\[insert\b", re.IGNORECASE)

ImageLookup = Callable[[str], ImageVariants]


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    line: int | None


@dataclass(frozen=True)
class Finding:
    """Something wrong in the Markdown: a code for machines, a plain message, the line in the file."""

    code: str
    message: str
    line: int | None


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]  # every link, for checking internal links, anchors and link text
    findings: tuple[Finding, ...]  # errors in the Markdown itself
    prose: tuple[tuple[int | None, str], ...] = ()  # (line, plain text) of each paragraph, item, heading, cell
    images: tuple[str, ...] = ()  # the pictures it shows (names in content/images)

    @property
    def warnings(self) -> tuple[str, ...]:
        """The findings' messages (older callers)."""
        return tuple(finding.message for finding in self.findings)


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "typographer": True}).enable(["table", "replacements", "smartquotes"])


_PARSER = _parser()


class _Render:
    """One rendering: walks the tokens once, checking and adjusting them, then renders."""

    def __init__(self, source: str, line_offset: int, images: ImageLookup | None):
        self.source = source
        self.offset = line_offset
        self.images = images
        self.headings: list[Heading] = []
        self.links: list[Link] = []
        self.findings: list[Finding] = []
        self.prose: list[tuple[int | None, str]] = []
        self.pictures: list[str] = []
        self.used_ids: set[str] = set()
        self.level = 1  # the page title

    def line(self, token: Token | None, extra: int = 0) -> int | None:
        if token is None or token.map is None:
            return None
        return self.offset + token.map[0] + 1 + extra

    def find(self, code: str, message: str, line: int | None) -> None:
        self.findings.append(Finding(code, message, line))

    def run(self) -> RenderedMarkdown:
        tokens = _PARSER.parse(self.source)
        for index, token in enumerate(tokens):
            if token.type == "heading_open":
                self.heading(token, tokens[index + 1], tokens[index + 2])
            elif token.type == "inline":
                self.inline(token, tokens[index - 1] if index else None, tokens[index + 1] if index + 1 < len(tokens) else None)
            elif token.type == "table_open":
                token.attrSet("class", "th-table")
                self.table(tokens, index)
            elif token.type == "th_open":
                token.attrSet("scope", "col")
            elif token.type == "html_block":
                self.html_block(token)
        html_text = _PARSER.renderer.render(tokens, _PARSER.options, {})
        safe = nh3.clean(html_text, tags=set(SAFE_TAGS), attributes=SAFE_TAGS, link_rel=None,
                         url_schemes={"http", "https", "mailto", "tel"}, strip_comments=True)
        return RenderedMarkdown(safe, tuple(self.headings), tuple(self.links), tuple(self.findings),
                                tuple(self.prose), tuple(self.pictures))

    # --- headings ----------------------------------------------------------------------------------
    def heading(self, token: Token, inline: Token, closing: Token) -> None:
        level = int(token.tag[1])
        text = inline.content.strip()
        line = self.line(token)
        if not text:
            self.find("empty-heading", "There is a heading with no words after the # signs. Write the heading, "
                      "or remove the # signs", line)
        if level == 1:
            self.find("second-h1", f'The heading "{text}" starts with a single #, which makes it a second main '
                      "heading: the page title is the only one. Use ## instead", line)
            level = 2
            token.tag = closing.tag = "h2"
        elif level > self.level + 1:
            self.find("heading-skip", f'The heading "{text}" ({"#" * level}) skips a level: the heading before it is '
                      f'{"the page title (#)" if self.level == 1 else "#" * self.level}. Use '
                      f'{"#" * (self.level + 1)} instead, so people using screen readers can follow the page', line)
        self.level = level
        candidate = unique_id(slugify(text, fallback="section"), self.used_ids)
        token.attrSet("id", candidate)
        self.headings.append(Heading(level, text, candidate))

    # --- inline content: links, pictures, HTML ---------------------------------------------------
    def inline(self, token: Token, before: Token | None, after: Token | None) -> None:
        children = token.children or []
        breaks = 0
        link: tuple[str, list[str], int | None] | None = None
        plain: list[str] = []
        only_image = (before is not None and before.type == "paragraph_open"
                      and [c.type for c in children if not (c.type == "text" and not c.content.strip())] == ["image"])
        for child in children:
            line = self.line(token, breaks)
            if child.type in ("softbreak", "hardbreak"):
                breaks += 1
                plain.append(" ")
            elif child.type == "link_open":
                link = (child.attrGet("href") or "", [], line)
                self.check_href(child.attrGet("href") or "", line)
            elif child.type == "link_close" and link:
                self.links.append(Link(link[0], "".join(link[1]).strip(), link[2]))
                if not "".join(link[1]).strip():
                    self.find("link-no-text", f'The link to "{link[0]}" has no words in its square brackets, so '
                              "people using screen readers hear nothing. Write where it goes, like "
                              "[Report a pothole](/services/report-a-pothole)", link[2])
                link = None
            elif child.type in ("text", "code_inline"):
                plain.append(child.content)
                if link:
                    link[1].append(child.content)
            elif child.type == "image":
                self.image(child, line, only_image)
                if link:
                    link[1].append(child.content)
            elif child.type == "html_inline":
                self.html_inline(child, line)
        text = "".join(plain).strip()
        if text:
            self.prose.append((self.line(token), text))
            if BROKEN_LINK.search(token.content):
                self.find("link-syntax", f'"{BROKEN_LINK.search(token.content)[0][:60]}" is meant to be a link, but '
                          "has a space between ] and (, so it shows as text. Remove the space", self.line(token))
            elif BROKEN_PICTURE.search(token.content) and "![" in text:
                self.find("image-syntax", f'"{BROKEN_PICTURE.search(token.content)[0][:60]}" is meant to be a '
                          "picture, but its file name has a space in it. Rename the file with hyphens instead of "
                          "spaces (like pothole-on-mill-lane.jpg), and write that name", self.line(token))
            placeholder = PLACEHOLDER.search(text)
            if placeholder:
                self.find("placeholder", f'"{placeholder[0]}" looks like a note or placeholder left in the page. '
                          "Replace it with the real text before publishing", self.line(token))
        if only_image and before is not None and after is not None:
            before.tag = after.tag = "figure"
            before.attrSet("class", "th-figure")
        elif before is not None and before.type == "paragraph_open" and children and all(
                _TABLE_LINE.match(line) for line in token.content.splitlines()):
            self.find("table-no-header", "This looks like a table, but it has no header row, so it is shown as "
                      "text. Under the first row (the column names), add a line like | --- | --- |", self.line(token))

    def check_href(self, href: str, line: int | None) -> None:
        if not href.strip():
            self.find("empty-link", "A link has no address in its brackets (). Add the address, like "
                      "(/services/report-a-pothole)", line)
        elif href.startswith(("/", "#")) or href.lower().startswith(_SCHEMES):
            return
        elif re.match(r"^(?:www\.|[a-z0-9-]+\.(?:gov\.uk|org\.uk|co\.uk|com|org|uk|nhs\.uk)\b)", href, re.IGNORECASE):
            self.find("link-no-scheme", f'The link to "{href}" needs https:// at the start, like https://{href}', line)
        elif "@" in href and " " not in href:
            self.find("link-no-scheme", f'The link to "{href}" looks like an email address. Write it as '
                      f"(mailto:{href})", line)
        else:
            self.find("link-no-slash", f'The link to "{href}" does not start with /, so it would lead to a page '
                      f'that does not exist. Write it as "/{href.lstrip("./")}" (pages on this site start with /)', line)

    def image(self, child: Token, line: int | None, alone: bool) -> None:
        src, alt = child.attrGet("src") or "", child.content.strip()
        caption = child.attrGet("title") or ""
        name = image_name(src)
        if not alt:
            self.find("image-no-alt", f'The picture "{src}" has no alt text. Between the square brackets, say what '
                      "the picture shows for people who cannot see it, like ![A pothole next to a drain](...)", line)
        elif alt.lower().strip(" .") in USELESS_ALT or (name and alt.lower() in (name.lower(), name.rsplit(".", 1)[0].lower())):
            self.find("image-bad-alt", f'The alt text "{alt}" does not say what the picture shows. Describe it, like '
                      '"A pothole next to a drain"', line)
        if not alone:
            self.find("image-in-text", f'The picture "{src}" is in the middle of a paragraph. Put it on a line of '
                      "its own, with an empty line before and after", line)
        if name is None:
            self.find("image-external", f'The picture "{src}" is on another website. Save it in the images folder '
                      "and use its file name, like ![...](pothole.jpg)", line)
            child.type, child.content = "text", ""
            return
        found = None
        if self.images is not None:
            try:
                found = self.images(name)
            except ImageProblem as problem:
                self.find("image-missing", str(problem), line)
        self.pictures.append(name)
        child.type = "html_inline"
        child.content = _picture(found, alt, caption) if found else f"<strong>{html.escape(alt or src)}</strong>"

    def html_inline(self, child: Token, line: int | None) -> None:
        raw = child.content
        if raw.startswith("<!--"):
            child.content = ""
            return
        safe = _allowed_tag(raw)
        if safe is None:
            self.find("raw-html", f"The HTML {_shorten(raw)} is not allowed in a page, so it is shown as text. "
                      f"Use Markdown instead (allowed HTML: {_allowed_list()})", line)
            child.type = "text"
        else:
            child.content = safe

    def html_block(self, token: Token) -> None:
        raw = token.content.strip()
        if re.fullmatch(r"<!--.*?-->", raw, re.DOTALL):
            token.content = ""
            return
        self.find("raw-html", f"The HTML {_shorten(raw)} is not allowed in a page, so it is shown as text. "
                  f"Use Markdown instead (allowed HTML: {_allowed_list()})", self.line(token))
        token.content = f"<p>{html.escape(raw)}</p>\n"

    # --- tables --------------------------------------------------------------------------------------
    def table(self, tokens: list[Token], index: int) -> None:
        headers = []
        for token in tokens[index:]:
            if token.type == "thead_close":
                break
            if token.type == "inline":
                headers.append(token.content.strip())
        if not any(headers):
            self.find("table-no-header", "The table's first row (its header row) is empty. Write a name for each "
                      "column in the first row, so people using screen readers know what each column holds",
                      self.line(tokens[index]))


def _picture(found: ImageVariants, alt: str, caption: str) -> str:
    """<picture> with WebP and fallback sources at every width, lazy-loaded, inside the figure."""
    webp = ", ".join(f"{v.webp_url} {v.width}w" for v in found.variants)
    fallback = ", ".join(f"{v.fallback_url} {v.width}w" for v in found.variants)
    shown = found.largest
    markup = (f'<picture><source type="image/webp" srcset="{webp}" sizes="{IMAGE_SIZES}">'
              f'<img src="{found.smallest.fallback_url}" srcset="{fallback}" sizes="{IMAGE_SIZES}" '
              f'alt="{html.escape(alt, quote=True)}" width="{shown.width}" height="{shown.height}" '
              f'loading="lazy" decoding="async"></picture>')
    if caption:
        markup += f"<figcaption>{html.escape(caption)}</figcaption>"
    return markup


def _allowed_tag(raw: str) -> str | None:
    """The tag rewritten with only its allowed attributes, or None when it is not allowed."""
    match = _TAG.match(raw.strip())
    if not match:
        return None
    closing, name, attributes = match[1], match[2].lower(), match[3] or ""
    if name not in ALLOWED_HTML:
        return None
    if closing:
        return f"</{name}>"
    kept = []
    for key, value in _ATTRIBUTE.findall(attributes):
        if key.lower() not in ALLOWED_HTML[name]:
            return None
        kept.append(f'{key.lower()}="{html.escape(value.strip(chr(34) + chr(39)), quote=True)}"')
    return f"<{' '.join([name, *kept])}>"


def _allowed_list() -> str:
    return ", ".join(f"<{tag}>" for tag in ALLOWED_HTML)


def _shorten(raw: str) -> str:
    one_line = " ".join(raw.split())
    return f'"{one_line[:60]}{"..." if len(one_line) > 60 else ""}"'


def render_markdown(source: str, line_offset: int = 0, images: ImageLookup | None = None) -> RenderedMarkdown:
    """Render a page body, with its headings, links, prose and every problem found (with lines).

    ``line_offset``: the number of lines before the body in its file. ``images`` finds a picture
    named in the page (None: pictures are not checked or resized, as in tests of other things).
    """
    return _Render(source, line_offset, images).run()
