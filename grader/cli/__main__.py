"""``python -m grader.cli``: the grade command."""
import sys

from grader.cli import main

sys.exit(main())
