"""Result records shared by the checks, the report and batch grading."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

PASSED, PARTIAL, FAILED = "passed", "partial", "failed"
NOT_IMPLEMENTED, MISSING, ERROR, TIMEOUT = "not implemented", "missing", "error", "timeout"
MAX_MESSAGE_CHARS = 2_000
MAX_OUTPUT_CHARS = 4_000
MAX_LINE_CHARS = 300
CUT = "…"
# control characters but newline and tab (terminal escapes, carriage returns), bidi overrides,
# and lone surrogates (which cannot be written as UTF-8)
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def safe_text(text: object, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` fit to be stored and shown: unsafe characters removed, every line cut to
    ``MAX_LINE_CHARS`` and the whole to ``limit`` characters."""
    text = _UNSAFE.sub("", str(text)[: limit * 2])
    lines = [line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + CUT
             for line in text.split("\n")]
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1] + CUT


@dataclass
class CaseResult:
    """Verdict on one test case."""

    name: str
    weight: float
    passed: bool
    message: str = ""
    mistake: str = ""  # id of the named mistake its result matches ("": none)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class FunctionResult:
    """Points and feedback for one graded function."""

    name: str
    score: float
    max_score: float
    status: str
    message: str = ""
    hint: str = ""
    cases: list[CaseResult] = field(default_factory=list)
    output: str = ""
    seconds: float = 0.0
    mistake: str = ""  # the named mistake its failing cases match ("": none)

    def to_dict(self) -> dict:
        return dict(self.__dict__, cases=[c.to_dict() for c in self.cases])


@dataclass
class SubmissionResult:
    """Everything known about one graded notebook."""

    path: str
    assignment: str
    title: str
    functions: list[FunctionResult]
    warnings: list[str] = field(default_factory=list)
    isolation: list[str] = field(default_factory=list)
    release: str = ""        # the course release it was graded as
    release_title: str = ""
    release_note: str = ""   # why that release may be doubtful (ambiguous, chosen by hand)
    lang: str = "en"         # the language of its texts (grader/i18n.py)

    @property
    def graded_as(self) -> str:
        """``graded as release …`` with its title and note, for every report."""
        text = f"graded as release {self.release} ({self.release_title})"
        return f"{text}; {self.release_note}" if self.release_note else text

    @property
    def score(self) -> float:
        return round(sum(f.score for f in self.functions), 6)

    @property
    def max_score(self) -> float:
        return round(sum(f.max_score for f in self.functions), 6)

    def to_dict(self) -> dict:
        """Plain data (what ``asdict`` gives, without its deep copies) and the totals."""
        return dict(self.__dict__, functions=[f.to_dict() for f in self.functions],
                    warnings=list(self.warnings), isolation=list(self.isolation),
                    score=self.score, max_score=self.max_score)
