"""Student-facing texts in English, Simplified Chinese and Korean, through gettext catalogs.

    grader/locale/dnn_grader.pot                      every message (generated)
    grader/locale/<lang>/LC_MESSAGES/dnn_grader.po    its translations (translators edit these)
    grader/locale/<lang>/LC_MESSAGES/dnn_grader.mo    the compiled catalog (generated)

The messages are the ``_()`` and ``N_()`` strings of the grader and of the notebooks' public
checks, and the data texts students read: hints (spec.toml, releases.toml), named-mistake
explanations (mistakes.toml), test-case names and release titles. A text without a
translation (an assignment of one's own course folder) stays English. Grading reads the .mo
files with the standard library's gettext; only regenerating them needs Babel:

    python -m grader.i18n extract    # the .pot from the sources
    python -m grader.i18n update     # each .po brought in line with them (new messages empty,
                                     # changed ones fuzzy: both still to translate)
    python -m grader.i18n compile    # each .mo from its .po
    python -m grader.i18n --check    # fail unless all are in sync and fully translated

The language in force is a context variable (``using``): threads grading different
submissions each have their own.
"""
from __future__ import annotations

import contextlib
import functools
import gettext
import os
import sys
from contextvars import ContextVar
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterator, Mapping

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

SOURCE = "en"                        # the language the messages are written in
LANGUAGES = (SOURCE, "zh_CN", "ko")  # what --lang, metadata and the locale may choose
DOMAIN = "dnn_grader"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANG_ENV = "DNN_GRADER_LANG"         # the grader's own choice, before the locale's variables
LOCALE_ENV = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order
_ALIASES = {"en": SOURCE, "zh": "zh_CN", "zh_cn": "zh_CN", "zh_sg": "zh_CN", "zh_hans": "zh_CN",
            "zh_hans_cn": "zh_CN", "ko": "ko", "ko_kr": "ko"}
_MAX_CHARS = 40

_language: ContextVar[str] = ContextVar("dnn_grader_language", default=SOURCE)


# ----------------------------------------------------------------------------- choosing

def normalize(value: object) -> str | None:
    """The known language ``value`` names (``zh-CN``, ``ko_KR.UTF-8``, ``en_US``...), or None.
    Only ever compared with LANGUAGES: a value from a notebook is never used as a path."""
    if type(value) is not str or len(value) > _MAX_CHARS:
        return None
    tag = value.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if tag.startswith("en_"):
        return SOURCE
    return _ALIASES.get(tag)


def from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """DNN_GRADER_LANG if it names a known language, else the locale (the first of LANGUAGE,
    LC_ALL, LC_MESSAGES and LANG that is set: its first known language), else English."""
    chosen = normalize(environ.get(LANG_ENV))
    if chosen:
        return chosen
    value = next((environ[name] for name in LOCALE_ENV if environ.get(name)), "")
    return next(filter(None, map(normalize, value.split(":"))), SOURCE)


def from_metadata(metadata: object) -> str | None:
    """The known language of a notebook's ``metadata.dnn_grader.lang``, or None."""
    meta = metadata.get("dnn_grader") if isinstance(metadata, Mapping) else None
    return normalize(meta.get("lang")) if isinstance(meta, Mapping) else None


@contextlib.contextmanager
def using(lang: str) -> Iterator[str]:
    """Messages in ``lang`` (English when it is no known language) inside the block."""
    token = _language.set(normalize(lang) or SOURCE)
    try:
        yield _language.get()
    finally:
        _language.reset(token)


def current() -> str:
    """The language in force."""
    return _language.get()


def html_lang(lang: str) -> str:
    """``lang`` as an HTML ``lang`` attribute (``zh-CN``)."""
    return (normalize(lang) or SOURCE).replace("_", "-")


# ----------------------------------------------------------------------------- translating

def N_(message: str) -> str:
    """Mark ``message`` for the catalogs; it is translated where it is shown."""
    return message


def _(message: str) -> str:
    """``message`` in the language in force."""
    return translate(message, _language.get())


def translate(message: str, lang: str) -> str:
    """``message`` in ``lang`` (a code of LANGUAGES); ``message`` itself when it has no
    translation, and for the empty message (whose msgid holds the catalog's header)."""
    return _catalog(lang).gettext(message) if message else message


