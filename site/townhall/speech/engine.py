"""Synthesis: pyttsx3 on espeak-ng in a separate process, then encoding with ffmpeg.

Why it is built this way:

* **A process per job, with a timeout.** pyttsx3's ``runAndWait`` can hang and
  espeak-ng cannot be re-initialised in a process, so each job runs
  ``worker.py`` in its own process group, killed when the deadline passes.
  One spare worker is started ahead of time (engine loaded, waiting for its
  job), which takes Python's and espeak-ng's start-up off the time to first audio.
* **A bound on how many run at once, across processes.** Synthesis slots are
  lock files (``flock``) in the cache folder, so the bound holds for all the
  gunicorn workers sharing that folder, not just within one.
* **Sentence by sentence.** The worker writes one WAV per utterance; joining
  them here gives each sentence's exact start and end time (from the WAVs'
  frame counts), which become the WebVTT cues the page follows to highlight
  the sentence being read. (espeak-ng's word events through pyttsx3 carry
  text positions but no audio time, so they cannot time cues.)
* **Compact formats.** The joined audio is piped into one ffmpeg that encodes
  Ogg Opus and MP3 at once, sentence by sentence as the worker finishes
  them, so encoding overlaps synthesis. Without ffmpeg, or without those
  encoders, a WAV is kept instead: bigger, but every browser plays it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import json
import os
import queue
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import wave
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO

from .errors import SpeechBusy, SpeechError, SpeechTimedOut, SpeechUnavailable
from .script import Utterance

WORKER = Path(__file__).with_name("worker.py")

# Words per minute for espeak-ng. "normal" is a little slower than espeak-ng's
# default (175): council information is often new to the listener.
SPEEDS: dict[str, int] = {"slow": 135, "normal": 165, "fast": 210}
DEFAULT_SPEED = "normal"

# espeak-ng voice identifiers (as pyttsx3 lists them) for the site's languages.
DEFAULT_VOICES: dict[str, str] = {"en": "gmw/en", "cy": "cel/cy"}

# Bump when anything that changes the audio for the same text changes
# (pauses, encoder settings, joining): it is part of every cache key.
PIPELINE_VERSION = "1"

# What pyttsx3's espeak driver writes (it fixes these when it saves a WAV): (channels, bytes per sample, rate).
# The encoder is started with them before the first sentence is ready; a WAV that differs restarts it.
EXPECTED_AUDIO = (1, 2, 22050)

# Formats, in the order the page offers them. Each: file suffix, MIME type, ffmpeg encoders.
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ogg": ("audio/ogg; codecs=opus", ("libopus", "opus")),
    "mp3": ("audio/mpeg", ("libmp3lame", "libshine")),
    "wav": ("audio/wav", ()),
}
ENCODER_OPTIONS: dict[str, list[str]] = {
    # Opus at 24 kbit/s mono is clear for speech; Opus wants 48/24/16/12/8 kHz.
    # Complexity 6 with constant bit rate: measured here, complexity 8-10 costs
    # 4 times the CPU for no gain at this rate, and CBR seeks simply.
    "libopus": ["-b:a", "24k", "-vbr", "off", "-compression_level", "6", "-ar", "24000"],
    "opus": ["-b:a", "24k", "-ar", "48000", "-strict", "-2"],
    # LAME's quality 7 ("-q 7"): 35% less CPU than its default here, no audible loss for speech at 32 kbit/s.
    "libmp3lame": ["-b:a", "32k", "-compression_level", "7", "-ar", "22050"],
    "libshine": ["-b:a", "32k", "-ar", "22050"],
}


@dataclass(frozen=True)
class Cue:
    start: float  # seconds from the start of the audio
    end: float
    text: str  # as shown on the page, for highlighting


@dataclass(frozen=True)
class Rendering:
    """Audio made in a folder: format -> file name, its length and its sentence cues."""

    folder: Path
    files: Mapping[str, str]
    duration: float
    cues: tuple[Cue, ...]
    voices: tuple[str, ...]


class Slots:
    """At most `count` synthesis jobs at once across every process sharing `folder`."""

    def __init__(self, folder: Path, count: int) -> None:
        self.folder = Path(folder)
        self.count = max(1, int(count))

    @contextmanager
    def acquire(self, deadline: float) -> Iterator[int]:
        import fcntl

        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            for number in range(self.count):
                handle = open(self.folder / f"{number}.lock", "a+")
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    handle.close()
                    continue
                try:
                    yield number
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
                    handle.close()
                return
            if time.monotonic() >= deadline:
                raise SpeechBusy("Every speech slot was busy until the timeout", retry_after=5)
            time.sleep(0.01)


@functools.lru_cache(maxsize=8)
def available_encoders(ffmpeg: str) -> frozenset[str]:
    """The audio encoders this ffmpeg has (empty when there is no ffmpeg)."""
    path = shutil.which(ffmpeg)
    if not path:
        return frozenset()
    try:
        listing = subprocess.run(
            [path, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    names = set()
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("A"):
            names.add(parts[1])
    return frozenset(names)


@functools.lru_cache(maxsize=1)
def espeak_version() -> str:
    """The espeak-ng library's version, read without starting the engine."""
    name = ctypes.util.find_library("espeak-ng")
    if name:
        try:
            library = ctypes.CDLL(name)
            library.espeak_Info.restype = ctypes.c_char_p
            library.espeak_Info.argtypes = [ctypes.c_void_p]
            return (library.espeak_Info(None) or b"").decode("ascii", "replace")
        except (OSError, AttributeError):
            pass
    return "unknown"


