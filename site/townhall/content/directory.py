"""The directory of other organisations: who to contact when it is not the council's job.

One Markdown file per organisation in ``content/directory/<slug>.md`` (front
matter for the facts, the body for anything more to say), and the directory's
own categories in ``content/directory/categories.yaml``. Files are read and
checked by the same readers as service pages, so a phone number or opening
hours are checked the same way everywhere, and problems name the file and field.
"""

from __future__ import annotations

from pathlib import Path

import frontmatter

from .contacts import read_contact
from .fields import FieldReader
from .files import load_categories, load_collection, read_body
from .markdown import render_markdown
from .models import Category, Directory, Organisation, OrganisationContact
from .problems import ProblemLog

FOLDER = "directory"
CATEGORIES_FILE = f"{FOLDER}/categories.yaml"
RESERVED_SLUGS = {"a-to-z", "not-sure"}  # /directory/a-to-z and /directory/not-sure are pages, not organisations
ORGANISATION_FIELDS = {
    "name", "category", "responsible_for", "contact_when", "not_for", "keywords", "keywords_cy", "contact", "reviewed",
}


def load_directory(root: Path, log: ProblemLog) -> Directory:
    """Read ``content/directory/``. A content folder without one simply has an empty directory."""
    if not (root / FOLDER).is_dir():
        return Directory({}, {})
    categories = load_categories(root, log, CATEGORIES_FILE)

    def build(slug: str, path: str, post: frontmatter.Post, log: ProblemLog) -> Organisation | None:
        if slug in RESERVED_SLUGS:
            log.add(path, f'The file name "{slug}" is taken by a page of the directory itself. Rename the file')
            return None
        return _organisation(categories, slug, path, post, log)

    organisations = load_collection(root, FOLDER, log, build)
    return Directory(categories, organisations)


def _organisation(
    categories: dict[str, Category], slug: str, path: str, post: frontmatter.Post, log: ProblemLog
) -> Organisation | None:

    reader = FieldReader(post.metadata, path, log)
    reader.unknown(ORGANISATION_FIELDS)
    # The front matter says everything a resident needs, so the text below it is optional.
    body = read_body(post.content, path, log) if post.content.strip() else render_markdown("")
    keywords = tuple(reader.text_list("keywords", required=True))
    return Organisation(
        slug=slug,
        name=reader.text("name", max_length=80) or "",
        category=reader.slug("category", categories.keys()) or "",
        responsible_for=reader.text("responsible_for", max_length=300) or "",
        contact_when=reader.text("contact_when", max_length=300) or "",
        not_for=reader.text("not_for", required=False, max_length=300),
        keywords=keywords,
        keywords_cy=tuple(reader.welsh_keywords("keywords_cy")),
        contact=_contact(reader),
        reviewed=reader.date("reviewed"),  # type: ignore[arg-type]
        body_html=body.html,
        headings=body.headings,
        source=path,
    )


def _contact(reader: FieldReader) -> OrganisationContact:
    if not isinstance(reader.data.get("contact"), dict):
        reader.problem("contact", "is missing. Add at least a phone number, website, email or postal address")
        return OrganisationContact()
    return read_contact(reader.nested("contact"), OrganisationContact)