@functools.cache
def _catalog(lang: str) -> gettext.NullTranslations:
    if lang not in LANGUAGES or lang == SOURCE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, [lang], fallback=True)


# ----------------------------------------------------------------------------- catalogs
# Everything below regenerates or checks the catalogs; grading never runs it, so it imports
# what it needs (Babel among them) where it is used.

REPO = Path(__file__).resolve().parent.parent
PYTHON_SOURCES = ("grader/**/*.py", "assignments/*/public_tests.py")
TOML_SOURCES = ("reference/*/spec.toml", "reference/*/mistakes.toml", "reference/*/releases.toml")
KEYWORDS = {"_": None, "N_": None}
COMMENT_TAGS = ("Translators:",)
STAMP = (2025, 1, 1)  # the catalogs' fixed dates: regenerating changes nothing
GENERATED_BY = '"Generated-By:'  # the one header line that names Babel's version
HEADER = """\
# Student-facing messages of dnn-grader (generated by python -m grader.i18n; see its docstring).
# Keep every {field} of a message in its translation, and code (names, numpy calls) as code."""


def template_path() -> Path:
    return LOCALE_DIR / f"{DOMAIN}.pot"


def catalog_path(lang: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def extract_toml(fileobj: IO[bytes], keywords: object, comment_tags: object,
                 options: object) -> Iterator[tuple]:
    """Babel extraction method for the data texts of spec.toml, mistakes.toml and
    releases.toml: (line, keyword, message, translator comments) per text."""
    import tomllib

    data = tomllib.loads(fileobj.read().decode("utf-8"))
    kind = Path(fileobj.name).name
    assignment = Path(fileobj.name).parent.name
    texts = {"spec.toml": _spec_texts, "mistakes.toml": _mistake_texts,
             "releases.toml": _release_texts}[kind](data)
    for text, comment in texts:
        if text:
            yield 0, None, text, [f"{assignment}: {comment}"]


def _spec_texts(data: dict) -> Iterator[tuple[str, str]]:
    for function in data.get("functions", []):
        yield function.get("hint", ""), f"hint of {function['name']}"
        for case in function.get("cases", []):
            yield case["name"], f"name of a test case of {function['name']}"


def _mistake_texts(data: dict) -> Iterator[tuple[str, str]]:
    for function, mistakes in data.items():
        for mistake in mistakes:  # whitespace collapsed as grader.spec reads it
            yield " ".join(str(mistake["explanation"]).split()), \
                f"named mistake {mistake['id']} of {function}"


def _release_texts(data: dict) -> Iterator[tuple[str, str]]:
    for release in data.get("releases", []):
        yield release["title"], f"title of course release {release['id']}"
        for function, change in release.get("functions", {}).items():
            yield change.get("hint", ""), f"hint of {function} in release {release['id']}"


def template() -> "Catalog":
    """Every message of the sources, in source order."""
    from babel.messages.extract import extract_from_file

    catalog = _new_catalog(None)
    for patterns, method in ((PYTHON_SOURCES, "python"), (TOML_SOURCES, extract_toml)):
        for path in _sources(patterns):
            where = path.relative_to(REPO).as_posix()
            for line, message, comments, context in extract_from_file(
                    method, path, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
                    strip_comment_tags=True):
                formatted = method == "python" and fields(message)
                flags = ("python-brace-format",) if formatted else ()
                catalog.add(message, None, [(where, line)], flags=flags,
                            auto_comments=comments, context=context)
    return catalog


def _new_catalog(lang: str | None) -> "Catalog":
    from datetime import datetime, timezone

    from babel.messages.catalog import Catalog

    stamp = datetime(*STAMP, tzinfo=timezone.utc)
    return Catalog(locale=lang, domain=DOMAIN, header_comment=HEADER, project="dnn-grader",
                   version="1", creation_date=stamp, revision_date=stamp, fuzzy=False,
                   msgid_bugs_address="the dnn-grader issue tracker",
                   last_translator="the dnn-grader authors", language_team="dnn-grader")


def _sources(patterns: tuple[str, ...]) -> list[Path]:
    return [path for pattern in patterns for path in sorted(REPO.glob(pattern))]


def updated(lang: str, pot: "Catalog") -> "Catalog":
    """The ``lang`` catalog brought in line with ``pot``: new messages untranslated, similar
    ones fuzzy with the old translation, vanished ones dropped when written."""
    from babel.messages.pofile import read_po

    path = catalog_path(lang)
    if path.is_file():
        with path.open("rb") as stream:
            catalog = read_po(stream, locale=lang, domain=DOMAIN)
    else:
        catalog = _new_catalog(lang)
    catalog.update(pot, update_header_comment=True)
    return catalog


def po_text(catalog: "Catalog") -> str:
    """``catalog`` as .po/.pot text: file locations without line numbers (editing code does
    not move messages), obsolete entries left out."""
    import io

    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalog, ignore_obsolete=True, include_lineno=False, width=100)
    return buffer.getvalue().decode("utf-8")


