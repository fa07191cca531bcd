"""The directory of other organisations: who to contact when it is not the council's job.

One Markdown file per organisation in ``content/directory/<slug>.md`` (front
matter for the facts, the body for anything more to say), and the directory's
own categories in ``content/directory/categories.yaml``. Files are read and
checked by the same readers as service pages, so a phone number or opening
hours are checked the same way everywhere, and problems name the file and setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .contacts import read_contact
from .fields import FieldReader
from .files import ContentSource, MarkdownFile, load_categories, load_collection, read_body, reader_for
from .models import Category, Directory, Organisation, OrganisationContact
from .problems import ProblemLog

FOLDER = "directory"
CATEGORIES_FILE = f"{FOLDER}/categories.yaml"
RESERVED_SLUGS = {"a-to-z", "not-sure"}  # /directory/a-to-z and /directory/not-sure are pages, not organisations
ORGANISATION_FIELDS = {
    "name", "category", "responsible_for", "contact_when", "not_for", "keywords", "keywords_cy", "contact", "reviewed",
    "owner",
}


def load_directory(source: ContentSource | Path | str, log: ProblemLog | None = None,
                   owners: dict[str, Any] | None = None) -> Directory:
    """Read ``content/directory/``. A content folder without one simply has an empty directory.

    `source` is the loader's `ContentSource`, or a folder (then problems go to `log`).
    """
    if not isinstance(source, ContentSource):
        source = ContentSource(Path(source), log=log if log is not None else ProblemLog())
    if not (source.root / FOLDER).is_dir():
        return Directory({}, {})
    categories = load_categories(source, CATEGORIES_FILE)

    def build(slug: str, path: str, post: MarkdownFile, log: ProblemLog) -> Organisation | None:
        if slug in RESERVED_SLUGS:
            log.add(path, f'The file name "{slug}" is taken by a page of the directory itself. Rename the file',
                    code="address-taken")
            return None
        return _organisation(source, categories, owners, slug, path, post, log)

    organisations = load_collection(source, FOLDER, build)
    return Directory(categories, organisations)


def _organisation(source: ContentSource, categories: dict[str, Category], owners: dict[str, Any] | None, slug: str,
                  path: str, post: MarkdownFile, log: ProblemLog) -> Organisation | None:
    from .loader import read_owner

    reader = reader_for(post, path, log)
    reader.unknown(ORGANISATION_FIELDS)
    # The front matter says everything a resident needs, so the text below it is optional.
    body = read_body(source, post, path, log, optional=True)
    keywords = tuple(reader.text_list("keywords", required=True))
    return Organisation(
        slug=slug,
        name=reader.text("name", max_length=80) or slug.replace("-", " ").capitalize(),
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
        owner=read_owner(reader, owners) if owners is not None else reader.text("owner", required=False),
    )


def _contact(reader: FieldReader) -> OrganisationContact:
    if not isinstance(reader.data.get("contact"), dict):
        reader.problem("contact", "is missing. Add at least a phone number, website, email or postal address",
                       code="missing-setting")
        return OrganisationContact()
    return read_contact(reader.nested("contact"), OrganisationContact)
