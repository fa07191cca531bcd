"""Speech output: read any page of the site aloud (no Flask here).

* ``script``  - what to read from a page's HTML, in sections (build_script);
* ``spoken``  - phone numbers, times and money as people say them;
* ``engine``  - pyttsx3 on espeak-ng in a separate process, then ffmpeg;
* ``cache``   - finished audio on disk, shared by every worker, LRU-evicted;
* ``service`` - Speaker: audio for part of a page, cached or made now; Preparer: the same for a
                reader's request, made by the queue and counted;
* ``queue``   - the bounded synthesis queue with its own threads, per process;
* ``pages``   - which page and part to read, remembered scripts, drawing a page inside the app;
* ``controls``- putting the Listen controls into a finished page;
* ``limits``  - the per-client request limit, which requests count, and the synthesis limits;
* ``errors``  - SpeechUnavailable, SpeechTimedOut, SpeechBusy, SpeechLimited, NothingToRead.
"""

from .cache import AudioCache, AudioEntry
from .engine import DEFAULT_SPEED, SPEEDS, Cue, Slots, Synthesiser
from .errors import (
    NothingToRead,
    SpeechBusy,
    SpeechError,
    SpeechLimited,
    SpeechTimedOut,
    SpeechUnavailable,
)
from .script import INTRODUCTION_ID, Section, SpeechScript, Utterance, build_script
from .service import Preparer, Speaker
from .vtt import webvtt

__all__ = [
    "AudioCache", "AudioEntry", "Cue", "DEFAULT_SPEED", "INTRODUCTION_ID", "NothingToRead", "SPEEDS", "Section",
    "Preparer", "Slots", "Speaker", "SpeechBusy", "SpeechError", "SpeechLimited", "SpeechScript", "SpeechTimedOut", "SpeechUnavailable",
    "Synthesiser", "Utterance", "build_script", "webvtt",
]