def mo_bytes(lang: str) -> bytes:
    """The compiled catalog of the committed ``lang`` .po (fuzzy translations left out)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(lang).open("rb") as stream:
        catalog = read_po(stream, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def fields(message: str) -> set[str] | None:
    """The ``str.format`` fields of ``message``; None when it is no valid format string."""
    import string

    try:
        return {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}
    except ValueError:
        return None


def untranslated(lang: str) -> list[str]:
    """What is wrong with the committed ``lang`` catalog's translations: messages without one
    (or only a fuzzy one), and translations whose format fields differ from the message's."""
    from babel.messages.pofile import read_po

    with catalog_path(lang).open("rb") as stream:
        catalog = read_po(stream, locale=lang, domain=DOMAIN)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if not message.string or message.fuzzy:
            problems.append(f"{lang}: no translation of {message.id!r}")
        elif fields(message.string) != fields(message.id):
            problems.append(f"{lang}: the fields of {message.id!r} differ in {message.string!r}")
    return problems


def _same(committed: Path, text: str) -> bool:
    """Whether ``committed`` holds ``text``, but for the Babel version that wrote it."""
    def kept(lines: str) -> list[str]:
        return [line for line in lines.splitlines() if not line.startswith(GENERATED_BY)]

    return committed.is_file() and kept(committed.read_text(encoding="utf-8")) == kept(text)


def _same_mo(committed: Path, data: bytes) -> bool:
    """Whether the compiled catalog ``committed`` holds the messages of ``data``."""
    import io

    def messages(raw: bytes) -> dict:
        found = gettext.GNUTranslations(io.BytesIO(raw))._catalog  # noqa: SLF001
        return {key: value for key, value in found.items() if key != ""}

    return committed.is_file() and messages(committed.read_bytes()) == messages(data)


def check() -> list[str]:
    """Why the committed catalogs are not what the generator writes (empty: in sync), and
    every missing or inconsistent translation."""
    pot = template()
    problems = [] if _same(template_path(), po_text(pot)) else [
        f"{template_path()} is out of date; run: python -m grader.i18n extract"]
    for lang in LANGUAGES[1:]:
        po, mo = catalog_path(lang), catalog_path(lang, ".mo")
        if not po.is_file():
            problems.append(f"{po} is missing; run: python -m grader.i18n update")
            continue
        if not _same(po, po_text(updated(lang, pot))):
            problems.append(f"{po} is out of date; run: python -m grader.i18n update")
        if not _same_mo(mo, mo_bytes(lang)):
            problems.append(f"{mo} is out of date; run: python -m grader.i18n compile")
        problems += untranslated(lang)
    return problems


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    print(f"wrote {path.relative_to(REPO)}")


def main(argv: list[str] | None = None) -> int:
    """``extract``, ``update``, ``compile`` (several run in that order), or ``--check``."""
    args = sys.argv[1:] if argv is None else argv
    known = ("extract", "update", "compile", "--check")
    if not args or set(args) - set(known):
        print(f"usage: python -m grader.i18n {{{'|'.join(known)}}} ...", file=sys.stderr)
        return 2
    if "--check" in args:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    if "extract" in args:
        _write(template_path(), po_text(template()))
    if "update" in args:
        pot = template()
        for lang in LANGUAGES[1:]:
            _write(catalog_path(lang), po_text(updated(lang, pot)))
    if "compile" in args:
        for lang in LANGUAGES[1:]:
            _write(catalog_path(lang, ".mo"), mo_bytes(lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())
