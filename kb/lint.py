"""Checks a whole articles directory: every file well-formed, ids unique, and every
subtype of the taxonomy answered by at least one article.
"""

from __future__ import annotations

from pathlib import Path

from core.taxonomy import SUBTYPES
from kb.loader import DEFAULT_DIR, Problem, article_files, read_article
from kb.model import Article

__all__ = ["Problem", "lint"]


def lint(directory: Path | None = None) -> list[Problem]:
    directory = DEFAULT_DIR if directory is None else directory
    if not directory.is_dir():
        return [Problem(directory, "articles directory not found")]
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    articles: list[Article] = []
    for path in article_files(directory):
        article, found = read_article(path)
        problems.extend(found)
        if article is None:
            continue
        if article.id and article.id in seen:
            problems.append(
                Problem(path, f"duplicate id '{article.id}' (also in {seen[article.id]})")
            )
        if article.id:
            seen.setdefault(article.id, path)
        articles.append(article)
    covered = {st for a in articles for st in a.subtypes}
    for subtype_id in SUBTYPES:
        if subtype_id not in covered:
            problems.append(Problem(directory, f"subtype '{subtype_id}' has no article"))
    return problems