def pyttsx3_version() -> str:
    try:
        return metadata.version("pyttsx3")
    except metadata.PackageNotFoundError:
        return "missing"


class Synthesiser:
    """Makes audio for utterances. Raises SpeechUnavailable, SpeechTimedOut or SpeechBusy."""

    def __init__(
        self,
        *,
        slots: Slots,
        timeout: float = 20.0,
        command: Sequence[str] | None = None,
        driver: str = "espeak",
        ffmpeg: str = "ffmpeg",
        voices: Mapping[str, str] | None = None,
        keep_spare: bool = True,
    ) -> None:
        self.slots = slots
        self.timeout = float(timeout)
        self.command = [*(command or [sys.executable, str(WORKER)]), driver]
        self.driver = driver
        self.ffmpeg = ffmpeg
        self.voices = dict(DEFAULT_VOICES if voices is None else voices)
        # One worker process started ahead of time, engine loaded, waiting for a
        # job: it takes Python and espeak-ng's start-up (about 0.15 s) off the
        # time to first audio. Per process (a fork must not share it).
        self.keep_spare = keep_spare
        self._spares = _SpareWorker()
        self._spare_lock = threading.Lock()
        # A synthesiser dropped without close() (an app that is thrown away) still stops its spare worker.
        weakref.finalize(self, self._spares.stop)

    @property
    def _spare(self) -> tuple[int, subprocess.Popen] | None:
        return self._spares.spare

    @_spare.setter
    def _spare(self, value: tuple[int, subprocess.Popen] | None) -> None:
        self._spares.spare = value

    # --- what this engine can do ------------------------------------------------

    def formats(self) -> tuple[str, ...]:
        """The formats made for every audio: Ogg Opus and MP3, or WAV when neither can be made."""
        encoders = available_encoders(self.ffmpeg)
        made = tuple(name for name, (_, wanted) in FORMATS.items() if wanted and encoders & set(wanted))
        return made or ("wav",)

    def version(self) -> str:
        """Everything that changes the audio for the same text: part of every cache key."""
        return (
            f"pyttsx3 {pyttsx3_version()}; espeak-ng {espeak_version()}; driver {self.driver}; "
            f"pipeline {PIPELINE_VERSION}; formats {','.join(self.formats())}"
        )

    def voice_for(self, lang: str) -> str:
        code = (lang or "en").split("-")[0].lower()
        voice = self.voices.get(code)
        if not voice:
            raise SpeechUnavailable(f"There is no speech voice for the language {code!r}")
        return voice

    def rate_for(self, speed: str) -> int:
        if speed not in SPEEDS:
            raise ValueError(f"speed must be one of {', '.join(SPEEDS)}")
        return SPEEDS[speed]

    # --- making audio -------------------------------------------------------------

    def render(
        self, utterances: Sequence[Utterance], speed: str, folder: Path, deadline: float | None = None
    ) -> Rendering:
        """Synthesise, join and encode `utterances` into `folder` (which must exist).

        The worker reports each sentence's WAV as soon as it is written, and its
        audio goes straight into the encoder, so encoding overlaps synthesis.
        """
        if not utterances:
            raise SpeechError("There is nothing to read")
        deadline = deadline if deadline is not None else time.monotonic() + self.timeout
        texts = [{"text": u.spoken, "voice": self.voice_for(u.lang)} for u in utterances]
        rate = self.rate_for(speed)
        with self.slots.acquire(deadline):
            parts = folder / "parts"
            parts.mkdir(exist_ok=True)
            sink = _Sink(self, folder)
            sink.start(EXPECTED_AUDIO)  # ffmpeg starts up while the worker synthesises
            try:
                joiner = _Joiner(utterances, sink)
                self._run_worker({"rate": rate, "folder": str(parts), "texts": texts}, deadline, joiner.add)
                if joiner.count != len(utterances):
                    raise SpeechUnavailable("The speech engine made the wrong number of files")
                files = sink.finish(deadline)
            finally:
                sink.abandon()
                shutil.rmtree(parts, ignore_errors=True)
        return Rendering(folder, files, joiner.duration, tuple(joiner.cues), tuple(sorted({t["voice"] for t in texts})))

    def list_voices(self) -> list[dict]:
        """Every voice the engine has: id, name, languages (for `flask speech voices`)."""
        result = self._run_worker({"list_voices": True}, time.monotonic() + self.timeout)
        return result["voices"]

    def prepare(self) -> None:
        """Start the spare worker now if there is none, so the next job does not wait for it.

        Called when a page is shown in speech mode: a Listen click is likely to follow.
        """
        if not self.keep_spare:
            return
        with self._spare_lock:
            if self._spare is not None and self._spare[0] == os.getpid() and self._spare[1].poll() is None:
                return
            try:
                self._spare = (os.getpid(), self._start_worker())
            except SpeechUnavailable:
                self._spare = None

    def close(self) -> None:
        """Stop the spare worker (tests and the command line call this when done)."""
        with self._spare_lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            _kill(spare[1])

    def _start_worker(self) -> subprocess.Popen:
        errors = tempfile.TemporaryFile()  # what the worker says when it fails, for the log
        try:
            process = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                start_new_session=True,  # its own process group, so a timeout kills all of it
            )
        except OSError as error:
            errors.close()
            raise SpeechUnavailable(f"The speech engine could not start: {error}") from error
        process.stderr = errors  # Popen keeps only its file number: keep the file, to read and close it
        return process

    def _take_worker(self) -> subprocess.Popen:
        with self._spare_lock:
            spare, self._spare = self._spare, None
            if spare is not None and (spare[0] != os.getpid() or spare[1].poll() is not None):
                spare = None  # forked since, or it died: start a fresh one
            process = spare[1] if spare is not None else self._start_worker()
            if self.keep_spare:
                try:
                    self._spare = (os.getpid(), self._start_worker())
                except SpeechUnavailable:
                    self._spare = None
        return process

    def _run_worker(self, job: dict, deadline: float, on_file: Callable[[Path], None] | None = None) -> dict:
        if deadline - time.monotonic() <= 0:
            raise SpeechTimedOut("The time allowed for speech ran out before synthesis started")
        process = self._take_worker()
        try:
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(json.dumps(job).encode())
                process.stdin.close()
            except BrokenPipeError:
                pass  # it died at start-up; its last line says why
            result: dict = {}
            for message in _json_lines(process.stdout, deadline):
                if "file" in message and on_file is not None:
                    on_file(Path(message["file"]))
                elif "ok" in message:
                    result = message
            process.wait(timeout=max(0.01, deadline - time.monotonic()))
        except (TimeoutError, subprocess.TimeoutExpired):
            _kill(process)
            raise SpeechTimedOut(f"Speech synthesis took longer than {self.timeout:g} seconds") from None
        except BaseException:
            _kill(process)
            raise
        detail = None if result.get("ok") else (result.get("error") or _tail(process)
                                               or f"exit status {process.returncode}")
        _release(process)
        if detail is not None:
            raise SpeechUnavailable(f"The speech engine failed: {detail}")
        return result


