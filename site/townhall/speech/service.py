"""The speech service: audio for part of a page, from the cache or made now.

This is the one entry point the web layer and the command line use; it holds
no Flask state, so both build it from the same settings and share the cache.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .cache import AudioCache, AudioEntry
from .engine import DEFAULT_VOICES, SPEEDS, Slots, Synthesiser
from .errors import NothingToRead, SpeechBusy
from .limits import SynthesisLimit
from .queue import SynthesisQueue
from .script import Utterance


class Speaker:
    def __init__(self, cache: AudioCache, synthesiser: Synthesiser, timeout: float | None = None) -> None:
        self.cache = cache
        self.synthesiser = synthesiser
        self.timeout = float(timeout if timeout is not None else synthesiser.timeout)
        self._version: str | None = None
        self._version_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Speaker:
        """Build from the app's settings (config.py): cache folder and size, workers, timeout."""
        root = Path(settings["TOWNHALL_AUDIO_CACHE"])
        command = settings.get("TOWNHALL_SPEECH_COMMAND") or None
        timeout = float(settings["TOWNHALL_SPEECH_TIMEOUT"])
        synthesiser = Synthesiser(
            slots=Slots(root / ".slots", int(settings["TOWNHALL_SPEECH_WORKERS"])),
            timeout=timeout,
            command=command.split() if isinstance(command, str) else command,
            ffmpeg=settings.get("TOWNHALL_FFMPEG") or "ffmpeg",
            voices=settings.get("TOWNHALL_SPEECH_VOICES") or DEFAULT_VOICES,
        )
        cache = AudioCache(root, int(settings["TOWNHALL_AUDIO_CACHE_MB"]) * 1024 * 1024)
        return cls(cache, synthesiser, timeout)

    @property
    def engine_version(self) -> str:
        """Worked out once (it asks ffmpeg for its encoders): threads that ask meanwhile wait for it,
        rather than each starting an ffmpeg of their own (sixteen at once in a flood, once)."""
        if self._version is None:
            with self._version_lock:
                if self._version is None:
                    self._version = self.synthesiser.version()
        return self._version

    def key(self, utterances: Sequence[Utterance], speed: str) -> str:
        """The cache key: a hash of the text (shown and spoken), the voices, the speed and the engine."""
        payload = {
            "utterances": [[u.spoken, u.display, u.lang, self._voice(u.lang), u.pause_ms] for u in utterances],
            "rate": SPEEDS[speed],
            "engine": self.engine_version,
        }
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:40]

    def _voice(self, lang: str) -> str:
        return self.synthesiser.voices.get((lang or "en").split("-")[0].lower(), "")

    def cached(self, utterances: Sequence[Utterance], speed: str) -> AudioEntry | None:
        if not utterances:
            return None
        return self.cache.get(self.key(utterances, speed))

    def audio(self, utterances: Sequence[Utterance], speed: str, timeout: float | None = None, *,
              transient: bool = False) -> AudioEntry:
        """The audio for `utterances`: from the cache, or synthesised within the timeout.

        `transient`: for a one-off address (a query string), so the cache keeps
        it only briefly and in a small share (see cache.py, "One-off audio").
        Raises NothingToRead, SpeechUnavailable, SpeechTimedOut or SpeechBusy.
        """
        if not utterances:
            raise NothingToRead("There is nothing to read here")
        if speed not in SPEEDS:
            raise ValueError(f"speed must be one of {', '.join(SPEEDS)}")
        key = self.key(utterances, speed)
        entry = self.found(key, transient)
        if entry is not None:
            return entry
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        with self.cache.key_lock(key, deadline):
            entry = self.found(key, transient)  # made by another process while we waited
            if entry is not None:
                return entry
            staged = self.cache.staging()
            try:
                rendering = self.synthesiser.render(utterances, speed, staged, deadline)
                return self.cache.commit(key, staged, rendering, speed=speed, engine=self.engine_version,
                                         transient=transient)
            finally:
                if staged.exists():
                    shutil.rmtree(staged, ignore_errors=True)

    def found(self, key: str, transient: bool = False) -> AudioEntry | None:
        """The cached entry for `key`; made lasting when a lasting page asks for transient audio."""
        entry = self.cache.get(key)
        if entry is not None and entry.transient and not transient:
            return self.cache.make_lasting(key) or entry
        return entry

    def estimate_seconds(self, utterances: Sequence[Utterance], speed: str) -> float:
        """How long audio would last, before it is made: words at the speed's rate plus pauses.

        espeak-ng speaks a little slower than its nominal rate on short council
        sentences (numbers spelt out, full stops); 1.15 was measured on the demo pages.
        """
        words = sum(len(u.spoken.split()) for u in utterances)
        pauses = sum(u.pause_ms for u in utterances) / 1000
        return words / SPEEDS[speed] * 60 * 1.15 + pauses + 0.2 * len(utterances)


class Preparer:
    """Audio for a reader's request: from the cache, or made by the synthesis queue, never on the
    request's own thread (queue.py says why), and every synthesis counted (limits.py)."""

    def __init__(self, speaker: Speaker, queue: SynthesisQueue, limit: SynthesisLimit, wait: float = 3.0) -> None:
        self.speaker = speaker
        self.queue = queue
        self.limit = limit
        self.wait = float(wait)

    @classmethod
    def from_settings(cls, speaker: Speaker, settings: Mapping[str, Any]) -> Preparer:
        """The queue and limits the settings ask for (config.py: TOWNHALL_SPEECH_QUEUE, _WAITERS, _WAIT...)."""
        queue = SynthesisQueue(threads=int(settings["TOWNHALL_SPEECH_WORKERS"]),
                               capacity=int(settings["TOWNHALL_SPEECH_QUEUE"]),
                               waiters=int(settings["TOWNHALL_SPEECH_WAITERS"]))
        return cls(speaker, queue, SynthesisLimit.from_settings(settings), float(settings["TOWNHALL_SPEECH_WAIT"]))

    def could_make(self, client: str) -> None:
        """Raise SpeechLimited or SpeechBusy if no new audio could be made for `client` now.

        The web layer asks before drawing a page whose script it has not got:
        drawing fifty pages was most of what a flood of requests cost, and audio
        that would then be refused is not worth a page drawn.
        """
        if not self.queue.has_room():
            raise SpeechBusy("The speech queue of this process is full", retry_after=10)
        self.limit.check(client)

    def audio(self, utterances: Sequence[Utterance], speed: str, *, client: str, transient: bool = False,
              wait: float | None = None) -> AudioEntry | None:
        """The audio for `utterances`, or None while it is being prepared (ask again in a few seconds).

        Raises NothingToRead, SpeechLimited (this client has made enough audio this
        minute), SpeechBusy (the queue is full, or everyone together has), or the
        error a job for the same audio failed with a moment ago.
        """
        if not utterances:
            raise NothingToRead("There is nothing to read here")
        if speed not in SPEEDS:
            raise ValueError(f"speed must be one of {', '.join(SPEEDS)}")
        key = self.speaker.key(utterances, speed)
        entry = self.speaker.found(key, transient)
        if entry is not None:
            return entry
        failure = self.queue.recent_failure(key)
        if failure is not None:
            raise failure
        job = self.queue.in_flight(key)
        if job is None:
            if not self.queue.has_room():
                raise SpeechBusy("The speech queue of this process is full", retry_after=10)
            self.limit.allow(client)
            job = self.queue.submit(key, lambda: self.speaker.audio(utterances, speed, transient=transient))
        return self.queue.wait(job, self.wait if wait is None else wait)

    def close(self) -> None:
        self.queue.close()
        self.speaker.synthesiser.close()
