"""Reading content/guides/<slug>.yaml into guides, with every mistake named by file, line and fix.

A guide file (see CONTENT.md, "Writing guided answers"):

    title: Can I get a Blue Badge?
    intro: Answer a few questions to find out.
    questions: [can I get a blue badge, disabled parking badge]   # residents' own words
    reviewed: 2026-12-01
    cy: {title: ..., intro: ..., questions: [...]}
    start: where-you-live
    ask:
      where-you-live:
        text: Do you live in the district?
        hint: ...                                     # optional
        options:
          - {value: yes, label: "Yes", next: benefits, cy: {label: "Ydw"}}
          - {value: no, label: "No", next: apply-elsewhere}
        cy: {text: ..., hint: ...}
    outcomes:
      apply-elsewhere:
        title: Apply to the council where you live
        text: |
          Markdown, short.
        links:
          - {label: Apply for a Blue Badge, url: /services/apply-for-a-blue-badge, cy: {label: ...}}
        cy: {title: ..., text: ...}
    examples:
      - {answers: [no], outcome: apply-elsewhere}

Loading and checking go together: `load_guides` leaves out a guide with errors
(the check lists them), so a resident never meets a dead end.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ..content.fields import SLUG, FieldReader
from ..content.files import load_yaml, relative_path, repeated_settings, yaml_problem
from ..content.markdown import render_markdown
from ..content.problems import ProblemLog, has_errors
from .models import Example, Guide, GuideSet, Link, Option, Outcome, Question, Text
from .pages import content_pages
from .walk import check_guide

FOLDER = "guides"
GUIDE_FIELDS = {"title", "intro", "questions", "reviewed", "cy", "start", "ask", "outcomes", "examples"}
# Names the guide pages use in their addresses for themselves: a question may not be called these.
RESERVED = {"asked", "was", "lang", "page"}
MAX_TITLE, MAX_INTRO, MAX_QUESTION, MAX_HINT, MAX_LABEL, MAX_TEXT = 80, 300, 200, 250, 160, 1500
MAX_OPTIONS = 10
OUTCOME_PREFIX = re.compile(r"^outcome:")


def load_guides(content_dir: str | Path, known_page: Callable[[str], str | None] | None = None) -> GuideSet:
    """Every guide in `content_dir`/guides that passes its checks; `.problems` lists what is wrong in the rest.

    `known_page(url)` says what is wrong with a link (None when it goes to a page that exists); by default
    links are checked against the content folder's own pages and trusted-hosts.yaml.
    """
    root = Path(content_dir)
    checker = known_page or content_pages(root)
    found = GuideSet()
    folder = root / FOLDER
    if not folder.is_dir():
        return found
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        relative = relative_path(root, path)
        if path.suffix not in (".yaml", ".yml"):
            found.problems.append(_problem(relative, "is not a guide file. Guides are YAML files named like "
                                           "can-i-get-a-blue-badge.yaml", "file-name"))
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        digest.update(f"\0{relative}\0{text}".encode())
        guide, problems = read_guide(text, relative, path.stem)
        if guide is not None:
            problems += check_guide(guide, checker)
        found.problems += problems
        if guide is not None and not has_errors(problems):
            found.guides[guide.slug] = guide
    found.fingerprint = digest.hexdigest()[:16]
    return found


def _problem(path: str, message: str, code: str):
    log = ProblemLog()
    log.add(path, message, code=code)
    return log.problems[0]


def read_guide(text: str, path: str, slug: str) -> tuple[Guide | None, list]:
    """(the guide, or None when it cannot be read, and the problems in its text)."""
    log = ProblemLog()
    if not SLUG.match(slug):
        log.add(path, "The file name should use only lowercase letters, numbers and hyphens, like "
                "can-i-get-a-blue-badge.yaml", code="file-name")
        return None, log.problems
    try:
        data, lines = load_yaml(text)
    except yaml.YAMLError as error:
        return None, [yaml_problem(path, error)]
    for name, line in repeated_settings(text):
        log.add(path, f'The setting "{name}" is written twice; only the second would be used. Keep one of them',
                line=line, code="repeated-setting")
    reader = FieldReader(data, path, log, lines=lines)
    reader.unknown(GUIDE_FIELDS)
    welsh = reader.nested("cy") if reader.has("cy") else None
    if welsh is not None:
        welsh.unknown({"title", "intro", "questions"})
    title = _text(reader, welsh, "title", MAX_TITLE)
    intro = _text(reader, welsh, "intro", MAX_INTRO, required=False)
    phrasings = {"en": tuple(reader.text_list("questions", required=True))}
    if welsh is not None and welsh.has("questions"):
        phrasings["cy"] = tuple(welsh.text_list("questions"))
    reviewed = reader.date("reviewed")
    start = reader.slug("start") or ""
    steps = _questions(reader, log)
    outcomes = _outcomes(reader, log)
    examples = _examples(reader)
    if not title or not steps or not outcomes:
        if not reader.has("ask"):
            reader.problem("ask", "is missing. Add the questions, each with its options", code="missing-setting")
        if not reader.has("outcomes"):
            reader.problem("outcomes", "is missing. Add the outcomes the answers lead to", code="missing-setting")
        return None, log.problems
    guide = Guide(slug=slug, title_text=title, intro=intro or Text(""), phrasings=phrasings, start=start,
                  steps=steps, outcomes=outcomes, examples=examples, reviewed=reviewed, source=path, lines=lines)
    return guide, log.problems


def _text(reader: FieldReader, welsh: FieldReader | None, key: str, limit: int, required: bool = True) -> Text | None:
    english = reader.text(key, required=required, max_length=limit)
    if not english:
        return None
    return Text(english, (welsh.text(key, required=False, max_length=limit) or "") if welsh else "")


def _welsh(reader: FieldReader, fields: set[str]) -> FieldReader | None:
    if not reader.has("cy"):
        return None
    nested = reader.nested("cy")
    nested.unknown(fields)
    return nested


def _yes_no(value: Any, capital: bool = False) -> Any:
    """YAML reads a bare yes or no as true or false; in a guide they are the words themselves."""
    if isinstance(value, bool):
        word = "yes" if value else "no"
        return word.capitalize() if capital else word
    return value


def _mapping(reader: FieldReader, key: str, example: str) -> dict[str, Any]:
    value = reader.data.get(key)
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict):
        reader.problem(key, f"should be a list of named items, each name on its own line ending with a colon, "
                       f"like '  {example}:'")
        return {}
    return value


def _questions(reader: FieldReader, log: ProblemLog) -> dict[str, Question]:
    found: dict[str, Question] = {}
    for name, entry in _mapping(reader, "ask", "where-you-live").items():
        name = str(name)
        item = FieldReader(entry, reader.path, log, prefix=f"ask.{name}.", lines=reader.lines)
        if not SLUG.match(name) or name in RESERVED:
            item.problem(None, f'"{name}" cannot be a question\'s name. Use lowercase letters, numbers and hyphens'
                         + (f" (and not {', '.join(sorted(RESERVED))})" if name in RESERVED else ""))
            continue
        item.unknown({"text", "hint", "options", "cy"})
        welsh = _welsh(item, {"text", "hint"})
        text = _text(item, welsh, "text", MAX_QUESTION)
        hint = _text(item, welsh, "hint", MAX_HINT, required=False) or Text("")
        options = _options(item, log)
        if text:
            found[name] = Question(name, text, options, hint, reader.lines.get(f"ask.{name}"))
    return found


def _options(item: FieldReader, log: ProblemLog) -> tuple[Option, ...]:
    value = item.data.get("options")
    if value in (None, "", []):
        return ()  # reported by the walker as a dead end, with the question's name
    if not isinstance(value, list):
        item.problem("options", "should be a list, each option starting with '- value:'")
        return ()
    if len(value) > MAX_OPTIONS:
        item.problem("options", f"has {len(value)} options. Keep it to {MAX_OPTIONS} or fewer: split the question")
    options: list[Option] = []
    for number, entry in enumerate(value, start=1):
        if isinstance(entry, dict):
            entry = {key: _yes_no(entry[key], key == "label") for key in entry}
        option = FieldReader(entry, item.path, log, prefix=f"{item.prefix}options.{number}.", lines=item.lines)
        option.unknown({"value", "label", "next", "cy"})
        welsh = _welsh(option, {"label"})
        slug = option.slug("value")
        label = _text(option, welsh, "label", MAX_LABEL)
        target = OUTCOME_PREFIX.sub("", option.text("next") or "")
        if slug and any(known.value == slug for known in options):
            option.problem("value", f'"{slug}" is used by another option of this question. Each needs its own value')
            continue
        if slug and label and target:
            options.append(Option(slug, label, target))
    return tuple(options)


def _outcomes(reader: FieldReader, log: ProblemLog) -> dict[str, Outcome]:
    found: dict[str, Outcome] = {}
    for name, entry in _mapping(reader, "outcomes", "you-can-apply").items():
        name = str(name)
        item = FieldReader(entry, reader.path, log, prefix=f"outcomes.{name}.", lines=reader.lines)
        if not SLUG.match(name):
            item.problem(None, f'"{name}" cannot be an outcome\'s name. Use lowercase letters, numbers and hyphens')
            continue
        item.unknown({"title", "text", "links", "cy"})
        welsh = _welsh(item, {"title", "text"})
        title = _text(item, welsh, "title", MAX_TITLE)
        text = _text(item, welsh, "text", MAX_TEXT)
        if not (title and text):
            continue
        line = reader.lines.get(f"outcomes.{name}.text")
        english = _markdown(text.en, item, line)
        cymraeg = _markdown(text.cy, item, reader.lines.get(f"outcomes.{name}.cy.text")) if text.cy else None
        body_links = tuple(link.href for rendered in (english, cymraeg) if rendered for link in rendered.links
                           if link.href.startswith("/") or link.href.startswith("http"))
        html = Text(english.html, cymraeg.html if cymraeg else "")
        found[name] = Outcome(name, title, html, _links(item, log), reader.lines.get(f"outcomes.{name}"), body_links)
    return found


def _markdown(text: str, item: FieldReader, line: int | None):
    rendered = render_markdown(text, line_offset=line or 0)
    for finding in rendered.findings:
        item.log.add(item.path, finding.message, line=finding.line, code=finding.code)
    if re.search(r"<h[1-6]", rendered.html):
        item.problem("text", "has a heading in it. An outcome's text is short: the title is its heading, so write "
                     "paragraphs and lists only")
    return rendered


def _links(item: FieldReader, log: ProblemLog) -> tuple[Link, ...]:
    value = item.data.get("links")
    if value in (None, "", []):
        return ()
    if not isinstance(value, list):
        item.problem("links", "should be a list, each link starting with '- label:'")
        return ()
    links = []
    for number, entry in enumerate(value, start=1):
        link = FieldReader(entry, item.path, log, prefix=f"{item.prefix}links.{number}.", lines=item.lines)
        link.unknown({"label", "url", "cy"})
        welsh = _welsh(link, {"label"})
        label = _text(link, welsh, "label", MAX_LABEL)
        url = link.url("url", required=True)
        if label and url:
            links.append(Link(label, url))
    return tuple(links)


def _examples(reader: FieldReader) -> tuple[Example, ...]:
    value = reader.data.get("examples")
    if value in (None, "", []):
        return ()
    if not isinstance(value, list):
        reader.problem("examples", "should be a list, each example starting with '- answers:'")
        return ()
    examples = []
    for number, entry in enumerate(value, start=1):
        if isinstance(entry, dict) and isinstance(entry.get("answers"), list):
            entry = {**entry, "answers": [_yes_no(answer) for answer in entry["answers"]]}
        item = FieldReader(entry, reader.path, reader.log, prefix=f"examples.{number}.", lines=reader.lines)
        item.unknown({"answers", "outcome"})
        answers = tuple(item.text_list("answers"))
        outcome = OUTCOME_PREFIX.sub("", item.text("outcome") or "")
        if outcome:
            examples.append(Example(answers, outcome, reader.lines.get(f"examples.{number}")))
    return tuple(examples)
