"""Files the grader derives once and keeps across runs, under ~/.cache/dnn-grader.

Only the trusted grader writes there (student code runs with a read-only view that does not
include it). Every entry's name carries a digest of everything it was derived from, so a
change of input or version makes a new entry instead of reusing a stale one; an entry that
cannot be written (read-only home) is simply rebuilt on every run.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable

KEEP = 8  # entries kept per kind (e.g. per assignment's plan): older ones are removed


def folder() -> Path:
    """The cache folder (``$XDG_CACHE_HOME/dnn-grader`` or ``~/.cache/dnn-grader``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dnn-grader"


def digest(*parts: bytes | str) -> str:
    """A short hex digest of ``parts`` (names cache entries)."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode() if isinstance(part, str) else part)
        hashed.update(b"\0")
    return hashed.hexdigest()[:24]


def cached(name: str, build: Callable[[], bytes]) -> bytes:
    """The bytes of entry ``name``, built (and stored, atomically) the first time; the
    oldest entries of the same kind are then dropped."""
    path = folder() / name
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
        _prune(path)
    except OSError:
        pass
    return data


def _prune(path: Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` newest entries named like ``path`` up to its last ``-``."""
    prefix = path.name.rsplit("-", 1)[0]
    entries = sorted(path.parent.glob(f"{prefix}-*"), key=lambda p: p.stat().st_mtime,
                     reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)
