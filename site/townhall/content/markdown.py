"""Markdown to safe HTML for page bodies.

Raw HTML in Markdown is shown as text, never passed through: the content team
cannot break the page's accessibility or security by accident. Headings get
stable ids so that the speech feature, the contents list and links can point
at a section. The page title is the only h1, so a `#` heading in the body is
reported and shown as a second-level heading.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..text import slugify, unique_id
from .models import Heading


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    headings: tuple[Heading, ...]
    links: tuple[str, ...]  # every link target, for checking internal links
    warnings: tuple[str, ...]


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(["table", "replacements", "smartquotes"])


_PARSER = _parser()


def render_markdown(source: str) -> RenderedMarkdown:
    tokens = _PARSER.parse(source)
    headings: list[Heading] = []
    links: list[str] = []
    warnings: list[str] = []
    used_ids: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            _prepare_heading(token, tokens[index + 1], tokens[index + 2], headings, used_ids, warnings)
        elif token.type == "inline":
            links.extend(_links_in(token))
        elif token.type == "table_open":
            token.attrSet("class", "th-table")
        elif token.type == "th_open":
            token.attrSet("scope", "col")
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    return RenderedMarkdown(html, tuple(headings), tuple(links), tuple(warnings))


def _prepare_heading(
    token: Token, inline: Token, closing: Token, headings: list[Heading], used_ids: set[str], warnings: list[str]
) -> None:
    level = int(token.tag[1])
    if level == 1:
        warnings.append(
            f'The heading "{inline.content}" uses a single #. Use ## instead: the page title is the main heading'
        )
        level = 2
        token.tag = closing.tag = "h2"
    candidate = unique_id(slugify(inline.content, fallback="section"), used_ids)
    token.attrSet("id", candidate)
    headings.append(Heading(level, inline.content, candidate))


def _links_in(inline: Token) -> list[str]:
    return [child.attrGet("href") or "" for child in inline.children or [] if child.type == "link_open"]
