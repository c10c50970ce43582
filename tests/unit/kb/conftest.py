"""Fixture articles and a helper to write broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.loader import load_articles
from kb.matcher import Matcher
from kb.memory_feedback import MemoryFeedbackStore
from kb.model import Article
from tests.unit.kb.kb_helpers import FIXTURE_ARTICLES, GOOD, WriteArticle


@pytest.fixture
def write_article(tmp_path: Path) -> WriteArticle:
    def write(
        article_id: str = "av-stutter-test",
        *,
        kind: str = "workaround",
        subtypes: str = '["av.stutter"]',
        text: str | None = None,
        name: str | None = None,
    ) -> Path:
        body = text if text is not None else GOOD
        content = body.replace("{id}", article_id).replace("{kind}", kind)
        content = content.replace("{subtypes}", subtypes)
        path = tmp_path / (name or f"{article_id}.md")
        path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def fixture_articles() -> list[Article]:
    return load_articles(FIXTURE_ARTICLES)


@pytest.fixture
def matcher(fixture_articles: list[Article]) -> Matcher:
    return Matcher(fixture_articles, MemoryFeedbackStore())
