"""WebVTT for the sentence cues: the page's script follows them to highlight what is being read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class _Cue(Protocol):
    start: float
    end: float
    text: str


def timestamp(seconds: float) -> str:
    """00:01:02.345 (hours always present: simplest for every parser)."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def escape_cue_text(text: str) -> str:
    """Cue text may not contain "-->" or raw <, > and &; it is one line here."""
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("-->", "--&gt;")


def webvtt(cues: Iterable[_Cue]) -> str:
    lines = ["WEBVTT", ""]
    for number, cue in enumerate(cues, start=1):
        end = max(cue.end, cue.start + 0.001)
        lines += [f"s{number}", f"{timestamp(cue.start)} --> {timestamp(end)}", escape_cue_text(cue.text) or "…", ""]
    return "\n".join(lines)
