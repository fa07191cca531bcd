"""Reading the content team's files, and choosing which version of each to serve.

Every reader reports a problem with the file (and line, where there is one) in
plain words, and returns None instead of raising, so loading goes on and every
mistake is found in one run. Shared by the site loader and the directory.

`ContentSource` reads the folder and decides, file by file, which version is
served (see `choose`):

- the file as it is now, when it has no errors;
- otherwise its *last good version* (`lastgood.py`), when there is one: on the
  live site a slip never takes a page down;
- otherwise nothing ("left out"), except in preview, where the page is shown
  as far as it can be, with its problems listed above it ("draft").

Parsing is remembered by text (`ParseCache`), so reloading after one file
changed only parses that file again.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .fields import FieldReader
from .images import ImageLibrary
from .markdown import RenderedMarkdown, render_markdown
from .models import Category, FileStatus
from .problems import ContentProblem, ProblemLog, has_errors

TRANSLATION_NAME = re.compile(r"^(?P<slug>[^.]+)\.(?P<lang>[a-z]{2,3})\.md$")
TEXT_SUFFIXES = (".md", ".yaml", ".yml", ".txt")


def fingerprint(root: Path) -> str:
    """A hash of every content file's name and bytes: it changes when anything is edited."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    """(modified time, size) of every file in the content folder: cheap to take, to notice changes."""
    found: dict[str, tuple[int, int]] = {}

    def walk(folder: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, f"{prefix}{entry.name}/")
            elif entry.is_file():
                status = entry.stat()
                found[f"{prefix}{entry.name}"] = (status.st_mtime_ns, status.st_size)

    walk(str(root), "")
    return found


# --- reading files -----------------------------------------------------------


def relative_path(root: Path, path: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser: about ten times faster


class ContentYamlLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """YAML's safe loader, except that a date which cannot exist (2026-13-45) stays as the text typed.

    The safe loader raises a bare ValueError for it, which names neither the file nor the setting;
    kept as text, the setting's own check says which setting is wrong and how to write it.
    """


def _date_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


ContentYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)

# The settings block: a line of three dashes, the settings, another line of three dashes, then the text.
FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(?P<settings>.*?)^---[ \t]*(?:\r?\n|\Z)(?P<body>.*)", re.S | re.M)

# What YAML says, in words for someone who has never heard of YAML.
_YAML_REASONS = (
    ("mapping values are not allowed", "a line has a second colon (:) in its value. Put the value in quotes, "
     'like title: "Parking: permits"'),
    ("found character '\\t'", "a line starts with a tab. Use spaces to indent instead"),
    ("could not find expected ':'", "a line is missing the colon (:) after the setting's name"),
    ("did not find expected key", "the indentation (the spaces at the start of a line) does not line up"),
    ("expected <block end>", "the indentation (the spaces at the start of a line) does not line up"),
    ("found undefined alias", "a line has a * at the start of its value. Put the value in quotes"),
    ("did not find expected ',' or ']'", "a list in square brackets [ ] is not closed. End it with ]"),
    ("found unexpected end of stream", "a quote mark (\" or ') or a bracket is opened but never closed"),
    ("while scanning a quoted scalar", "a quote mark (\" or ') is opened but never closed"),
)


def yaml_problem(path: str, error: yaml.YAMLError, line_offset: int = 0) -> ContentProblem:
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 + line_offset if mark is not None else None
    raw = " ".join(str(getattr(error, part, "") or "") for part in ("context", "problem"))
    reason = next((words for key, words in _YAML_REASONS if key in raw), "the layout is not as expected")
    return ContentProblem(path, f"The settings could not be read: {reason}. Check the line named here and the "
                          "one above it: each setting is written 'name: value' with a space after the colon",
                          line=line, code="settings-unreadable")


def load_yaml(text: str, first_line: int = 1) -> tuple[Any, dict[str, int]]:
    """(data, line of each setting): one parse gives both. Raises yaml.YAMLError."""
    loader = ContentYamlLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return data, line_numbers(root, first_line)


