"""Display preferences: what the resident chose in "Accessibility settings".

Stored in one functional cookie and applied on the server as classes on
``<html>``, so a page never flashes the wrong colours before a script runs.
The cookie holds only these four choices, in a short readable form such as
``text:large|colours:dark|spacing:wide|speech:on``. Anything unexpected in
it is ignored rather than trusted, so a tampered or outdated cookie can never
break a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

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


@dataclass(frozen=True)
class Preferences:
    text: str = "standard"
    colours: str = "auto"  # follow the device: prefers-color-scheme and prefers-contrast
    spacing: str = "standard"
    speech: str = "off"

    @property
    def speech_on(self) -> bool:
        return self.speech == "on"

    @property
    def is_default(self) -> bool:
        return self == Preferences()

    def html_classes(self) -> str:
        """Classes for <html>: th-text-large th-colours-dark th-spacing-wide th-speech-on."""
        return " ".join(f"th-{name}-{getattr(self, name)}" for name in CHOICES)

    def cookie_value(self) -> str:
        return "|".join(f"{name}:{getattr(self, name)}" for name in CHOICES)

    def changed_from(self, other: Preferences) -> list[str]:
        """Names of the settings that differ, in form order."""
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


def from_cookie(value: str | None) -> Preferences:
    """Read the cookie, keeping only known settings with allowed values."""
    if not value or len(value) > 200:
        return Preferences()
    chosen: dict[str, str] = {}
    for part in value.split("|"):
        name, _, choice = part.partition(":")
        if choice in CHOICES.get(name, ()):
            chosen[name] = choice
    return Preferences(**chosen)


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
