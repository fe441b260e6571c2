"""Limits applied to a worker child before it runs student code.

Runs inside the freshly forked child (never in the trusted process). Each layer that the
operating system allows is applied; the names of the layers achieved are reported back.
"""
from __future__ import annotations

import os
import resource
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Limits:
    """Resource limits for one graded-function run (all configurable, safe defaults)."""

    wall_seconds: float = 10.0
    cpu_seconds: int = 20
    memory_mb: int = 1536
    file_size_mb: int = 16
    open_files: int = 64
    processes: int = 64
    output_chars: int = 4000
    result_mb: int = 32

    def to_dict(self) -> dict:
        return asdict(self)


def apply(limits: Limits) -> list[str]:
    """Apply every available limit to the current process; return the layers achieved."""
    mib = 1024 * 1024
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_CPU, limits.cpu_seconds)
    _limit(resource.RLIMIT_AS, limits.memory_mb * mib)
    _limit(resource.RLIMIT_FSIZE, limits.file_size_mb * mib)
    _limit(resource.RLIMIT_NOFILE, limits.open_files)
    _limit(resource.RLIMIT_NPROC, limits.processes)
    return ["rlimits"]


def _limit(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def new_process_group() -> None:
    """Lead a new session so the whole group can be killed at the deadline."""
    os.setsid()
