"""Reading the content team's files: text, YAML, Markdown with settings, folders of pages.

Every reader reports a problem with the file (and line, where there is one) in
plain words, and returns None instead of raising, so loading goes on and every
mistake is found in one run. Shared by the site loader and the directory.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from .fields import FieldReader
from .markdown import RenderedMarkdown, render_markdown
from .models import Category
from .problems import ProblemLog

TRANSLATION_NAME = re.compile(r"^(?P<slug>[^.]+)\.(?P<lang>[a-z]{2,3})\.md$")


def fingerprint(root: Path) -> str:
    """A hash of every content file's name and bytes: it changes when anything is edited."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- reading files -----------------------------------------------------------


def relative_path(root: Path, path: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def read_text(root: Path, path: Path, log: ProblemLog) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        log.add(relative_path(root, path), f"is not saved as UTF-8 text (problem at byte {error.start}). "
                "Save it again as UTF-8 in your editor")
    except OSError as error:
        log.add(relative_path(root, path), f"could not be read: {error.strerror}")
    return None


class ContentYamlLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a date which cannot exist (2026-13-45) stays as the text typed.

    The safe loader raises a bare ValueError for it, which names neither the file nor the field;
    kept as text, the field's own check says which field is wrong and how to write it.
    """


def _date_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


ContentYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)

# The settings block: a line of three dashes, the settings, another line of three dashes, then the text.
FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(?P<settings>.*?)^---[ \t]*(?:\r?\n|\Z)(?P<body>.*)", re.S | re.M)


def yaml_problem(root: Path, path: Path, error: yaml.YAMLError, log: ProblemLog, line_offset: int = 0) -> None:
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 + line_offset if mark is not None else None
    reason = getattr(error, "problem", None) or "the layout is not valid"
    log.add(relative_path(root, path), f"The settings at the top of the file could not be read ({reason}). "
            "Check the indentation and that every 'name: value' line has a colon and a space", line=line)


def read_yaml(root: Path, name: str, log: ProblemLog, required: bool = True) -> Any:
    path = root / name
    if not path.exists():
        if required:
            log.add(name, "is missing from the content folder")
        return None
    text = read_text(root, path, log)
    if text is None:
        return None
    try:
        return yaml.load(text, Loader=ContentYamlLoader)
    except yaml.YAMLError as error:
        yaml_problem(root, path, error, log)
        return None


def read_markdown(root: Path, path: Path, log: ProblemLog) -> frontmatter.Post | None:
    text = read_text(root, path, log)
    if text is None:
        return None
    if not text.lstrip("\ufeff").startswith("---"):
        log.add(relative_path(root, path), "should start with a line of three dashes (---), then the page's "
                "settings (title, summary...), then another line of three dashes", line=1)
        return None
    match = FRONT_MATTER.match(text.lstrip("\ufeff"))
    if match is None:
        log.add(relative_path(root, path), "The page's settings (title, summary...) should end with a line of three "
                "dashes (---) before the page's text begins. Add that line", line=1)
        return None
    try:
        settings = yaml.load(match["settings"], Loader=ContentYamlLoader)
    except yaml.YAMLError as error:
        yaml_problem(root, path, error, log, line_offset=1)
        return None
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        log.add(relative_path(root, path), "The settings at the top of the file should be 'name: value' lines "
                "(like 'title: Report a missed bin'), not a list", line=2)
        return None
    post = frontmatter.Post(match["body"].strip())  # settings named "content" or "handler" stay settings
    post.metadata.update({str(key): value for key, value in settings.items()})
    return post


def load_collection(
    root: Path, folder: str, log: ProblemLog, build: Callable[[str, str, frontmatter.Post, ProblemLog], Any]
) -> dict[str, Any]:
    items: dict[str, Any] = {}
    for path in sorted((root / folder).glob("*.md")):
        if TRANSLATION_NAME.match(path.name):
            continue
        relative = relative_path(root, path)
        slug = path.stem
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
            log.add(relative, "The file name should use only lowercase letters, numbers and hyphens, "
                    "and end in .md, like report-a-pothole.md")
            continue
        post = read_markdown(root, path, log)
        if post is None:
            continue
        before = len(log.problems)
        item = build(slug, relative, post, log)
        if item is not None and len(log.problems) == before:
            items[slug] = item
    return items



# --- pieces several files share ------------------------------------------------


def load_categories(root: Path, log: ProblemLog, name: str = "categories.yaml") -> dict[str, Category]:
    """Read a list of categories; the directory of other organisations has its own file."""
    data = read_yaml(root, name, log)
    if data is None:
        return {}
    if not isinstance(data, list):
        log.add(name, "should be a list, with each category starting with '- slug:'")
        return {}
    categories: dict[str, Category] = {}
    for number, entry in enumerate(data, start=1):
        reader = FieldReader(entry, name, log, prefix=f"category {number}.")
        reader.unknown({"slug", "title", "summary", "cy", "translations"})
        slug, title, summary = reader.slug("slug"), reader.text("title", max_length=60), reader.text("summary")
        translations = translations_of(reader, ("title", "summary"))
        if slug and title and summary:
            if slug in categories:
                reader.problem("slug", f'"{slug}" is used by two categories. Each needs its own')
            categories[slug] = Category(slug, title, summary, translations)
    return categories


def translations_of(reader: FieldReader, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Read inline translations written as `cy: {title: ..., summary: ...}`."""
    translations: dict[str, dict[str, str]] = {}
    for lang in ("cy",):
        if reader.has(lang):
            nested = reader.nested(lang)
            nested.unknown(fields)
            translations[lang] = {key: value for key in fields if (value := nested.text(key, required=False))}
    return translations


def read_body(content: str, path: str, log: ProblemLog) -> RenderedMarkdown:
    rendered = render_markdown(content)
    for warning in rendered.warnings:
        log.add(path, warning)
    if not content.strip():
        log.add(path, "has no text after the settings. Add the page's text below the second line of dashes")
    return rendered


