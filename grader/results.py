"""Result records shared by the checks, the report and batch grading."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

PASSED, PARTIAL, FAILED = "passed", "partial", "failed"
NOT_IMPLEMENTED, MISSING, ERROR, TIMEOUT = "not implemented", "missing", "error", "timeout"


@dataclass
class CaseResult:
    """Verdict on one test case."""

    name: str
    weight: float
    passed: bool
    message: str = ""


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


@dataclass
class SubmissionResult:
    """Everything known about one graded notebook."""

    path: str
    assignment: str
    title: str
    functions: list[FunctionResult]
    warnings: list[str] = field(default_factory=list)
    isolation: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(f.score for f in self.functions), 6)

    @property
    def max_score(self) -> float:
        return round(sum(f.max_score for f in self.functions), 6)

    def to_dict(self) -> dict:
        return dict(asdict(self), score=self.score, max_score=self.max_score)
