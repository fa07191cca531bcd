"""Display preferences: what the resident chose in "Accessibility settings".

Stored in one functional cookie and applied on the server as classes on
``<html>``, so a page never flashes the wrong colours before a script runs.
The cookie holds only these four choices, in a short readable form such as
``text:large|colours:dark|spacing:wide|speech:on``, and the alerts the resident
chose to hide today (``hide:snow.1a2b3c@2027-01-11``: an alert's key and the
day it was hidden; a hidden alert shows again the next day). Anything unexpected
in it is ignored rather than trusted, so a tampered or outdated cookie can
never break a page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

COOKIE_NAME = "townhall_preferences"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60  # one year, as the cookies page says

# Each setting: its choices in the order the form shows them. The first is the default.
TEXT_SIZES = ("standard", "large", "larger")
COLOUR_SCHEMES = ("auto", "standard", "high-contrast", "dark", "yellow-on-black", "cream")
LINE_SPACINGS = ("standard", "wide", "wider")
SPEECH_MODES = ("off", "on")

CHOICES: dict[str, tuple[str, ...]] = {
    "text": TEXT_SIZES,
    "colours": COLOUR_SCHEMES,
    "spacing": LINE_SPACINGS,
    "speech": SPEECH_MODES,
}
HIDE = "hide"  # the cookie part for an alert hidden today
MAX_HIDDEN = 6  # alerts remembered as hidden; older ones show again (there are never many at once)
ALERT_KEY = re.compile(r"^[a-z0-9-]{1,40}\.[0-9a-f]{6}$")


@dataclass(frozen=True)
class Preferences:
    text: str = "standard"
    colours: str = "auto"  # follow the device: prefers-color-scheme and prefers-contrast
    spacing: str = "standard"
    speech: str = "off"
    hidden: tuple[tuple[str, date], ...] = ()  # (alert key, the day it was hidden)

    @property
    def speech_on(self) -> bool:
        return self.speech == "on"

    @property
    def is_default(self) -> bool:
        return self == Preferences()

    @property
    def display_is_default(self) -> bool:
        """True when the display choices are all the default (hidden alerts aside)."""
        return replace(self, hidden=()) == Preferences()

    def hides(self, key: str, today: date) -> bool:
        """Whether the resident hid this alert today."""
        return (key, today) in self.hidden

    def hide(self, key: str, today: date) -> Preferences:
        """These preferences with one more alert hidden for the rest of today (yesterday's dropped)."""
        if not ALERT_KEY.match(key):
            return self
        kept = tuple(entry for entry in self.hidden if entry[1] == today and entry[0] != key)
        return replace(self, hidden=((*kept, (key, today))[-MAX_HIDDEN:]))

    def for_today(self, today: date) -> Preferences:
        """Without alerts hidden on an earlier day."""
        return replace(self, hidden=tuple(entry for entry in self.hidden if entry[1] == today))

    def html_classes(self) -> str:
        """Classes for <html>: th-text-large th-colours-dark th-spacing-wide th-speech-on."""
        return " ".join(f"th-{name}-{getattr(self, name)}" for name in CHOICES)

    def cookie_value(self) -> str:
        parts = [f"{name}:{getattr(self, name)}" for name in CHOICES]
        parts += [f"{HIDE}:{key}@{day.isoformat()}" for key, day in self.hidden]
        return "|".join(parts)

    def changed_from(self, other: Preferences) -> list[str]:
        """Names of the display settings that differ, in form order."""
        return [name for name in CHOICES if getattr(self, name) != getattr(other, name)]


def from_cookie(value: str | None) -> Preferences:
    """Read the cookie, keeping only known settings with allowed values."""
    if not value or len(value) > 500:
        return Preferences()
    chosen: dict[str, str] = {}
    hidden: list[tuple[str, date]] = []
    for part in value.split("|"):
        name, _, choice = part.partition(":")
        if choice in CHOICES.get(name, ()):
            chosen[name] = choice
        elif name == HIDE and len(hidden) < MAX_HIDDEN:
            key, _, day = choice.partition("@")
            try:
                when = date.fromisoformat(day) if len(day) == 10 else None
            except ValueError:
                when = None
            if when is not None and ALERT_KEY.match(key):
                hidden.append((key, when))
    return Preferences(**chosen, hidden=tuple(hidden))


def from_form(form: Mapping[str, str], current: Preferences) -> tuple[Preferences, list[str]]:
    """Apply a submitted form to the current preferences.

    Returns the new preferences and the names of fields whose values were not
    allowed (they keep their current value), so the page can say so.
    """
    changes: dict[str, str] = {}
    rejected: list[str] = []
    for name, allowed in CHOICES.items():
        if name not in form:
            continue
        value = form[name]
        if value in allowed:
            changes[name] = value
        else:
            rejected.append(name)
    return replace(current, **changes), rejected
