"""Reads article files (TOML front matter between `+++` lines, then `## zh` / `## en`
sections) into Articles, with errors that name the file and the problem.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.taxonomy import NOT_FAULTS, SUBTYPES
from kb.model import KINDS, LANGS, AppliesTo, Article

DEFAULT_DIR = Path(__file__).resolve().parent / "articles"

PLATFORMS: frozenset[str] = frozenset({"ios", "android", "pc", "web"})
_ID = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")
_VERSION_CLAUSE = re.compile(r"^(?:>=|<=|==|!=|>|<)?\s*\d+(?:\.\d+)*$")
_SECTION = re.compile(r"^##\s+(\S+)\s*$")
_DELIMITER = "+++"
_TOP_KEYS = frozenset({"id", "kind", "subtypes", "title", "symptoms", "keywords", "applies_to"})
_APPLIES_KEYS = frozenset({"platforms", "os", "app_versions"})


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ArticleError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def article_files(directory: Path) -> list[Path]:
    """Article files in a directory; README.md and names starting with `_` are notes."""
    return sorted(
        p
        for p in directory.glob("*.md")
        if p.is_file() and not p.name.startswith("_") and p.name.lower() != "readme.md"
    )


def info_only(subtype_id: str) -> bool:
    st = SUBTYPES.get(subtype_id)
    return st is not None and st.category in NOT_FAULTS


def read_article(path: Path) -> tuple[Article | None, list[Problem]]:
    """Parse one file. The Article is None when the file cannot make one; it may be
    incomplete when there are problems, so callers that serve it must check them.
    """
    found: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path, f"cannot read: {exc}")]
    article = _parse(text, path, found)
    problems = [Problem(path, m) for m in found]
    return article, problems


def _parse(text: str, path: Path, found: list[str]) -> Article | None:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != _DELIMITER:
        found.append("front matter must start with a '+++' line")
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _DELIMITER)
    except StopIteration:
        found.append("front matter is not closed by a '+++' line")
        return None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        found.append(f"bad TOML front matter: {exc}")
        return None
    steps = _body(lines[end + 1 :], found)
    return _build(meta, steps, path, found)


def _body(lines: list[str], found: list[str]) -> dict[str, str]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        m = _SECTION.match(line)
        if m:
            lang = m.group(1).lower()
            if lang not in LANGS:
                found.append(f"unknown body section '## {m.group(1)}' (expected ## zh and ## en)")
            if lang in sections:
                found.append(f"body section '## {lang}' appears twice")
            current = sections.setdefault(lang, [])
        elif current is not None:
            current.append(line)
        elif line.strip():
            found.append("text before the first '## zh' / '## en' section")
            current = []
    steps: dict[str, str] = {}
    for lang in LANGS:
        if lang not in sections:
            found.append(f"body has no '## {lang}' section")
            continue
        steps[lang] = "\n".join(sections[lang]).strip()
        if not steps[lang]:
            found.append(f"body section '## {lang}' has no steps")
    return steps


def _build(meta: dict[str, Any], steps: dict[str, str], path: Path, found: list[str]) -> Article:
    for key in sorted(set(meta) - _TOP_KEYS):
        found.append(f"unknown key '{key}'")
    article_id = _string(meta, "id", found)
    if article_id and not _ID.match(article_id):
        found.append(f"id '{article_id}' must be lower-case letters, digits and dashes")
    if article_id and article_id != path.stem:
        found.append(f"id '{article_id}' does not match the file name '{path.name}'")
    kind = _string(meta, "kind", found)
    if kind and kind not in KINDS:
        found.append(f"kind '{kind}' must be one of {', '.join(sorted(KINDS))}")
    subtypes = _strings(meta, "subtypes", found)
    if isinstance(meta.get("subtypes"), list):
        _check_subtypes(subtypes, kind, found)
    title = _bilingual(meta, "title", found, many=False)
    symptoms = _bilingual(meta, "symptoms", found, many=True)
    keywords = _bilingual(meta, "keywords", found, many=True)
    return Article(
        id=article_id,
        kind=kind,
        subtypes=tuple(subtypes),
        title_zh=_one(title["zh"]),
        title_en=_one(title["en"]),
        symptoms_zh=tuple(symptoms["zh"]),
        symptoms_en=tuple(symptoms["en"]),
        keywords_zh=tuple(keywords["zh"]),
        keywords_en=tuple(keywords["en"]),
        steps_zh=steps.get("zh", ""),
        steps_en=steps.get("en", ""),
        applies_to=_applies_to(meta, found),
        source="file",
        path=path,
    )


def _check_subtypes(subtypes: list[str], kind: str, found: list[str]) -> None:
    if not subtypes:
        found.append("subtypes must list at least one subtype id")
    if len(set(subtypes)) != len(subtypes):
        found.append("subtypes lists the same id twice")
    for st in subtypes:
        if st not in SUBTYPES:
            found.append(f"unknown subtype '{st}' (not in core.taxonomy.SUBTYPES)")
        elif kind in KINDS and kind != "info" and info_only(st):
            found.append(f"a {kind} article cannot cover '{st}': service/suggestion is info only")


def _one(values: list[str]) -> str:
    return values[0] if values else ""


def _string(meta: dict[str, Any], key: str, found: list[str]) -> str:
    if key not in meta:
        found.append(f"missing key '{key}'")
        return ""
    value = meta[key]
    if not isinstance(value, str) or not value.strip():
        found.append(f"'{key}' must be a non-empty string")
        return ""
    return value.strip()


def _strings(meta: dict[str, Any], key: str, found: list[str], where: str = "") -> list[str]:
    name = f"{where}{key}"
    if key not in meta:
        found.append(f"missing key '{name}'")
        return []
    value = meta[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        found.append(f"'{name}' must be a list of non-empty strings")
        return []
    return [v.strip() for v in value]


def _bilingual(
    meta: dict[str, Any], key: str, found: list[str], *, many: bool
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    if key not in meta:
        found.append(f"missing key '{key}'")
        return out
    table = meta[key]
    if not isinstance(table, dict):
        found.append(f"'{key}' must be a table with zh and en")
        return out
    for extra in sorted(set(table) - set(LANGS)):
        found.append(f"unknown language '{key}.{extra}' (expected zh and en)")
    for lang in LANGS:
        if lang not in table:
            found.append(f"missing language '{key}.{lang}'")
        elif many:
            out[lang] = _strings(table, lang, found, where=f"{key}.")
            if lang in table and not out[lang] and isinstance(table[lang], list):
                found.append(f"'{key}.{lang}' is empty")
        else:
            value = _string(table, lang, [])
            if not value:
                found.append(f"'{key}.{lang}' must be a non-empty string")
            out[lang] = [value] if value else []
    return out


def _applies_to(meta: dict[str, Any], found: list[str]) -> AppliesTo:
    if "applies_to" not in meta:
        found.append("missing key 'applies_to'")
        return AppliesTo()
    table = meta["applies_to"]
    if not isinstance(table, dict):
        found.append("'applies_to' must be a table")
        return AppliesTo()
    for extra in sorted(set(table) - _APPLIES_KEYS):
        found.append(f"unknown key 'applies_to.{extra}'")
    platforms = _strings(table, "platforms", found, where="applies_to.")
    for p in platforms:
        if p not in PLATFORMS:
            found.append(f"unknown platform '{p}' (expected {', '.join(sorted(PLATFORMS))})")
    os_list = _strings(table, "os", found, where="applies_to.") if "os" in table else []
    versions = table.get("app_versions", "")
    if not isinstance(versions, str):
        found.append("'applies_to.app_versions' must be a string such as '>=5.0,<5.3'")
        versions = ""
    elif versions.strip() and not all(
        _VERSION_CLAUSE.match(c.strip()) for c in versions.split(",")
    ):
        found.append(f"'applies_to.app_versions' is not a version range: '{versions}'")
    return AppliesTo(platforms=tuple(platforms), os=tuple(os_list), app_versions=versions.strip())


def load_articles(directory: Path | None = None, extra: Iterable[Article] = ()) -> list[Article]:
    """Every article in the directory, then `extra` (say, drafts from the database);
    an extra article replaces a file article with the same id. Sorted by id.
    """
    directory = DEFAULT_DIR if directory is None else directory
    if not directory.is_dir():
        raise ArticleError([Problem(directory, "articles directory not found")])
    problems: list[Problem] = []
    by_id: dict[str, Article] = {}
    for path in article_files(directory):
        article, found = read_article(path)
        problems.extend(found)
        if article is None or found:
            continue
        if article.id in by_id:
            first = by_id[article.id].path
            problems.append(Problem(path, f"duplicate id '{article.id}' (also in {first})"))
        by_id[article.id] = article
    if problems:
        raise ArticleError(problems)
    for article in extra:
        by_id[article.id] = article
    return [by_id[k] for k in sorted(by_id)]
