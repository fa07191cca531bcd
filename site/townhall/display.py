"""Colour schemes, text sizes and line spacing as data, and the CSS custom properties made from them.

Keeping the palettes here, rather than hand-written in CSS, means one source
for the stylesheet and for the tests that check every colour pair in every
scheme against WCAG contrast ratios. No component hard-codes a colour or a
font size: they all read these custom properties.
"""

from __future__ import annotations

from collections.abc import Iterable

# Roles every scheme defines. Pairs that must contrast are listed in CONTRAST_RULES.
PALETTES: dict[str, dict[str, str]] = {
    "standard": {
        "text": "#0b0c0c", "text-secondary": "#484949", "background": "#ffffff", "panel": "#f3f2f1",
        "border": "#8a8d8f", "input-border": "#0b0c0c", "link": "#1a65a6", "link-visited": "#4c2c92",
        "link-hover": "#003078", "focus": "#ffdd00", "focus-text": "#0b0c0c", "brand": "#123f5a",
        "brand-text": "#ffffff", "button": "#00703c", "button-text": "#ffffff", "success": "#00703c",
        "error": "#b3261e", "highlight": "#ffdd00", "highlight-text": "#0b0c0c",
    },
    "high-contrast": {
        "text": "#000000", "text-secondary": "#000000", "background": "#ffffff", "panel": "#ffffff",
        "border": "#000000", "input-border": "#000000", "link": "#00007a", "link-visited": "#4b0082",
        "link-hover": "#000000", "focus": "#ffdd00", "focus-text": "#000000", "brand": "#000000",
        "brand-text": "#ffffff", "button": "#000000", "button-text": "#ffffff", "success": "#004d26",
        "error": "#8b0000", "highlight": "#ffdd00", "highlight-text": "#000000",
    },
    "dark": {
        "text": "#f3f2f1", "text-secondary": "#c8c8c8", "background": "#1a1a1a", "panel": "#2b2b2b",
        "border": "#8a8a8a", "input-border": "#c8c8c8", "link": "#8cc8ff", "link-visited": "#d2bdff",
        "link-hover": "#c4e2ff", "focus": "#ffdd00", "focus-text": "#0b0c0c", "brand": "#0c2a3b",
        "brand-text": "#f3f2f1", "button": "#6fd39a", "button-text": "#0b0c0c", "success": "#6fd39a",
        "error": "#ff9b8f", "highlight": "#ffdd00", "highlight-text": "#0b0c0c",
    },
    "yellow-on-black": {
        "text": "#ffff00", "text-secondary": "#ffff00", "background": "#000000", "panel": "#000000",
        "border": "#ffff00", "input-border": "#ffff00", "link": "#00ffff", "link-visited": "#ff99ff",
        "link-hover": "#ffffff", "focus": "#ffffff", "focus-text": "#000000", "brand": "#000000",
        "brand-text": "#ffff00", "button": "#ffff00", "button-text": "#000000", "success": "#7cfc00",
        "error": "#ff9999", "highlight": "#00ffff", "highlight-text": "#000000",
    },
    "cream": {
        "text": "#1b1b1b", "text-secondary": "#45443f", "background": "#fbf5e6", "panel": "#f0e6cc",
        "border": "#7d7562", "input-border": "#1b1b1b", "link": "#1a4f8b", "link-visited": "#5b2c86",
        "link-hover": "#0b2f57", "focus": "#ffdd00", "focus-text": "#0b0c0c", "brand": "#2c4a3e",
        "brand-text": "#fbf5e6", "button": "#2c5e3a", "button-text": "#ffffff", "success": "#2c5e3a",
        "error": "#a3261c", "highlight": "#ffdd00", "highlight-text": "#0b0c0c",
    },
}
DARK_SCHEMES = {"dark", "yellow-on-black"}

# (foreground role, background role, minimum ratio). 4.5:1 for text, 3:1 for
# the edges of controls and focus indicators (WCAG 1.4.3 and 1.4.11).
CONTRAST_RULES: tuple[tuple[str, str, float], ...] = (
    ("text", "background", 4.5), ("text", "panel", 4.5),
    ("text-secondary", "background", 4.5), ("text-secondary", "panel", 4.5),
    ("link", "background", 4.5), ("link", "panel", 4.5),
    ("link-visited", "background", 4.5), ("link-visited", "panel", 4.5),
    ("link-hover", "background", 4.5), ("link-hover", "panel", 4.5),
    ("brand-text", "brand", 4.5), ("button-text", "button", 4.5),
    ("focus-text", "focus", 4.5), ("highlight-text", "highlight", 4.5),
    ("success", "background", 4.5), ("error", "background", 4.5),
    ("input-border", "background", 3.0), ("border", "background", 3.0),
    ("focus", "background", 1.0), ("focus-text", "background", 1.0),
)

TEXT_SCALES = {"standard": 1.0, "large": 1.25, "larger": 1.5}
LINE_HEIGHTS = {"standard": 1.5, "wide": 1.8, "wider": 2.1}
WORD_SPACING = {"standard": "normal", "wide": "0.08em", "wider": "0.16em"}


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_failures(scheme: str) -> list[str]:
    """Pairs in a scheme that fall short of their minimum ratio, described for a test failure."""
    palette = PALETTES[scheme]
    failures = []
    for foreground, background, minimum in CONTRAST_RULES:
        ratio = contrast_ratio(palette[foreground], palette[background])
        if ratio < minimum:
            failures.append(f"{scheme}: {foreground} on {background} is {ratio:.2f}:1, needs {minimum}:1")
    return failures


def _declarations(scheme: str) -> str:
    lines = [f"--th-colour-{role}: {value};" for role, value in PALETTES[scheme].items()]
    lines.append(f"color-scheme: {'dark' if scheme in DARK_SCHEMES else 'light'};")
    return " ".join(lines)


def _rule(selectors: Iterable[str], body: str) -> str:
    return f"{', '.join(selectors)} {{ {body} }}"


def stylesheet() -> str:
    """The custom properties for every display mode, as CSS.

    The "auto" scheme follows the device: prefers-color-scheme and then
    prefers-contrast (which wins, coming later in the cascade).
    """
    rules = [
        _rule([":root"], "--th-text-scale: 1; --th-line-height: 1.5; --th-word-spacing: normal;"),
        _rule([":root", ".th-colours-auto", ".th-colours-standard"], _declarations("standard")),
    ]
    for scheme in PALETTES:
        if scheme != "standard":
            rules.append(_rule([f".th-colours-{scheme}"], _declarations(scheme)))
    rules.append(f"@media (prefers-color-scheme: dark) {{ {_rule(['.th-colours-auto'], _declarations('dark'))} }}")
    rules.append(f"@media (prefers-contrast: more) {{ {_rule(['.th-colours-auto'], _declarations('high-contrast'))} }}")
    for name, scale in TEXT_SCALES.items():
        rules.append(_rule([f".th-text-{name}"], f"--th-text-scale: {scale};"))
    for name, height in LINE_HEIGHTS.items():
        rules.append(_rule([f".th-spacing-{name}"], f"--th-line-height: {height}; --th-word-spacing: {WORD_SPACING[name]};"))
    return "\n".join(rules) + "\n"
