"""Pages due for review, by owner: what `flask content review-due` lists and what each owner is sent.

Every page names an owner (a team in owners.yaml) and the date it was last
checked (`reviewed`). A page is due `review_months` after that date (6 unless
the team says otherwise). `reminders` turns the list into one message per
owner, with links straight to the pages, ready to be sent monthly through the
mail outbox of the Listening work once it is on main (nothing here sends mail).
Time is a parameter. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .lint import content_items, months_between, review_due
from .models import Site


@dataclass(frozen=True)
class DueItem:
    path: str
    title: str
    url: str
    reviewed: date
    due: date
    overdue_months: int


@dataclass(frozen=True)
class Reminder:
    """One owner's monthly message: who it goes to and what it says (plain text)."""

    owner: str
    team: str
    email: str
    subject: str
    body: str
    items: tuple[DueItem, ...]


def due_for_review(site: Site, today: date) -> dict[str | None, list[DueItem]]:
    """Pages due for review by `today`, by owner id (None: pages with no owner), oldest first."""
    found: dict[str | None, list[DueItem]] = {}
    for item in content_items(site):
        reviewed = getattr(item, "reviewed", None)
        if getattr(item, "lang", "en") != "en" or not isinstance(reviewed, date):
            continue
        owner = site.owners.get(item.owner or "")
        due = review_due(reviewed, owner.review_months if owner else 6)
        if due <= today:
            found.setdefault(item.owner if owner else None, []).append(
                DueItem(item.source, item.title, item.url_path, reviewed, due, months_between(due, today)))
    for items in found.values():
        items.sort(key=lambda due_item: (due_item.due, due_item.path))
    return dict(sorted(found.items(), key=lambda pair: (pair[0] is None, pair[0] or "")))


def reminders(site: Site, today: date, base_url: str = "") -> list[Reminder]:
    """One message per owner with pages due (owners with none get nothing)."""
    messages = []
    for owner_id, items in due_for_review(site, today).items():
        owner = site.owners.get(owner_id or "")
        if owner is None:
            continue
        lines = [f"Hello {owner.team},", "",
                 f"{len(items)} page{'s' if len(items) != 1 else ''} you own on the website "
                 f"{'are' if len(items) != 1 else 'is'} due to be checked:", ""]
        for item in items:
            lines.append(f"- {item.title}: {base_url.rstrip('/')}{item.url}")
            lines.append(f"  last checked {item.reviewed.isoformat()}, due {item.due.isoformat()} "
                         f"(file: content/{item.path})")
        lines += ["", "Check that each page is still true, then change its 'reviewed' date to the day you "
                  "checked it. CONTENT.md explains how."]
        messages.append(Reminder(owner.id, owner.team, owner.email,
                                 f"{len(items)} web page{'s' if len(items) != 1 else ''} to check", "\n".join(lines),
                                 tuple(items)))
    return messages
