"""The synthesis queue: bounded, one job per audio, few waiters, failures remembered, fork-safe."""

from __future__ import annotations

import os
import threading
import time

import pytest

from townhall.speech.errors import SpeechBusy, SpeechUnavailable
from townhall.speech.queue import SynthesisQueue


@pytest.fixture
def queue():
    made = SynthesisQueue(threads=1, capacity=2, waiters=1)
    yield made
    made.close()


def blocked_job(release: threading.Event, value="audio"):
    def make():
        release.wait(10)
        return value
    return make


def test_the_queue_is_bounded_and_the_same_audio_is_one_job(queue: SynthesisQueue) -> None:
    release = threading.Event()
    first = queue.submit("a", blocked_job(release))
    assert queue.submit("a", blocked_job(release)) is first  # asked for twice while being made: one job
    queue.submit("b", blocked_job(release))
    assert not queue.has_room()
    with pytest.raises(SpeechBusy) as refused:
        queue.submit("c", blocked_job(release))
    assert refused.value.retry_after
    release.set()
    assert first.result(5) == "audio"
    deadline = time.monotonic() + 5
    while queue.pending() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert queue.pending() == 0 and queue.has_room()


def test_only_a_few_requests_wait_and_the_rest_are_answered_at_once(queue: SynthesisQueue) -> None:
    release = threading.Event()
    job = queue.submit("a", blocked_job(release))
    waited: list = []
    waiter = threading.Thread(target=lambda: waited.append(queue.wait(job, 5)))
    waiter.start()
    time.sleep(0.2)  # the one waiting place is taken
    started = time.monotonic()
    assert queue.wait(job, 5) is None  # "being prepared", without waiting
    assert time.monotonic() - started < 0.5
    release.set()
    waiter.join(5)
    assert waited == ["audio"]
    assert queue.wait(job, 0) == "audio"  # finished: no waiting needed


def test_a_wait_that_runs_out_says_being_prepared(queue: SynthesisQueue) -> None:
    release = threading.Event()
    job = queue.submit("a", blocked_job(release))
    assert queue.wait(job, 0.1) is None
    release.set()


def test_a_failed_job_is_remembered_briefly_so_polls_get_its_error(queue: SynthesisQueue) -> None:
    def failing():
        raise SpeechUnavailable("no engine")

    job = queue.submit("a", failing)
    with pytest.raises(SpeechUnavailable):
        queue.wait(job, 5)
    assert isinstance(queue.recent_failure("a"), SpeechUnavailable)
    assert queue.in_flight("a") is None
    queue.failure_memory = 0
    assert queue.recent_failure("a") is None


def test_a_forked_child_starts_its_own_pool() -> None:
    queue = SynthesisQueue(threads=1, capacity=1, waiters=1)
    release = threading.Event()
    queue.submit("a", blocked_job(release))
    pid = os.fork()
    if pid == 0:  # the child: the parent's job and threads are not here
        code = 0
        try:
            if queue.pending() != 0 or queue.submit("b", lambda: "child").result(5) != "child":
                code = 1
        except BaseException:  # noqa: BLE001 - any failure is reported by the exit status
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    release.set()
    queue.close()
    assert os.waitstatus_to_exitcode(status) == 0
