from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kb.loader import DEFAULT_DIR, ArticleError, load_articles, read_article
from kb.model import Article
from tests.unit.kb.kb_helpers import FIXTURE_ARTICLES, GOOD, WriteArticle


def test_an_article_file_becomes_an_article_with_every_field(write_article: WriteArticle) -> None:
    path = write_article()
    (article,) = load_articles(path.parent)
    assert article.id == "av-stutter-test"
    assert article.kind == "workaround"
    assert article.subtypes == ("av.stutter",)
    assert article.title_zh == "直播卡顿：切换网络"
    assert article.title_en == "Stream stutters: switch network"
    assert article.symptoms_zh == ("直播一直卡", "一直在缓冲转圈")
    assert article.keywords_en == ("lag", "buffering")
    assert article.applies_to.platforms == ("ios", "android")
    assert article.applies_to.os == ("iOS >= 16",)
    assert article.applies_to.app_versions == ">=5.0,<5.3"
    assert article.steps_zh == "1. 切换网络。\n2. 重新进入直播间。"
    assert article.steps_en.startswith("1. Switch networks.")
    assert article.source == "file"
    assert article.path == path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("+++\nid", "id", 1), "must start with a '+++' line"),
        (GOOD.replace("+++\n## zh", "## zh"), "not closed"),
        (GOOD.replace('kind = "{kind}"', "kind = "), "bad TOML"),
        (GOOD.replace('kind = "{kind}"\n', ""), "missing key 'kind'"),
        (GOOD.replace('en = "Stream stutters: switch network"\n', ""), "'title.en'"),
        (GOOD.replace('zh = ["卡顿", "缓冲"]', "zh = []"), "'keywords.zh' is empty"),
        (GOOD.replace("## en\n1. Switch networks.\n2. Re-enter the room.\n", ""), "'## en'"),
        (GOOD.replace("1. Switch networks.\n2. Re-enter the room.\n", ""), "has no steps"),
        (GOOD.replace('app_versions = ">=5.0,<5.3"', 'app_versions = "soon"'), "version range"),
        (GOOD.replace('platforms = ["ios", "android"]', 'platforms = ["tv"]'), "platform 'tv'"),
        (GOOD.replace("[title]", 'colour = "red"\n\n[title]'), "unknown key 'colour'"),
    ],
)
def test_a_broken_file_is_rejected_with_its_name_and_the_problem(
    write_article: WriteArticle, text: str, expected: str
) -> None:
    path = write_article(text=text)
    with pytest.raises(ArticleError) as caught:
        load_articles(path.parent)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_kind_must_be_one_of_the_three_words(write_article: WriteArticle) -> None:
    _, problems = read_article(write_article(kind="hack"))
    assert any("kind 'hack'" in p.message for p in problems)


def test_unknown_subtypes_are_rejected(write_article: WriteArticle) -> None:
    _, problems = read_article(write_article(subtypes='["av.nope"]'))
    assert any("unknown subtype 'av.nope'" in p.message for p in problems)


def test_service_and_suggestion_subtypes_only_take_info_articles(
    write_article: WriteArticle,
) -> None:
    _, bad = read_article(write_article("svc-fix", subtypes='["svc.attitude"]'))
    _, good = read_article(write_article("svc-info", kind="info", subtypes='["svc.attitude"]'))
    assert any("info only" in p.message for p in bad)
    assert good == []


def test_the_id_must_match_the_file_name(write_article: WriteArticle) -> None:
    _, problems = read_article(write_article("av-stutter-test", name="other.md"))
    assert any("does not match the file name" in p.message for p in problems)


def test_readme_and_underscore_files_are_not_articles(write_article: WriteArticle) -> None:
    path = write_article()
    (path.parent / "README.md").write_text("# notes\n", encoding="utf-8")
    (path.parent / "_template.md").write_text("+++\n", encoding="utf-8")
    assert [a.id for a in load_articles(path.parent)] == ["av-stutter-test"]


def test_extra_articles_join_and_override_file_articles_with_the_same_id(
    write_article: WriteArticle,
) -> None:
    path = write_article()
    (from_file,) = load_articles(path.parent)
    draft = replace(from_file, title_en="Draft from the database", source="db")
    other = replace(from_file, id="av-zz-new", source="db")
    merged = load_articles(path.parent, extra=[draft, other])
    assert [(a.id, a.source) for a in merged] == [("av-stutter-test", "db"), ("av-zz-new", "db")]
    assert merged[0].title_en == "Draft from the database"


def test_the_default_directory_is_the_packaged_articles_folder() -> None:
    assert DEFAULT_DIR.name == "articles"
    assert DEFAULT_DIR.parent.name == "kb"
    assert DEFAULT_DIR.parent.joinpath("loader.py").is_file()


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="not found"):
        load_articles(tmp_path / "nowhere")


def test_the_fixture_articles_load(fixture_articles: list[Article]) -> None:
    assert len(fixture_articles) == len(list(FIXTURE_ARTICLES.glob("*.md")))
