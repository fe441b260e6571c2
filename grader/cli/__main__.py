"""``python -m grader.cli``: the grade command."""
import sys

from grader.cli.grade import main

sys.exit(main())
