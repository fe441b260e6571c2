"""Feedback in English, Simplified Chinese and Korean (grader/i18n.py and grader/locale/).

The catalogs are generated and compiled by ``python -m grader.i18n``: they must be in sync with
the sources and translate every message, in both catalogs. Grading a wrong sample in either
language names its mistake in that language in the table, results.json and the feedback page;
the language comes from --lang, else the notebook's metadata, else the locale, else English.
"""
from __future__ import annotations

import ast
import gettext
import html
import importlib
import io
import json
import shutil
from functools import cache
from pathlib import Path

import nbformat
import pytest

from grader import batch, checks, dashboard, exports, fixtures, i18n, releases, report, spec
from grader.cli import grade
from grader.pipeline import grade_notebook

from test_hints import leaks

TRANSLATED = i18n.LANGUAGES[1:]
ASSIGNMENTS = spec.available()
SAMPLES = [(a, s) for a in ASSIGNMENTS for s in fixtures.samples(spec.load(a))]
SAMPLE = ("C1W4A1", "wrong_linear_backward_db_no_keepdims.ipynb", "keepdims_missing")
NO_LOCALE = {name: "" for name in (i18n.LANG_ENV, *i18n.LOCALE_ENV)}


@cache
def compiled(lang: str) -> dict[str, str]:
    """The committed .mo of ``lang``: msgid -> translation (header left out)."""
    with i18n.catalog_path(lang, ".mo").open("rb") as stream:
        found = gettext.GNUTranslations(stream)._catalog  # noqa: SLF001
    return {key: value for key, value in found.items() if key}


def code_messages() -> set[str]:
    """Every literal passed to ``_``/``N_`` in the catalogs' Python sources (inside f-strings
    too, where Babel would not see it); the other calls translate such a literal's constant or
    a data text."""
    found = set()
    for path in i18n._sources(i18n.PYTHON_SOURCES):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args and _name(node.func) in i18n.KEYWORDS \
                    and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
    return found


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def shadowing(tree: ast.AST) -> list[str]:
    """Functions that call ``_()`` but also bind ``_`` themselves (``_, x = ...``), which turns
    the translation function into that value there."""
    found = []
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            own = list(_own_scope(function))
            calls = any(isinstance(n, ast.Call) and _name(n.func) == "_" for n in own)
            binds = any(isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)
                        for n in own)
            if calls and binds:
                found.append(function.name)
    return found


def _own_scope(function: ast.AST):
    """The nodes of ``function``'s own scope (not those of nested functions or
    comprehensions)."""
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp,
              ast.DictComp, ast.GeneratorExp)
    pending = list(ast.iter_child_nodes(function))
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, nested):
            pending.extend(ast.iter_child_nodes(node))


def data_messages() -> set[str]:
    """Every hint (of every release), named-mistake explanation, case name and release title
    as the grader loads them."""
    found = set()
    for assignment_id in ASSIGNMENTS:
        assignment = spec.load(assignment_id)
        for release in releases.load(assignment_id):
            found.add(release.title)
            found |= {release.apply(f).hint for f in assignment.functions.values()}
        for function in assignment.functions.values():
            found |= {case.name for case in function.cases}
            found |= {mistake.explanation for mistake in function.mistakes}
    return found


# ----------------------------------------------------------------------------- catalogs

def test_the_catalogs_are_generated_compiled_and_complete():
    assert i18n.check() == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_shown_has_a_translation(lang):
    messages = code_messages() | data_messages()
    assert len(messages) > 250
    missing = sorted(m for m in messages if not compiled(lang).get(m))
    assert missing == []


def test_no_function_hides_the_translation_function():
    found = {path.name: shadowing(ast.parse(path.read_text()))
             for path in i18n._sources(i18n.PYTHON_SOURCES)}
    assert {name: functions for name, functions in found.items() if functions} == {}
    assert shadowing(ast.parse("def f():\n    _, x = 1, 2\n    return _('a')")) == ["f"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_fields_and_give_nothing_away(lang):
    for message, translation in compiled(lang).items():
        assert i18n.fields(translation) == i18n.fields(message), (message, translation)
        assert leaks(translation) == [], (message, translation)


def test_a_message_without_translation_fails_the_check(tmp_path, monkeypatch):
    shutil.copytree(i18n.LOCALE_DIR, tmp_path / "locale")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    po = i18n.catalog_path("ko")
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "모든 테스트를 통과했습니다."', 'msgstr ""')
                  .replace('msgstr "{path}: 받은 값 {got}"', 'msgstr "{path}: 받은 값"'),
                  encoding="utf-8")
    problems = i18n.check()
    assert "ko: no translation of 'All tests passed.'" in problems
    assert any("the fields of '{path}: got {got}' differ" in p for p in problems)
    assert any(p.endswith("out of date; run: python -m grader.i18n compile") for p in problems)


