"""What can go wrong when the site reads a page aloud, as values the web layer words for readers.

Each error carries the reader's message (a template the web layer translates),
a detail for logs and the command line, and the HTTP status to answer with.
None of them is a 500: a missing engine or a slow machine is a known state of
the service, not a bug.
"""

from __future__ import annotations

from ..errors import TownhallError
from ..text import N_


class SpeechError(TownhallError):
    """Base class: speech could not be produced for a reason we can explain."""

    status = 503
    code = "speech_unavailable"
    template = N_("Sorry, listening is not available at the moment. You can still read the page, "
                  "or try again later.")


class SpeechUnavailable(SpeechError):
    """The speech engine (pyttsx3 on espeak-ng) cannot run here, or has no voice for the language."""


class SpeechTimedOut(SpeechError):
    """Synthesis took longer than the configured timeout and was stopped."""

    code = "speech_timed_out"
    template = N_("Sorry, the audio took too long to prepare. Please try again in a minute.")


class SpeechBusy(SpeechTimedOut):
    """Every synthesis slot stayed taken until the timeout: too many people asked at once."""

    code = "speech_busy"
    template = N_("Sorry, a lot of people are listening right now. Please try again in a minute.")


class SpeechLimited(SpeechError):
    """One client asked for more new audio than the per-client limit allows this minute."""

    status = 429
    code = "speech_limited"
    template = N_("You have asked for a lot of audio in a short time. Please wait a minute and try again.")


class NothingToRead(SpeechError):
    """The page, or the section asked for, has no text to read (or does not exist)."""

    status = 404
    code = "nothing_to_read"
    template = N_("Sorry, we could not find that page or that part of it to read aloud. "
                  "Go back to the page and choose Listen again.")
