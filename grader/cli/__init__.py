"""Command-line interface: ``grade`` (the main job) and ``dnn-grader`` (its instructor verbs)."""
from grader.cli.grade import (EXIT_CANNOT_GRADE, EXIT_INTERRUPTED, EXIT_OK, build_parser,
                              main)

__all__ = ["EXIT_CANNOT_GRADE", "EXIT_INTERRUPTED", "EXIT_OK", "build_parser", "main"]