# ----------------------------------------------------------------------------- choosing

def test_language_names_are_normalized_and_anything_else_refused():
    assert [i18n.normalize(v) for v in ("zh_CN", "zh-cn", "zh_CN.UTF-8", "ko_KR", "ko", "en_US",
                                        "C")] == ["zh_CN", "zh_CN", "zh_CN", "ko", "ko", "en",
                                                  None]
    for value in ("fr", "../../etc/passwd", "ko/../../x", "", None, 3, ["ko"], "k" * 100):
        assert i18n.normalize(value) is None


def test_the_environment_chooses_like_gettext():
    assert i18n.from_environment({}) == "en"
    assert i18n.from_environment({"LANG": "ko_KR.UTF-8"}) == "ko"
    assert i18n.from_environment({"LANGUAGE": "fr:zh_CN", "LANG": "ko_KR.UTF-8"}) == "zh_CN"
    assert i18n.from_environment({"LC_ALL": "fr_FR.UTF-8", "LANG": "ko_KR.UTF-8"}) == "en"
    assert i18n.from_environment({"DNN_GRADER_LANG": "ko", "LANG": "zh_CN.UTF-8"}) == "ko"
    assert i18n.from_environment({"DNN_GRADER_LANG": "xx", "LANG": "zh_CN.UTF-8"}) == "zh_CN"


def test_notebook_metadata_names_a_known_language_or_nothing():
    assert i18n.from_metadata({"dnn_grader": {"lang": "zh-CN"}}) == "zh_CN"
    for metadata in ({"dnn_grader": {"lang": "../locale"}}, {"dnn_grader": "ko"}, {}, None,
                     {"dnn_grader": {"lang": {"ko": 1}}}):
        assert i18n.from_metadata(metadata) is None


def test_messages_follow_the_language_in_force():
    with i18n.using("ko"):
        assert checks.compare_output(None, 1.0, ("cost",)) == ["cost: 받은 값 None — 이 부분을 채웠나요?"]
        with i18n.using("zh_CN"):
            assert i18n._("All tests passed.") == "所有测试均已通过。"
        assert i18n.current() == "ko"
    assert i18n.current() == "en" and i18n._("") == ""
    with i18n.using("../../etc"):
        assert i18n.current() == "en"


def test_hidden_numbers_are_masked_after_chinese_and_korean_words():
    assert checks.FLOAT_RE.sub("…", "得到0.25，应为1e-3；값1.5") == "得到…，应为…；값…"


# ----------------------------------------------------------------------------- grading

def test_the_public_checks_speak_the_notebooks_language(capsys, monkeypatch):
    assignment = spec.load("C1W4A1")
    monkeypatch.setenv(i18n.LANG_ENV, "ko")
    with spec.isolated_imports(assignment.directory):
        public_tests = importlib.import_module("public_tests")
        with pytest.raises(AssertionError, match="linear_activation_forward: 검사 2개가 실패"):
            public_tests.linear_activation_forward_test(linear_activation_forward)
        monkeypatch.setenv(i18n.LANG_ENV, "zh_CN")
        public_tests.compute_cost_test(assignment.reference("compute_cost"))
    printed = capsys.readouterr().out
    assert "✗ 강의 예제 (relu): 2개의 반환값(A, cache)을 튜플로 기대했지만 받은 값: None — " \
        "이 부분을 채웠나요?" in printed
    assert "所有测试均已通过。" in printed


def linear_activation_forward(A_prev, W, b, activation):
    return None


def shown(assignment_id: str, function: str, mistake_id: str, lang: str) -> str:
    """The explanation of a named mistake in ``lang``."""
    mistake = next(m for m in spec.load(assignment_id).functions[function].mistakes
                   if m.id == mistake_id)
    text = i18n.translate(mistake.explanation, lang)
    assert text != mistake.explanation
    return text


def graded(result, name: str):
    """The FunctionResult of ``name`` in ``result``."""
    return next(f for f in result.functions if f.name == name)


def table_text(result) -> str:
    buffer = io.StringIO()
    report.print_table(result, buffer)
    return "".join(buffer.getvalue().split())


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_wrong_sample_names_its_mistake_in_the_language(lang, pool, monkeypatch):
    monkeypatch.setenv("COLUMNS", "2000")
    for assignment_id, sample in SAMPLES:
        path = spec.load(assignment_id).fixtures_dir / "submissions" / sample.file
        result = grade_notebook(path, pool, lang=lang)
        function = graded(result, sample.fails[0])
        explanation = shown(assignment_id, function.name, sample.mistake, lang)
        assert result.lang == lang and function.mistake == sample.mistake, sample.file
        assert any(c.message.startswith(explanation) for c in function.cases), sample.file
        assert "".join(explanation.split())[:40] in table_text(result), sample.file
        test = next(t for t in report.gradescope(result)["tests"] if t["name"] == function.name)
        assert explanation in test["output"] and test["extra_data"] == {"mistake": sample.mistake}
        page = exports.feedback_html("ann", path.name, result)
        assert html.escape(explanation) in page, sample.file
        assert f'<html lang="{i18n.html_lang(lang)}">' in page


