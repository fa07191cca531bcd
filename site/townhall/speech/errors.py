"""What can go wrong when the site reads a page aloud, as values the web layer words for readers.

Each error carries a plain-English message (for logs and the command line) and
the HTTP status the web layer should answer with. None of them is a 500: a
missing engine or a slow machine is a known state of the service, not a bug.
"""

from __future__ import annotations


class SpeechError(Exception):
    """Base class: speech could not be produced for a reason we can explain."""

    status = 503

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class SpeechUnavailable(SpeechError):
    """The speech engine (pyttsx3 on espeak-ng) cannot run here, or has no voice for the language."""


class SpeechTimedOut(SpeechError):
    """Synthesis took longer than the configured timeout and was stopped."""


class SpeechBusy(SpeechTimedOut):
    """Every synthesis slot stayed taken until the timeout: too many people asked at once."""


class NothingToRead(SpeechError):
    """The page, or the section asked for, has no text to read (or does not exist)."""

    status = 404
