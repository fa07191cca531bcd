"""The synthesis worker: run as its own process, one job per process.

pyttsx3's ``runAndWait`` is known to hang, and espeak-ng can only be set up
once per process, so the web process never loads it. ``engine.py`` starts this
file with the Python that runs the site, gives it a job as JSON on stdin and
kills its process group if it takes longer than the timeout.

Usage: ``python worker.py [driver]``. The process starts the engine first,
then reads the job from stdin (so it can be started ahead of time)::

    {"rate": 170, "folder": "/tmp/...",
     "texts": [{"text": "Hello.", "voice": "gmw/en"}, ...]}

It writes ``folder/0000.wav``, ``0001.wav``... (one WAV per text: synthesising
sentence by sentence is what gives exact cue times), printing a line of JSON
on stdout as each is ready, ``{"done": 0, "file": "..."}``, and a last line
``{"ok": true, "files": [...], "engine": "pyttsx3 2.99"}`` or
``{"ok": false, "kind": "unavailable" | "failed", "error": "..."}``.

This file imports nothing from Townhall, so it starts fast and runs the same
whatever the caller's import path is.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import wave
from typing import Any

WAV_HEADER = 44


def _report(stream: Any, result: dict[str, Any], code: int) -> None:
    stream.write(json.dumps(result) + "\n")
    stream.flush()
    # espeak-ng cannot be shut down cleanly from Python; leave at once.
    os._exit(code)


def _wait_for_wav(path: str, finished: threading.Event, deadline: float) -> None:
    """pyttsx3 may write the WAV from a background thread after runAndWait returns.

    Wait for its "finished-utterance" notice (sent after the file is closed),
    then make sure the file is whole: its header's frame count matches its size.
    """
    finished.wait(max(0.0, deadline - time.monotonic()))
    while time.monotonic() < deadline:
        try:
            with wave.open(path, "rb") as wav:
                expected = WAV_HEADER + wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
                if wav.getnframes() > 0 and os.path.getsize(path) >= expected:
                    return
        except (FileNotFoundError, EOFError, wave.Error):
            pass
        time.sleep(0.005)
    raise TimeoutError(f"the engine did not write {os.path.basename(path)}")


def _wait_until_idle(deadline: float) -> None:
    """Wait until espeak-ng's command queue is empty.

    In the mode pyttsx3 uses, espeak-ng queues synthesis *and* parameter
    changes (rate, voice) and works through them on its own thread, and
    ``IsPlaying()`` is true while anything is queued. Every ``runAndWait``
    ends by calling the driver's ``stop()``, which, if espeak-ng is "playing",
    cancels the queue and leaves a stop pending for the next run. So a rate
    change or the end of the last utterance still queued at that moment makes
    the next utterance vanish (no WAV) or be read at the default rate: seen in
    about one job in ten here before this wait was added, none in 160 after.
    """
    try:
        from pyttsx3.drivers import _espeak
    except ImportError:  # another driver: nothing to wait for
        return
    while _espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.001)


def main() -> None:
    # pyttsx3 prints to stdout ("Audio saved to ..."): keep stdout for our lines
    # of JSON and send everything else to stderr.
    result_stream = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    driver = sys.argv[1] if len(sys.argv) > 1 else "espeak"
    # Start the engine before reading the job: a caller may start this process
    # ahead of time (a "spare") so a job does not wait for Python and espeak-ng.
    try:
        from importlib.metadata import version

        import pyttsx3

        engine = pyttsx3.init(driver)
        engine_version = f"pyttsx3 {version('pyttsx3')}"
    except Exception as error:  # noqa: BLE001 - ImportError, RuntimeError from espeak, a missing library...
        failure = {"ok": False, "kind": "unavailable", "error": f"{type(error).__name__}: {error}"}
        sys.stdin.read()  # wait for the job, so the caller's write never meets a closed pipe
        _report(result_stream, failure, 3)
        return
    try:
        job = json.load(sys.stdin)
    except ValueError as error:
        _report(result_stream, {"ok": False, "kind": "failed", "error": f"bad job: {error}"}, 2)
        return

    if job.get("list_voices"):
        voices = [
            {"id": voice.id, "name": voice.name, "languages": list(voice.languages or [])}
            for voice in engine.getProperty("voices")
        ]
        _report(result_stream, {"ok": True, "voices": voices, "engine": engine_version}, 0)
        return

    finished = threading.Event()
    engine.connect("finished-utterance", lambda **_: finished.set())
    # pyttsx3 reports a failing command (a voice it cannot set...) as an "error"
    # notice rather than raising it: keep them and fail the job.
    problems: list[BaseException] = []
    engine.connect("error", lambda exception=None, **_: problems.append(exception or RuntimeError("error")))
    known_voices = {voice.id.lower() for voice in engine.getProperty("voices")}
    per_text = float(job.get("per_text_timeout", 10))
    files = []
    current_voice = None
    try:
        rate = int(job["rate"])
        # An empty run first: after it pyttsx3 applies properties at once rather
        # than queueing them into the first utterance's run (see _wait_until_idle).
        _wait_until_idle(time.monotonic() + per_text)
        engine.runAndWait()
        for index, item in enumerate(job["texts"]):
            if item["voice"] != current_voice:
                try:
                    if item["voice"].lower() not in known_voices:
                        raise ValueError("espeak-ng has no such voice")
                    engine.setProperty("voice", item["voice"])
                    if problems:
                        raise problems.pop()
                except (ValueError, KeyError) as error:
                    _report(
                        result_stream,
                        {"ok": False, "kind": "unavailable", "error": f"no voice {item['voice']!r}: {error}"},
                        3,
                    )
                    return
                current_voice = item["voice"]
                engine.setProperty("rate", rate)  # choosing a voice resets the rate
            path = os.path.join(job["folder"], f"{index:04d}.wav")
            for attempt in (1, 2):
                _wait_until_idle(time.monotonic() + per_text)
                if engine.getProperty("rate") != rate:
                    engine.setProperty("rate", rate)
                    _wait_until_idle(time.monotonic() + per_text)
                finished.clear()
                engine.save_to_file(item["text"], path)
                engine.runAndWait()
                if problems:
                    raise problems.pop()
                try:
                    _wait_for_wav(path, finished, time.monotonic() + per_text / 2)
                    break
                except TimeoutError:
                    if attempt == 2:
                        raise
            files.append(path)
            # Say at once that this one is ready, so the caller can encode it
            # while the next is synthesised.
            result_stream.write(json.dumps({"done": index, "file": path}) + "\n")
            result_stream.flush()
    except Exception as error:  # noqa: BLE001 - the worker reports every failure to its parent, then exits
        _report(result_stream, {"ok": False, "kind": "failed", "error": f"{type(error).__name__}: {error}"}, 4)
        return
    _report(result_stream, {"ok": True, "files": files, "engine": engine_version}, 0)


if __name__ == "__main__":
    main()
