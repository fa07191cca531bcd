"""Step-by-step journeys (content/steps/): tasks that cross services, as numbered steps.

A journey is a Markdown file like a page: settings (title, summary, reviewed),
an introduction, then one ``## `` heading per step with what to do under it.
A step that is done as well as, or instead of, the one before starts its
heading with "And:" or "Or:" ("A:"/"Ac:" or "Neu:" in Welsh) and shares its
number, as GOV.UK's step-by-step navigation does. ``{area}`` anywhere in a
journey is the council's area from council.yaml ("Moving to or within {area}"),
so the same words serve any council.
"""

from __future__ import annotations

import re
from typing import Any

from ..text import slugify, unique_id
from .files import TRANSLATION_NAME, ContentSource, MarkdownFile, load_collection, parse_page, reader_for
from .markdown import render_markdown
from .models import Council, Journey, Step
from .problems import ProblemLog

FOLDER = "steps"
JOURNEY_FIELDS = {"title", "summary", "reviewed"}
TRANSLATED_FIELDS = {"title", "summary"}
MAX_STEPS = 12
# The words that start a step done as well as ("and") or instead of ("or") the one before.
LOGIC_WORDS = {"and": "and", "or": "or", "a": "and", "ac": "and", "neu": "or"}
_STEP_HEADING = re.compile(r"^## +(?P<title>.+?) *#* *$", re.M)
_FENCE = re.compile(r"^(```|~~~)", re.M)
_LOGIC = re.compile(r"^(?P<word>[A-Za-z]+) *: *(?P<rest>.+)$")
_SERVICE_LINK = re.compile(r"^/services/(?P<slug>[a-z0-9-]+)/?(?:[#?].*)?$")


def load_journeys(source: ContentSource, council: Council) -> dict[str, Journey]:
    return load_collection(source, FOLDER, lambda slug, path, post, log: _journey(
        slug, path, post, log, council, "en"))


def load_journey_translations(source: ContentSource, journeys: dict[str, Journey], council: Council,
                              languages: tuple[str, ...]) -> dict[tuple[str, str], Journey]:
    """Welsh (or other) versions: ``steps/<slug>.cy.md``, a whole journey in that language."""
    found: dict[tuple[str, str], Journey] = {}
    for relative in source.markdown_files(FOLDER):
        match = TRANSLATION_NAME.match(relative.rsplit("/", 1)[-1])
        if not match:
            continue
        slug, lang = match["slug"], match["lang"]
        if lang not in languages or lang == "en":
            source.log.add(relative, f'"{lang}" is not one of the site\'s languages ({", ".join(languages)})',
                           code="unknown-language")
            continue

        def parse(text: str, log: ProblemLog, relative: str = relative, slug: str = slug, lang: str = lang) -> Any:
            original = journeys.get(slug)
            if original is None:
                log.add(relative, f"is a translation of {FOLDER}/{slug}.md, which does not exist or is not "
                        "published because of its own problems. Fix that journey first", code="translation-of-missing")
                return None
            return parse_page(source, relative, text, log,
                              lambda post, log: _journey(slug, relative, post, log, council, lang, original))

        def place(item: Any, key: tuple[str, str] = (f"journey:{slug}", lang)) -> None:
            if item is None:
                found.pop(key, None)
            else:
                found[key] = item

        source.choose(relative, parse, place)
    return found


def _journey(slug: str, path: str, post: MarkdownFile, log: ProblemLog, council: Council, lang: str,
             original: Journey | None = None) -> Journey | None:
    reader = reader_for(post, path, log)
    reader.unknown(TRANSLATED_FIELDS if original else JOURNEY_FIELDS)
    area = council.area_in(lang)
    title = _fill(reader.text("title", max_length=70, required=original is None) or "", area)
    summary = _fill(reader.text("summary", max_length=200, required=original is None) or "", area)
    reviewed = original.reviewed if original else reader.date("reviewed")
    intro, parts = _split_steps(_fill(post.content, area))
    if not parts:
        log.add(path, "has no steps. Start each step with a heading: two # signs, a space and the step's name, "
                "like '## Register the death'")
        return None
    if len(parts) > MAX_STEPS:
        log.add(path, f"has {len(parts)} steps. Keep it to {MAX_STEPS} or fewer: split the journey in two")
    steps = _steps(parts, path, log)
    if not steps:
        return None
    if original is not None and len(steps) != len(original.steps):
        log.add(path, f"has {len(steps)} steps but the English version has {len(original.steps)}. A translation "
                "needs the same steps in the same order")
        return None
    rendered_intro = render_markdown(intro)
    for finding in rendered_intro.findings:
        log.add(path, finding.message, code=finding.code)
    return Journey(
        slug=slug,
        title=title or (original.title if original else ""),
        summary=summary or (original.summary if original else ""),
        reviewed=reviewed,  # type: ignore[arg-type]
        intro_html=rendered_intro.html,
        steps=tuple(steps),
        lang=lang,
        source=path,
    )


def _fill(text: str, area: str) -> str:
    return text.replace("{area}", area)


def _split_steps(source: str) -> tuple[str, list[tuple[str, str]]]:
    """(introduction, [(step heading, step text), ...]), ignoring headings inside fenced code."""
    fenced = _fenced_spans(source)
    cuts = [m for m in _STEP_HEADING.finditer(source) if not any(a <= m.start() < b for a, b in fenced)]
    if not cuts:
        return source.strip(), []
    intro = source[: cuts[0].start()].strip()
    parts = []
    for index, match in enumerate(cuts):
        end = cuts[index + 1].start() if index + 1 < len(cuts) else len(source)
        parts.append((match["title"].strip(), source[match.end():end].strip()))
    return intro, parts


def _fenced_spans(source: str) -> list[tuple[int, int]]:
    marks = [m.start() for m in _FENCE.finditer(source)]
    return [(marks[i], marks[i + 1]) for i in range(0, len(marks) - 1, 2)]


def _steps(parts: list[tuple[str, str]], path: str, log: ProblemLog) -> list[Step]:
    steps: list[Step] = []
    used: set[str] = set()
    number = 0
    for heading, text in parts:
        logic, title = _logic(heading)
        if logic and not steps:
            log.add(path, f'The first step "{heading}" starts with "{logic}". The first step needs a number: '
                    "remove the word and the colon")
            logic = ""
        if not logic:
            number += 1
        if not text:
            log.add(path, f'The step "{title}" has nothing under its heading. Say what to do, with links')
            continue
        body = render_markdown(text)
        for finding in body.findings:
            log.add(path, finding.message, code=finding.code)
        services = tuple(dict.fromkeys(m["slug"] for link in body.links if (m := _SERVICE_LINK.match(link.href))))
        step_id = unique_id(f"step-{slugify(title, fallback='step')}", used)
        steps.append(Step(number, title, step_id, body.html, logic, services))
    return steps


def _logic(heading: str) -> tuple[str, str]:
    match = _LOGIC.match(heading)
    if match and match["word"].lower() in LOGIC_WORDS:
        return LOGIC_WORDS[match["word"].lower()], match["rest"].strip()
    return "", heading
