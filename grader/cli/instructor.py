"""The ``dnn-grader`` command: the instructor's verbs around ``grade``.

    dnn-grader list [--format json]                 installed assignments
    dnn-grader release ID --out DIR [--zip]          the students' material
    dnn-grader gradescope ID --out autograder.zip    Gradescope's autograder
    dnn-grader new ID --from solution.ipynb          scaffold an assignment of one's own
    dnn-grader grade ...                             the same as ``grade ...``

Every verb takes ``--course DIR`` (or $DNN_GRADER_COURSE) for assignments of one's own.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grader import __version__, i18n, releases, spec
from grader.cli import grade
from grader.report import points, printable

EXIT_OK, EXIT_ERROR = 0, 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dnn-grader", description="Deep-learning course assignments: list, hand out, "
        "deploy on Gradescope, author your own, and grade (see also: grade --help).")
    parser.add_argument("--version", action="version", version=f"dnn-grader {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    listing = verbs.add_parser("list", help="the installed assignments, their functions, "
                               "points and course releases")
    listing.add_argument("--format", choices=["table", "json"], default="table")

    release = verbs.add_parser("release", help="write the students' material of an assignment")
    release.add_argument("id", metavar="ID")
    release.add_argument("--out", required=True, metavar="DIR", help="writes DIR/ID/")
    release.add_argument("--zip", action="store_true", help="also write DIR/ID.zip")

    gradescope = verbs.add_parser("gradescope", help="write Gradescope's autograder zip")
    gradescope.add_argument("id", metavar="ID")
    gradescope.add_argument("--out", default="autograder.zip", metavar="FILE.zip",
                            help="default: %(default)s")
    gradescope.add_argument("--lang", type=grade._language, choices=i18n.LANGUAGES,
                            help="the feedback's language when an upload's metadata names none "
                                 "(default: en)")

    new = verbs.add_parser("new", help="scaffold an assignment of one's own from a solution "
                           "notebook (see docs/authoring.md)")
    new.add_argument("id", metavar="ID", help="letters, digits and _ (e.g. W2A1)")
    new.add_argument("--from", dest="solution", required=True, metavar="NOTEBOOK",
                     help="the instructor's solution notebook (graded cells with START/END "
                          "regions filled in)")
    new.add_argument("--points", type=float, default=10, metavar="N",
                     help="points per graded function in the skeleton (default: %(default)s)")

    for verb in (listing, release, gradescope, new):
        grade.add_course_option(verb)
    verbs.add_parser("grade", help="grade notebooks (the same as the grade command)",
                     add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["grade"]:
        return grade.main(argv[1:])
    try:
        return _run(build_parser().parse_args(argv))
    except BrokenPipeError:  # e.g. `dnn-grader list | head`: the reader has what it wanted
        sys.stdout = None
        return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    if args.verb == "new":
        return _fail_on(_new, args)
    problem = grade.use_courses(args.course)
    if problem:
        return _error(problem)
    return _fail_on({"list": _list, "release": _release, "gradescope": _gradescope}[args.verb],
                    args)


def _fail_on(verb, args: argparse.Namespace) -> int:
    """Run ``verb``; a spec or authoring problem is one line on stderr and exit status 1."""
    from grader.handout import HandoutError
    from grader.scaffold import ScaffoldError

    try:
        return verb(args)
    except (spec.SpecError, HandoutError, ScaffoldError, OSError) as exc:
        return _error(str(exc))


def _error(reason: str) -> int:
    print(f"dnn-grader: {printable(reason)}", file=sys.stderr)
    return EXIT_ERROR


def describe(assignment_id: str) -> dict:
    """What ``list`` shows of one assignment."""
    assignment = spec.load(assignment_id)
    return {
        "id": assignment.id, "title": assignment.title, "points": assignment.max_score,
        "notebook": assignment.notebook.name, "course": str(assignment.root),
        "functions": [{"name": f.name, "points": f.points} for f in assignment.functions.values()],
        "releases": [{"id": r.id, "title": r.title} for r in releases.load(assignment_id)],
    }


def _list(args: argparse.Namespace) -> int:
    described = [describe(assignment_id) for assignment_id in spec.available()]
    if args.format == "json":
        print(json.dumps(described, indent=2))
        return EXIT_OK
    for item in described:
        print(f"{item['id']}  {item['title']}  ({points(item['points'])} points)")
        print(f"  releases: {', '.join(r['id'] for r in item['releases'])}")
        for function in item["functions"]:
            print(f"  {points(function['points']):>4}  {function['name']}")
    return EXIT_OK


def _release(args: argparse.Namespace) -> int:
    from grader import handout

    folder = handout.write_bundle(args.id, Path(args.out))
    print(f"wrote {folder}")
    if args.zip:
        print(f"wrote {handout.zip_bundle(folder)}")
    return EXIT_OK


def _gradescope(args: argparse.Namespace) -> int:
    from grader import gradescope

    target = Path(args.out)
    if target.suffix != ".zip":
        return _error(f"--out must name a .zip file, not {target}")
    print(f"wrote {gradescope.build_zip(args.id, target, args.lang or i18n.SOURCE)}")
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from grader import scaffold

    course = Path(args.course[0] if args.course else ".")
    made = scaffold.new_assignment(args.id, Path(args.solution), course, args.points)
    for path in made:
        print(f"wrote {path}")
    print(f"next: fill in the inputs in {course / 'reference' / args.id / 'cases.py'}, then run "
          f"python -m grader.fixtures --course {course} {args.id}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
