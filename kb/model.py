"""The knowledge-base article as the rest of the code sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from core.ports import ArticleSuggestion

KINDS: frozenset[str] = frozenset({"workaround", "root_fix", "info"})
LANGS: tuple[str, str] = ("zh", "en")

Source = Literal["file", "db"]


@dataclass(frozen=True, slots=True)
class AppliesTo:
    platforms: tuple[str, ...] = ()
    os: tuple[str, ...] = ()
    # A range such as ">=5.0,<5.3"; empty means every version.
    app_versions: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    kind: str
    subtypes: tuple[str, ...]
    title_zh: str
    title_en: str
    symptoms_zh: tuple[str, ...]
    symptoms_en: tuple[str, ...]
    keywords_zh: tuple[str, ...]
    keywords_en: tuple[str, ...]
    steps_zh: str
    steps_en: str
    applies_to: AppliesTo = field(default_factory=AppliesTo)
    source: Source = "file"
    path: Path | None = None

    def title(self, lang: str) -> str:
        return self.title_zh if lang.startswith("zh") else self.title_en

    def steps(self, lang: str) -> str:
        return self.steps_zh if lang.startswith("zh") else self.steps_en

    @property
    def offers_fix(self) -> bool:
        """Workarounds and root fixes tell the user to do something; info does not."""
        return self.kind != "info"

    def suggestion(self, score: float) -> ArticleSuggestion:
        return ArticleSuggestion(
            article_id=self.id,
            title_zh=self.title_zh,
            title_en=self.title_en,
            kind=self.kind,
            subtypes=self.subtypes,
            score=round(max(0.0, min(100.0, score)), 1),
            steps_zh=self.steps_zh,
            steps_en=self.steps_en,
        )