def _json_lines(stream: IO[bytes], deadline: float) -> Iterator[dict]:
    """Lines of JSON from a worker's stdout as they come; TimeoutError at the deadline."""
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    pending = b""
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if not selector.select(remaining):
                continue
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue
    finally:
        selector.close()
    if pending.strip():
        try:
            yield json.loads(pending)
        except ValueError:
            pass


def _tail(process: subprocess.Popen) -> str:
    """The end of a worker's stderr, for the log."""
    stream = process.stderr
    if stream is None:
        return ""
    try:
        stream.seek(0)
        return stream.read().decode("utf-8", "replace").strip()[-300:]
    except (OSError, ValueError):
        return ""


class _Joiner:
    """Joins the worker's per-sentence WAVs, with pauses, into one stream; records each cue."""

    def __init__(self, utterances: Sequence[Utterance], sink: _Sink) -> None:
        self.utterances = utterances
        self.sink = sink
        self.cues: list[Cue] = []
        self.frames = 0
        self.rate = 0
        self.count = 0

    def add(self, path: Path) -> None:
        if self.count >= len(self.utterances):
            raise SpeechUnavailable("The speech engine made more files than asked")
        utterance = self.utterances[self.count]
        with wave.open(str(path), "rb") as part:
            params = (part.getnchannels(), part.getsampwidth(), part.getframerate())
            frames = part.getnframes()
            data = part.readframes(frames)
        self.sink.write(params, data)
        self.rate = params[2]
        start = self.frames / self.rate
        self.frames += frames
        self.cues.append(Cue(start, self.frames / self.rate, utterance.display or utterance.spoken))
        if utterance.pause_ms:
            silence = int(self.rate * utterance.pause_ms / 1000)
            self.sink.write(params, b"\0" * silence * params[0] * params[1])
            self.frames += silence
        self.count += 1
        path.unlink(missing_ok=True)

    @property
    def duration(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


class _Sink:
    """Where joined audio goes: ffmpeg encoding every format at once, or a WAV file.

    ffmpeg is fed from a thread, so a stuck encoder can never block past the deadline.
    """

    def __init__(self, synthesiser: Synthesiser, folder: Path) -> None:
        self.folder = folder
        self.encoders = available_encoders(synthesiser.ffmpeg)
        self.ffmpeg = shutil.which(synthesiser.ffmpeg) or synthesiser.ffmpeg
        self.params: tuple[int, int, int] | None = None
        self.written = 0
        self.files: dict[str, str] = {}
        self.process: subprocess.Popen | None = None
        self.queue: queue.Queue[bytes | None] = queue.Queue()
        self.feeder: threading.Thread | None = None
        self.wav: wave.Wave_write | None = None

    def start(self, params: tuple[int, int, int]) -> None:
        """Open the encoder for audio of these parameters, before any arrives."""
        self.params = params
        self._open()

    def write(self, params: tuple[int, int, int], data: bytes) -> None:
        if self.params is None:
            self.start(params)
        elif params != self.params:
            if self.written:
                raise SpeechUnavailable("The speech engine's audio formats did not match")
            # Started early for other parameters, nothing written yet: start again for these.
            self.abandon()
            self.files, self.process, self.queue, self.feeder = {}, None, queue.Queue(), None
            self.start(params)
        self.written += len(data)
        if self.wav is not None:
            self.wav.writeframes(data)
        else:
            self.queue.put(data)

    def _open(self) -> None:
        assert self.params is not None
        channels, width, rate = self.params
        outputs: list[str] = []
        for name, (_, wanted) in FORMATS.items():
            encoder = next((e for e in wanted if e in self.encoders), None)
            if encoder is None:
                continue
            target = self.folder / f"audio.{name}"
            outputs += ["-map", "0:a", "-ac", "1", "-c:a", encoder, *ENCODER_OPTIONS[encoder],
                        "-map_metadata", "-1", "-fflags", "+bitexact", str(target)]
            self.files[name] = target.name
        if outputs and width == 2:
            command = [self.ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                       "-f", "s16le", "-ar", str(rate), "-ac", str(channels), "-i", "pipe:0", *outputs]
            try:
                self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL, start_new_session=True)
            except OSError:
                self.process = None
            if self.process is not None:
                self.feeder = threading.Thread(target=self._feed, name="ffmpeg-feeder", daemon=True)
                self.feeder.start()
                return
        self.files = {"wav": "audio.wav"}
        self.wav = wave.open(str(self.folder / "audio.wav"), "wb")
        self.wav.setnchannels(channels)
        self.wav.setsampwidth(width)
        self.wav.setframerate(rate)

    def _feed(self) -> None:
        assert self.process is not None and self.process.stdin is not None
        try:
            while (data := self.queue.get()) is not None:
                self.process.stdin.write(data)
            self.process.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass

    def finish(self, deadline: float) -> dict[str, str]:
        if self.wav is not None:
            self.wav.close()
            self.wav = None
            return dict(self.files)
        if self.process is None:
            raise SpeechUnavailable("The speech engine made no audio")
        self.queue.put(None)
        try:
            self.process.wait(timeout=max(0.01, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _kill(self.process)
            raise SpeechTimedOut("Encoding the audio took too long") from None
        if self.process.returncode != 0:
            raise SpeechUnavailable(f"ffmpeg could not encode the audio (exit status {self.process.returncode})")
        return dict(self.files)

    def abandon(self) -> None:
        """After a failure: stop the encoder (harmless after a success)."""
        if self.wav is not None:
            self.wav.close()
            self.wav = None
        if self.process is not None and self.process.poll() is None:
            self.queue.put(None)
            _kill(self.process)


class _SpareWorker:
    """The worker started ahead of time; kept apart from its synthesiser so a finaliser can stop it."""

    def __init__(self) -> None:
        self.spare: tuple[int, subprocess.Popen] | None = None

    def stop(self) -> None:
        spare, self.spare = self.spare, None
        if spare is not None and spare[0] == os.getpid():
            _kill(spare[1])


def _release(process: subprocess.Popen) -> None:
    """Close our ends of a finished process's pipes and files."""
    for stream in (process.stdin, process.stdout, process.stderr):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _release(process)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