def test_grade_lang_prints_the_table_and_results_json_in_that_language(capsys, monkeypatch):
    assignment_id, name, mistake = SAMPLE
    path = spec.load(assignment_id).fixtures_dir / "submissions" / name
    monkeypatch.setenv("COLUMNS", "2000")
    assert grade.main([str(path), "--lang", "zh-CN"]) == 0
    table = "".join(capsys.readouterr().out.split())
    assert "".join(shown(assignment_id, "linear_backward", mistake, "zh_CN").split()) in table
    assert "总计" in table and "未通过" in table
    assert grade.main([str(path), "--lang", "ko", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    test = next(t for t in data["tests"] if t["name"] == "linear_backward")
    assert shown(assignment_id, "linear_backward", mistake, "ko") in test["output"]
    assert test["output"].startswith("실패: 0/10점") and "힌트: " in test["output"]


def test_the_locale_chooses_when_nothing_else_does(capsys, monkeypatch):
    assignment_id, name, mistake = SAMPLE
    path = spec.load(assignment_id).fixtures_dir / "submissions" / name
    for variable, value in {**NO_LOCALE, "LANG": "ko_KR.UTF-8"}.items():
        monkeypatch.setenv(variable, value)
    assert grade.main([str(path), "--format", "json"]) == 0
    outputs = [t["output"] for t in json.loads(capsys.readouterr().out)["tests"]]
    assert any(shown(assignment_id, "linear_backward", mistake, "ko") in o for o in outputs)


def notebook_in(lang: object, tmp_path: Path, name: str = "ann_hw.ipynb") -> Path:
    """The C1W4A1 keepdims sample with metadata ``dnn_grader.lang = lang``."""
    assignment_id, sample, _ = SAMPLE
    nb = nbformat.read(spec.load(assignment_id).fixtures_dir / "submissions" / sample,
                       as_version=4)
    nb.metadata["dnn_grader"]["lang"] = lang
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_the_notebook_metadata_chooses_unless_lang_is_given(pool, tmp_path):
    path = notebook_in("zh_CN", tmp_path)
    chinese = shown(SAMPLE[0], "linear_backward", SAMPLE[2], "zh_CN")
    assert grade_notebook(path, pool, default_lang="ko").lang == "zh_CN"
    result = grade_notebook(path, pool, lang="ko")
    assert result.lang == "ko" and chinese not in json.dumps(result.to_dict())


@pytest.mark.parametrize("value", ["fr", "../../etc/passwd", 7, None])
def test_an_unknown_metadata_language_is_ignored(value, pool, tmp_path):
    result = grade_notebook(notebook_in(value, tmp_path), pool)
    explanation = next(m for m in spec.load(SAMPLE[0]).functions["linear_backward"].mistakes
                       if m.id == SAMPLE[2]).explanation
    assert result.lang == "en" and explanation in graded(result, "linear_backward").message


def test_the_default_stays_english(pool):
    assignment_id, name, _ = SAMPLE
    result = grade_notebook(spec.load(assignment_id).fixtures_dir / "submissions" / name, pool)
    page = exports.feedback_html("ann", name, result)
    assert result.lang == "en" and '<html lang="en">' in page and "<strong>hint:</strong>" in page
    test = next(t for t in report.gradescope(result)["tests"] if t["name"] == "linear_backward")
    assert test["output"].startswith("failed: 0/10 points")


def test_a_batch_writes_each_feedback_in_its_language_and_the_dashboard_in_the_batch_one(
        pool, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    notebook_in("zh_CN", folder, "ann_hw.ipynb")
    notebook_in(None, folder, "ben_hw.ipynb")
    out = tmp_path / "results"
    with i18n.using("ko"):
        summary = batch.run([str(folder)], batch.Options(out=out, default_lang="ko"), pool,
                            batch.LogReporter(io.StringIO()))
    assert summary.graded == 2
    pages = {p.parent.name.split("_")[0]: p.read_text() for p in out.rglob(exports.HTML_NAME)}
    assert html.escape(shown(SAMPLE[0], "linear_backward", SAMPLE[2], "zh_CN")) in pages["ann"]
    assert html.escape(shown(SAMPLE[0], "linear_backward", SAMPLE[2], "ko")) in pages["ben"]
    index = (out / dashboard.INDEX_NAME).read_text()
    assert '<html lang="ko">' in index and "<h1>학급 대시보드</h1>" in index
    again = batch.run([str(folder)], batch.Options(out=out, lang="en"), pool,
                      batch.LogReporter(io.StringIO()))
    assert again.graded == 2  # another language is another grading
