"""The report in progress: what the user said so far, stored as JSON.

It lives in the `conversation.data` column, so a restart in the middle of a
report loses nothing. The JSON keys are the ones the engine has always
written: rows saved before this type existed load unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.diagnostics import Diagnostics
from core.taxonomy import Scope


class DraftError(ValueError):
    """A stored report that cannot be read back."""


@dataclass(frozen=True, slots=True)
class StoredAttachment:
    """A file the user sent, already saved in the attachment store."""

    kind: str
    file_name: str
    mime: str
    stored_path: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file_name": self.file_name,
            "mime": self.mime,
            "stored_path": self.stored_path,
            "size": self.size,
        }

    @classmethod
    def from_json(cls, data: object) -> StoredAttachment:
        if not isinstance(data, dict):
            raise DraftError(f"attachments: expected an object, got {type(data).__name__}")
        try:
            return cls(
                kind=_str(data, "kind"),
                file_name=_str(data, "file_name"),
                mime=_str(data, "mime"),
                stored_path=_str(data, "stored_path"),
                size=_int(data, "size"),
            )
        except KeyError as err:
            raise DraftError(f"attachments: missing {err.args[0]!r}") from None


@dataclass(slots=True)
class Draft:
    """Everything known about the report being told (and a little after it)."""

    description: str | None = None
    subtype: str | None = None
    scope: Scope = Scope.SINGLE
    confidence: float = 0.0
    cues: list[str] = field(default_factory=list)
    # The classifier's best subtypes, offered as buttons when it is unsure.
    candidates: list[str] = field(default_factory=list)
    details: Diagnostics = field(default_factory=Diagnostics)
    attachments: list[StoredAttachment] = field(default_factory=list)
    extra_texts: list[str] = field(default_factory=list)
    # Detail questions: the one on screen, and those already asked.
    pending: str | None = None
    asked: list[str] = field(default_factory=list)
    # The answer to "is anyone else affected?" (requirements.AFFECTED).
    affected: str | None = None
    # Knowledge-base articles found, best first; how many of them were shown
    # (one at a time, the last on screen); those the user said did not help.
    offers: list[str] = field(default_factory=list)
    kb_shown: int = 0
    kb_tried: list[str] = field(default_factory=list)
    # Actions the user says they already tried (core.conversation.tried).
    tried: list[str] = field(default_factory=list)
    skip_kb: bool = False  # the user asked for a person
    editing: bool = False  # the next description replaces this one's
    fresh: bool = False  # never greeted yet
    comment_for: str | None = None  # the ticket whose rating may get a comment
    # Fast paths (an open incident, a P0): the ticket exists already, and the
    # questions still to ask go to it (`pending` is the one on screen).
    ticket_ref: str | None = None
    after: list[str] = field(default_factory=list)
    incident: str | None = None  # the incident the user was told their ticket is in
    # Words that did not say what is wrong ("又不行了"): never classified, but
    # kept for the ticket, before the answer to "what is wrong?".
    vague_words: str | None = None
    # A second, different problem in the same words: offered to report too
    # (TWO_PROBLEMS), then filed as its own ticket when the report is.
    second: str | None = None

    @property
    def described(self) -> bool:
        return bool(self.description)

    def to_json(self) -> dict[str, Any]:
        """The stored shape: only what is set, under the historical keys."""
        out: dict[str, Any] = {}
        if self.fresh:
            out["fresh"] = True
        if self.description is not None:
            out.update(
                description=self.description,
                subtype=self.subtype,
                scope=self.scope.value,
                confidence=self.confidence,
                cues=list(self.cues),
                candidates=list(self.candidates),
                asked=list(self.asked),
            )
        details = self.details.to_json()
        if details or self.description is not None:
            out["details"] = details
        if self.attachments or self.description is not None:
            out["attachments"] = [a.to_json() for a in self.attachments]
        if self.skip_kb or self.description is not None:
            out["skip_kb"] = self.skip_kb
        optional: dict[str, Any] = {
            "extra_texts": list(self.extra_texts),
            "pending": self.pending,
            "affected": self.affected,
            "offers": list(self.offers),
            "kb_tried": list(self.kb_tried),
            "tried": list(self.tried),
            "editing": self.editing,
            "comment_for": self.comment_for,
            "ticket_ref": self.ticket_ref,
            "after": list(self.after),
            "incident": self.incident,
            "vague_words": self.vague_words,
            "second": self.second,
        }
        out.update({k: v for k, v in optional.items() if v})
        if self.offers:
            # Always beside the offers: a row without it predates one-at-a-time offers.
            out["kb_shown"] = self.kb_shown
        return out

    @classmethod
    def from_json(cls, data: object) -> Draft:
        """Read a stored report. Keys this version does not know are ignored, so
        rolling back after a newer version wrote a row still works.
        """
        if not isinstance(data, dict):
            raise DraftError(f"conversation data: expected an object, got {type(data).__name__}")
        scope = data.get("scope", Scope.SINGLE.value)
        try:
            parsed_scope = Scope(scope)
        except ValueError:
            raise DraftError(f"scope: unknown value {scope!r}") from None
        details = data.get("details", {})
        if not isinstance(details, dict):
            raise DraftError("details: expected an object")
        attachments = data.get("attachments", [])
        if not isinstance(attachments, list):
            raise DraftError("attachments: expected a list")
        confidence = data.get("confidence", 0.0)
        if isinstance(confidence, bool) or not isinstance(confidence, int | float):
            raise DraftError(f"confidence: expected a number, got {confidence!r}")
        return cls(
            description=_opt_str(data, "description"),
            subtype=_opt_str(data, "subtype"),
            scope=parsed_scope,
            confidence=float(confidence),
            cues=_str_list(data, "cues"),
            candidates=_str_list(data, "candidates"),
            details=Diagnostics.from_json(details),
            attachments=[StoredAttachment.from_json(a) for a in attachments],
            extra_texts=_str_list(data, "extra_texts"),
            pending=_opt_str(data, "pending"),
            asked=_str_list(data, "asked"),
            affected=_opt_str(data, "affected"),
            offers=_str_list(data, "offers"),
            # Rows written when every offer was on screen at once show them all.
            kb_shown=_opt_int(data, "kb_shown", len(_str_list(data, "offers"))),
            kb_tried=_str_list(data, "kb_tried"),
            tried=_str_list(data, "tried"),
            skip_kb=_bool(data, "skip_kb"),
            editing=_bool(data, "editing"),
            fresh=_bool(data, "fresh"),
            comment_for=_opt_str(data, "comment_for"),
            ticket_ref=_opt_str(data, "ticket_ref"),
            after=_str_list(data, "after"),
            incident=_opt_str(data, "incident"),
            vague_words=_opt_str(data, "vague_words"),
            second=_opt_str(data, "second"),
        )


def _str(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise DraftError(f"{key}: expected text, got {value!r}")
    return value


def _int(data: dict[str, Any], key: str) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise DraftError(f"{key}: expected a whole number, got {value!r}")
    return value


def _opt_int(data: dict[str, Any], key: str, default: int) -> int:
    if key not in data:
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DraftError(f"{key}: expected a whole number, got {value!r}")
    return value


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise DraftError(f"{key}: expected text, got {value!r}")
    return value


def _bool(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise DraftError(f"{key}: expected true or false, got {value!r}")
    return value


def _str_list(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DraftError(f"{key}: expected a list of texts, got {value!r}")
    return list(value)
