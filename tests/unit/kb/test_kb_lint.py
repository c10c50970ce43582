from __future__ import annotations

import shutil
from pathlib import Path

from core.taxonomy import SUBTYPES
from kb.lint import lint
from tests.unit.kb.kb_helpers import FIXTURE_ARTICLES, WriteArticle


def _copy_fixtures(tmp_path: Path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(FIXTURE_ARTICLES, target)
    return target


def test_the_real_knowledge_base_passes_lint() -> None:
    problems = lint()
    assert problems == [], "\n".join(map(str, problems))


def test_the_fixture_articles_pass_lint() -> None:
    assert lint(FIXTURE_ARTICLES) == []


def test_a_subtype_without_any_article_is_a_problem(tmp_path: Path) -> None:
    directory = _copy_fixtures(tmp_path)
    (directory / "fin-refund-request.md").unlink()
    messages = [p.message for p in lint(directory)]
    assert messages == ["subtype 'fin.refund' has no article"]


def test_an_empty_directory_misses_every_subtype(tmp_path: Path) -> None:
    assert len(lint(tmp_path)) == len(SUBTYPES)


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    directory = _copy_fixtures(tmp_path)
    original = directory / "av-blur-quality-setting.md"
    shutil.copy(original, directory / "av-blur-copy.md")
    messages = [str(p) for p in lint(directory)]
    assert any("duplicate id 'av-blur-quality-setting'" in m for m in messages)


def test_every_broken_file_is_reported_not_just_the_first(
    tmp_path: Path, write_article: WriteArticle
) -> None:
    write_article("av-one", kind="nonsense")
    write_article("svc-two", subtypes='["svc.attitude"]')
    write_article("av-three", subtypes='["av.unknown"]')
    problems = lint(tmp_path)
    files = {p.path.name for p in problems if p.path is not None and p.path.suffix == ".md"}
    assert files == {"av-one.md", "svc-two.md", "av-three.md"}


def test_a_missing_directory_is_one_problem(tmp_path: Path) -> None:
    (problem,) = lint(tmp_path / "missing")
    assert "not found" in problem.message