def repeated_settings(root_text: str, first_line: int = 1) -> list[tuple[str, int]]:
    """(setting, line) of each setting written twice in one block: YAML silently keeps only the last."""
    try:
        root = yaml.compose(root_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    found: list[tuple[str, int]] = []

    def walk(node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = f"{prefix}{key.value}"
                if key.value in seen:
                    found.append((name, key.start_mark.line + first_line))
                seen.add(key.value)
                walk(value, f"{name}.")
        elif isinstance(node, yaml.SequenceNode):
            for number, item in enumerate(node.value, start=1):
                walk(item, f"{prefix}{number}.")

    if root is not None:
        walk(root, "")
    return found


def line_numbers(root: yaml.Node | None, first_line: int = 1) -> dict[str, int]:
    """The line each setting is on ("title", "contact.phone", "charges.1.amount"), counted from `first_line`."""
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{prefix}{key.value}"
                lines.setdefault(name, key.start_mark.line + first_line)
                walk(value, f"{name}.")
        elif isinstance(node, yaml.SequenceNode):
            for number, item in enumerate(node.value, start=1):
                lines.setdefault(f"{prefix}{number}", item.start_mark.line + first_line)
                walk(item, f"{prefix}{number}.")

    if root is not None:
        walk(root, "")
    return lines


@dataclass
class MarkdownFile:
    """A page file split into its settings and its text."""

    metadata: dict[str, Any]
    content: str  # the text below the settings
    body_line: int  # how many lines come before the text
    lines: dict[str, int]  # the line of each setting
    settings_ok: bool = True  # False: the settings could not be read (the text is still there, for preview)


@dataclass
class Parsed:
    """What parsing one text gave: the file (or None) and the problems, without a path (added when used)."""

    value: Any
    problems: tuple[tuple[str, int | None, str], ...]  # (message, line, code)


def parse_markdown(text: str) -> Parsed:
    problems: list[tuple[str, int | None, str]] = []
    stripped = text.lstrip("\ufeff")
    if not stripped.startswith("---"):
        problems.append(("should start with a line of three dashes (---), then the page's settings (title, "
                         "summary...), then another line of three dashes", 1, "no-settings"))
        return Parsed(None, tuple(problems))
    match = FRONT_MATTER.match(stripped)
    if match is None:
        problems.append(("The page's settings (title, summary...) should end with a line of three dashes (---) "
                         "before the page's text begins. Add that line", 1, "no-settings"))
        return Parsed(None, tuple(problems))
    raw_body = match["body"]
    before_body = stripped[: match.start("body")].count("\n")
    leading = raw_body[: len(raw_body) - len(raw_body.lstrip())].count("\n")
    body = raw_body.strip()
    try:
        settings, lines = load_yaml(match["settings"], 2)
    except yaml.YAMLError as error:
        problem = yaml_problem("", error, line_offset=1)
        problems.append((problem.message, problem.line, problem.code))
        return Parsed(MarkdownFile({}, body, before_body + leading, {}, settings_ok=False), tuple(problems))
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        problems.append(("The settings at the top of the file should be 'name: value' lines (like 'title: Report a "
                         "missed bin'), not a list", 2, "settings-unreadable"))
        return Parsed(MarkdownFile({}, body, before_body + leading, {}, settings_ok=False), tuple(problems))
    for name, line in repeated_settings(match["settings"], 2):
        problems.append((f'The setting "{name}" is written twice; only the second would be used. Keep one of them',
                         line, "repeated-setting"))
    metadata = {str(key): value for key, value in settings.items()}  # settings named "content" stay settings
    return Parsed(MarkdownFile(metadata, body, before_body + leading, lines), tuple(problems))


def parse_yaml(text: str) -> Parsed:
    try:
        data, lines = load_yaml(text)
    except yaml.YAMLError as error:
        problem = yaml_problem("", error)
        return Parsed(None, ((problem.message, problem.line, problem.code),))
    return Parsed((data, lines), ())


class ParseCache:
    """Parsing and rendering remembered by text, so a reload parses only what changed.

    Parsed settings are shared between loads: readers never change them.
    """

    def __init__(self, size: int = 20_000):
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()

    def get(self, key: tuple, make: Callable[[], Any]) -> Any:
        found = self._items.get(key)
        if found is None:
            found = self._items[key] = make()
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return found


# --- choosing a version of each file --------------------------------------------------------


@dataclass
class ContentSource:
    """The content folder as the site will serve it: one chosen version of each file.

    `last_good` (a `LastGood`, or None) holds the last version of each file
    that had no errors; `drafts` (preview) keeps pages with errors so they can be
    shown with their problems. What was chosen for each file is in `statuses`,
    and the text used in `used` (for the site's fingerprint and for remembering
    good versions).
    """

    root: Path
    log: ProblemLog = field(default_factory=ProblemLog)
    last_good: Any = None  # lastgood.LastGood
    drafts: bool = False
    images: ImageLibrary | None = None
    cache: ParseCache = field(default_factory=ParseCache)
    statuses: dict[str, FileStatus] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, RenderedMarkdown] = field(default_factory=dict)
    # Texts read, by path, with the (modified time, size) they were read at: shared between loads.
    texts: dict[str, tuple[tuple[int, int], str | None, tuple]] = field(default_factory=dict)
    _listings: dict[str, list[str]] = field(default_factory=dict)
    _current: dict[str, str] = field(default_factory=dict)
    _places: dict[str, tuple[Callable[[str, ProblemLog], Any], Callable[[Any], None]]] = field(default_factory=dict)
    images_stamp: str = ""

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        if self.images is not None:
            self.images_stamp = self.images.stamp()

    # -- reading ----------------------------------------------------------------------------------
    def exists(self, relative: str) -> bool:
        return os.path.isfile(os.path.join(self.root, relative))

    def markdown_files(self, folder: str) -> list[str]:
        """The Markdown files of a folder (translations included), as paths relative to the content folder."""
        found = self._listings.get(folder)
        if found is None:
            try:
                names = [entry.name for entry in os.scandir(os.path.join(self.root, folder))
                         if entry.name.endswith(".md") and not entry.name.startswith(".") and entry.is_file()]
            except OSError:
                names = []
            found = self._listings[folder] = [f"{folder}/{name}" for name in sorted(names)]
        return found

    def read(self, relative: str, log: ProblemLog) -> str | None:
        """The file's text as it is now (remembered while its time and size are unchanged)."""
        path = os.path.join(self.root, relative)
        try:
            status = os.stat(path)
        except OSError:
            return None
        stamp = (status.st_mtime_ns, status.st_size)
        known = self.texts.get(relative)
        if known is None or known[0] != stamp:
            known = (stamp, *_read(Path(path)))
            self.texts[relative] = known
        _stamp, text, problem = known
        if problem:
            log.add(relative, problem[0], code=problem[1])
        if text is not None:
            self._current[relative] = text
        return text

    def parse_markdown(self, text: str) -> Parsed:
        return self.cache.get(("md", text), lambda: parse_markdown(text))

    def parse_yaml(self, text: str) -> Parsed:
        return self.cache.get(("yaml", text), lambda: parse_yaml(text))

    def render(self, relative: str, body: str, line: int, log: ProblemLog) -> RenderedMarkdown:
        lookup = self.images.lookup if self.images is not None else None
        rendered = self.cache.get(("body", body, line, self.images_stamp),
                                  lambda: render_markdown(body, line, lookup))
        for finding in rendered.findings:
            log.add(relative, finding.message, line=finding.line, code=finding.code)
        if not body.strip():
            log.add(relative, "has no text after the settings. Add the page's text below the second line of dashes",
                    code="no-text")
        self.bodies[relative] = rendered
        return rendered

    # -- choosing ----------------------------------------------------------------------------------
    def choose(self, relative: str, parse: Callable[[str, ProblemLog], Any], place: Callable[[Any], None], *,
               partial: bool = False) -> Any:
        """Parse the file and `place` the version to serve (see the module's docstring); return it or None.

        `parse(text, log)` builds the item from a text, logging its problems. `partial`: when no version
        is good, serve what could be read of the current one (shared files: their good entries).
        """
        mark = self.log.mark()
        text = self.read(relative, self.log)
        item = parse(text, self.log) if text is not None else None
        problems = self.log.since(mark)
        self._places[relative] = (parse, place)
        if text is not None and not has_errors(problems):
            return self._serve(relative, text, item, "published", problems)
        older = self.last_good.get(relative) if self.last_good is not None else None
        if older is not None and older != text:
            scratch = ProblemLog()
            old_item = parse(older, scratch)
            if old_item is not None and not has_errors(scratch.problems, ignore_cross_file=True):
                return self._serve(relative, older, old_item, "last-good", problems)
        if (self.drafts or partial) and item is not None:
            return self._serve(relative, text or "", item, "draft" if self.drafts else "partial", problems)
        self.statuses[relative] = FileStatus(relative, "left-out", list(problems))
        return None

    def _serve(self, relative: str, text: str, item: Any, state: str, problems: list[ContentProblem]) -> Any:
        self.used[relative] = text
        self.statuses[relative] = FileStatus(relative, state, list(problems),
                                             self.last_good.saved_at(relative) if state == "last-good" else None)
        self._places[relative][1](item)
        return item

    def note(self, problem: ContentProblem) -> None:
        """Record a problem found after the file was chosen (a broken link found by the site-wide checks)."""
        self.log.problems.append(problem)
        status = self.statuses.get(problem.path)
        if status is not None:
            status.problems.append(problem)

    def fall_back(self, relative: str) -> None:
        """A published file turned out to have an error only the whole site shows (a broken link).

        Serve its last good version instead when it differs; keep it when it is the same text (a page it
        links to was removed since: the problem is reported, the page stays); leave it out when it never
        had a good version (unless in preview).
        """
        status = self.statuses.get(relative)
        if status is None or status.state != "published" or self.drafts:
            if status is not None and self.drafts:
                status.state = "draft"
            return
        parse, place = self._places[relative]
        older = self.last_good.get(relative) if self.last_good is not None else None
        if older is None:
            status.state = "left-out"
            self.used.pop(relative, None)
            place(None)
        elif older != self.used.get(relative):
            scratch = ProblemLog()
            old_item = parse(older, scratch)
            if old_item is not None and not has_errors(scratch.problems, ignore_cross_file=True):
                self.used[relative] = older
                status.state, status.saved_at = "last-good", self.last_good.saved_at(relative)
                place(old_item)

    def current_text(self, relative: str) -> str | None:
        return self._current.get(relative)

    def fingerprint(self) -> str:
        """Changes whenever anything served changes: the texts used, and the pictures."""
        digest = hashlib.sha256(self.images_stamp.encode())
        for relative in sorted(self.used):
            digest.update(b"\0" + relative.encode() + b"\0" + self.used[relative].encode())
        return digest.hexdigest()[:16]


def _read(path: Path) -> tuple[str | None, tuple]:
    try:
        return path.read_bytes().decode("utf-8"), ()
    except UnicodeDecodeError as error:
        return None, (f"is not saved as UTF-8 text (problem at byte {error.start}). Save it again as UTF-8 in your "
                      "editor", "not-utf8")
    except OSError as error:
        return None, (f"could not be read: {error.strerror}", "unreadable")


def replay(source: ContentSource, relative: str, parsed: Parsed, log: ProblemLog) -> None:
    for message, line, code in parsed.problems:
        log.add(relative, message, line=line, code=code)


def read_yaml(source: ContentSource, name: str, log: ProblemLog, required: bool = True,
              text: str | None = None) -> tuple[Any, dict[str, int]] | None:
    """(data, line of each setting) of a YAML file, or None (with the problem logged)."""
    if text is None:
        if not source.exists(name):
            if required:
                log.add(name, "is missing from the content folder", code="missing-file")
            return None
        text = source.read(name, log)
        if text is None:
            return None
    parsed = source.parse_yaml(text)
    replay(source, name, parsed, log)
    return parsed.value


def yaml_file(source: ContentSource, name: str, build: Callable[[Any, dict[str, int], ProblemLog], Any],
              empty: Any, *, required: bool = True) -> Any:
    """Read a shared YAML file, serving its last good version when the current one has errors.

    `build(data, lines, log)` turns the file's data into what the site holds; when no version is good,
    the current one's good entries are served (`partial`).
    """
    if not source.exists(name):
        if required:
            source.log.add(name, "is missing from the content folder", code="missing-file")
        return empty
    chosen: list[Any] = [empty]

    def parse(text: str, log: ProblemLog) -> Any:
        found = read_yaml(source, name, log, text=text)
        if found is None:
            return None
        return build(found[0], found[1], log)

    source.choose(name, parse, lambda item: chosen.__setitem__(0, empty if item is None else item), partial=True)
    return chosen[0]


def load_collection(
    source: ContentSource, folder: str, build: Callable[[str, str, MarkdownFile, ProblemLog], Any],
    into: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Every page of a folder (not translations), each the version `source.choose` picks."""
    items: dict[str, Any] = {} if into is None else into
    for relative in source.markdown_files(folder):
        name = relative.rsplit("/", 1)[-1]
        if TRANSLATION_NAME.match(name):
            continue
        slug = name[:-3]
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
            source.log.add(relative, "The file name should use only lowercase letters, numbers and hyphens, "
                           "and end in .md, like report-a-pothole.md", code="file-name")
            continue

        def parse(text: str, log: ProblemLog, slug: str = slug, relative: str = relative) -> Any:
            return parse_page(source, relative, text, log, lambda post, log: build(slug, relative, post, log))

        def place(item: Any, slug: str = slug) -> None:
            if item is None:
                items.pop(slug, None)
            else:
                items[slug] = item

        source.choose(relative, parse, place)
    return items


def parse_page(source: ContentSource, relative: str, text: str, log: ProblemLog,
               build: Callable[[MarkdownFile, ProblemLog], Any]) -> Any:
    """Split a page into settings and text and build it; in preview, a page whose settings cannot be read is
    still built (from its text alone), with its settings' problems kept out of the list."""
    parsed = source.parse_markdown(text)
    replay(source, relative, parsed, log)
    post = parsed.value
    if post is None:
        return None
    if not post.settings_ok:
        if not source.drafts:
            return None
        return build(post, ProblemLog())
    return build(post, log)


def reader_for(post: MarkdownFile, path: str, log: ProblemLog) -> FieldReader:
    return FieldReader(post.metadata, path, log, lines=post.lines)


# --- pieces several files share ------------------------------------------------


def load_categories(source: ContentSource, name: str = "categories.yaml") -> dict[str, Category]:
    """Read a list of categories; the directory of other organisations has its own file."""

    def build(data: Any, lines: dict[str, int], log: ProblemLog) -> dict[str, Category]:
        if not isinstance(data, list):
            log.add(name, "should be a list, with each category starting with '- slug:'", line=1)
            return {}
        categories: dict[str, Category] = {}
        for number, entry in enumerate(data, start=1):
            reader = FieldReader(entry, name, log, prefix=f"{number}.", lines=lines)
            reader.unknown({"slug", "title", "summary", "cy", "translations"})
            slug, title, summary = reader.slug("slug"), reader.text("title", max_length=60), reader.text("summary")
            translations = translations_of(reader, ("title", "summary"))
            if slug and title and summary:
                if slug in categories:
                    reader.problem("slug", f'"{slug}" is used by two categories. Each needs its own')
                categories[slug] = Category(slug, title, summary, translations)
        return categories

    return yaml_file(source, name, build, {})


def translations_of(reader: FieldReader, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Read inline translations written as `cy: {title: ..., summary: ...}`."""
    translations: dict[str, dict[str, str]] = {}
    for lang in ("cy",):
        if reader.has(lang):
            nested = reader.nested(lang)
            nested.unknown(fields)
            translations[lang] = {key: value for key in fields if (value := nested.text(key, required=False))}
    return translations


def read_body(source: ContentSource, post: MarkdownFile, path: str, log: ProblemLog,
              optional: bool = False) -> RenderedMarkdown:
    """The page's text rendered, with every problem in it logged (with its line in the file)."""
    if optional and not post.content.strip():
        return render_markdown("")
    return source.render(path, post.content, post.body_line, log)


def walk_items(*collections: dict[str, Any]) -> Iterator[Any]:
    for collection in collections:
        yield from collection.values()
