"""The grader's side of one task (``execute.run_child``) against a scripted child on real
pipes: it keeps every case that ended before a hang, reads frames far larger than a pipe
holds, ends at once when the child dies, and takes a frame after the end as tampering."""
from __future__ import annotations

import json
import os
import threading
import time

from grader.execute import Task, run_child
from grader.sandbox import Limits
from grader.worker import END, HEADER

READY = json.dumps({"ready": True, "isolation": ["rlimits"]}).encode()
CASES = [{"args": {"__tuple__": [index]}, "seed": 0} for index in range(2)]


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def case(index: int, stdout: str = "") -> bytes:
    return frame(json.dumps({"case": index, "output": index, "stdout": stdout}).encode())


def run(script, seconds: float = 2.0):
    """``run_child`` on a one-function task, its child being ``script(frames_fd)`` in a
    thread; the result, and how long the grader took."""
    task_read, task_write = os.pipe()
    frame_read, frame_write = os.pipe()
    os.set_blocking(task_write, False)
    child = threading.Thread(target=script, args=(frame_write,), daemon=True)
    started = time.monotonic()
    child.start()
    try:
        result = run_child(Task("f", "def f(x):\n    return x", [], CASES),
                           Limits(wall_seconds=seconds), task_write, frame_read)
        took = time.monotonic() - started
    finally:
        child.join(timeout=5)
        for fd in (task_read, task_write, frame_read):
            os.close(fd)
        try:
            os.close(frame_write)
        except OSError:
            pass  # the script closed it itself
    return result, took


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def test_a_task_ends_at_its_end_frame():
    def honest(frames_fd: int) -> None:
        write_all(frames_fd, frame(READY) + case(0))
        time.sleep(0.02)  # the end frame comes later: the task is not over before it
        write_all(frames_fd, case(1) + frame(END))

    result, seconds = run(honest)
    assert result.ending == "done" and sorted(result.cases) == [0, 1]
    assert seconds < 1.0


def test_the_cases_before_one_that_hangs_count():
    def hangs(frames_fd: int) -> None:
        write_all(frames_fd, frame(READY) + case(0, stdout="first"))
        time.sleep(1.5)  # case 1 never returns before the deadline

    result, _ = run(hangs, seconds=0.5)
    assert result.ending == "timeout"
    assert list(result.cases) == [0] and result.cases[0]["stdout"] == "first"
    assert 0.5 <= result.seconds < 1.0


def test_frames_larger_than_a_pipe_are_read_whole():
    big = "x" * 3_000_000  # far more than a pipe holds: the child blocks until it is read

    def large(frames_fd: int) -> None:
        write_all(frames_fd, frame(READY) + case(0, stdout=big) + case(1, stdout=big)
                  + frame(END))

    result, seconds = run(large)
    assert result.ending == "done" and len(result.cases[1]["stdout"]) == 4000
    assert seconds < 1.0


def test_a_dead_child_ends_the_task_at_once():
    def dies(frames_fd: int) -> None:
        write_all(frames_fd, frame(READY) + case(0))
        os.close(frames_fd)

    result, seconds = run(dies, seconds=5.0)
    assert result.ending == "ended early" and list(result.cases) == [0]
    assert seconds < 1.0


def test_a_frame_after_the_end_is_tampering():
    def stray(frames_fd: int) -> None:
        write_all(frames_fd, frame(READY) + case(0) + case(1) + frame(END) + frame(READY))

    result, _ = run(stray)
    assert result.ending == "tampered" and result.cases == {}
