"""The grader's side of one task (``execute.run_child``) against a scripted child on real
pipes: it sleeps on the child's bell, yet keeps every case that ended before a hang, reads
large frames without stalling the child, and takes any misuse of the bell as tampering."""
from __future__ import annotations

import json
import os
import threading
import time

import pytest

from grader.execute import BELL_WAIT, Task, run_child
from grader.sandbox import Limits
from grader.worker import END, HEADER

READY = json.dumps({"ready": True, "isolation": ["rlimits"]}).encode()
CASES = [{"args": {"__tuple__": [index]}, "seed": 0} for index in range(2)]


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def case(index: int, stdout: str = "") -> bytes:
    return frame(json.dumps({"case": index, "output": index, "stdout": stdout}).encode())


def run(script, seconds: float = 2.0):
    """``run_child`` on a one-function task, its child being ``script(frames_fd, bell_fd)``
    in a thread; the result, and how long the grader took."""
    task_read, task_write = os.pipe()
    frame_read, frame_write = os.pipe()
    bell_read, bell_write = os.pipe()
    for fd in (task_write, frame_read, bell_read):
        os.set_blocking(fd, False)
    child = threading.Thread(target=script, args=(frame_write, bell_write), daemon=True)
    started = time.monotonic()
    child.start()
    try:
        result = run_child(Task("f", "def f(x):\n    return x", [], CASES),
                           Limits(wall_seconds=seconds), task_write, frame_read, bell_read)
    finally:
        child.join(timeout=5)
        for fd in (task_read, task_write, frame_read, bell_read):
            os.close(fd)
        for fd in (frame_write, bell_write):
            try:
                os.close(fd)
            except OSError:
                pass  # the script closed it itself
    return result, time.monotonic() - started


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def honest(frames_fd: int, bell_fd: int) -> None:
    write_all(frames_fd, frame(READY) + case(0))
    time.sleep(0.02)  # the grader must not take the task as ended before the bell
    write_all(frames_fd, case(1) + frame(END))
    os.write(bell_fd, b"!")


def test_a_task_ends_at_the_ring_after_its_end_frame():
    result, seconds = run(honest)
    assert result.ending == "done" and sorted(result.cases) == [0, 1]
    assert seconds < BELL_WAIT * 4


def test_the_cases_before_one_that_hangs_count():
    def hangs(frames_fd: int, bell_fd: int) -> None:
        write_all(frames_fd, frame(READY) + case(0, stdout="first"))
        time.sleep(1.5)  # case 1 never returns before the deadline

    result, _ = run(hangs, seconds=0.5)
    assert result.ending == "timeout"
    assert list(result.cases) == [0] and result.cases[0]["stdout"] == "first"
    assert 0.5 <= result.seconds < 0.5 + BELL_WAIT * 2


def test_a_ring_that_comes_after_the_end_frame_is_waited_for():
    def late(frames_fd: int, bell_fd: int) -> None:
        write_all(frames_fd, frame(READY) + case(0) + case(1) + frame(END))
        time.sleep(BELL_WAIT * 1.5)  # the grader reads the end frame before the ring
        os.write(bell_fd, b"!")

    result, _ = run(late)
    assert result.ending == "done" and sorted(result.cases) == [0, 1]


def test_large_frames_do_not_hold_the_child_up():
    big = "x" * 3_000_000  # far more than a pipe holds: the child blocks until it is read

    def large(frames_fd: int, bell_fd: int) -> None:
        write_all(frames_fd, frame(READY) + case(0, stdout=big) + case(1, stdout=big)
                  + frame(END))
        os.write(bell_fd, b"!")

    result, seconds = run(large)
    assert result.ending == "done" and len(result.cases[1]["stdout"]) == 4000
    assert seconds < BELL_WAIT * 4  # not one wait per pipe-full


def test_a_closed_bell_falls_back_to_reading_the_frames():
    def closes(frames_fd: int, bell_fd: int) -> None:
        os.close(bell_fd)
        time.sleep(0.02)
        write_all(frames_fd, frame(READY) + case(0) + case(1) + frame(END))

    result, _ = run(closes)
    assert result.ending == "done" and sorted(result.cases) == [0, 1]


def test_a_dead_child_ends_the_task_at_once():
    def dies(frames_fd: int, bell_fd: int) -> None:
        write_all(frames_fd, frame(READY) + case(0))
        os.close(frames_fd)
        os.close(bell_fd)

    result, seconds = run(dies, seconds=5.0)
    assert result.ending == "ended early" and list(result.cases) == [0]
    assert seconds < 1.0


def test_an_end_frame_whose_ring_never_comes_is_tampering():
    def withholds(frames_fd: int, bell_fd: int) -> None:
        write_all(frames_fd, frame(READY) + case(0) + case(1) + frame(END) + b"stray")

    result, _ = run(withholds, seconds=0.3)
    assert result.ending == "tampered"


@pytest.mark.parametrize("rings, frames", [
    (b"!", frame(READY) + case(0)),  # a ring before the end frame
    (b"!!", frame(READY) + case(0) + case(1) + frame(END)),  # two rings for one task
], ids=["ring-without-end", "two-rings"])
def test_misusing_the_bell_is_tampering(rings, frames):
    def rings_badly(frames_fd: int, bell_fd: int) -> None:
        write_all(frames_fd, frames)
        os.write(bell_fd, rings)

    result, _ = run(rings_badly)
    assert result.ending == "tampered" and result.cases == {}
