"""The speaker (synthesis workers and the audio cache), the preparer (its queue and synthesis limits),
the speech rate limit and remembered scripts.

Each is made on first use: an app that never reads a page aloud never starts a
synthesis worker.
"""

from __future__ import annotations

from flask import Flask

from ..speech import Speaker
from ..speech.limits import SpeechLimit
from ..speech.pages import ScriptMemory
from ..speech.service import Preparer


def make_speaker(app: Flask) -> Speaker:
    """The speaker, with its engine version worked out now (an ffmpeg run), once per process."""
    speaker = Speaker.from_settings(app.config)
    _ = speaker.engine_version
    return speaker


def make_preparer(app: Flask) -> Preparer:
    from . import speaker

    return Preparer.from_settings(speaker(app), app.config)


def make_limit(app: Flask) -> SpeechLimit:
    return SpeechLimit.from_settings(app.config)


def make_script_memory(app: Flask) -> ScriptMemory:
    return ScriptMemory()
