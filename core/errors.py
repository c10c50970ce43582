"""One error hierarchy for the whole product. Each edge (CLI, Telegram, Slack)
turns these into a clear message; anything else is a bug.
"""

from __future__ import annotations


class LiveDeskError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigError(LiveDeskError):
    """The configuration is invalid; the message names the key and the reason."""


class InvalidInputError(LiveDeskError):
    """Input that cannot be stored or processed (empty, too long, NUL bytes...)."""


class NotFoundError(LiveDeskError):
    pass


class IllegalTransitionError(LiveDeskError):
    """A ticket was asked to move to a status its current status cannot reach."""


class AlreadyClaimedError(LiveDeskError):
    def __init__(self, ref: str, assignee: str) -> None:
        super().__init__(f"{ref} is already claimed by {assignee}")
        self.ref = ref
        self.assignee = assignee


class PermissionDeniedError(LiveDeskError):
    pass


class ReasonRequiredError(LiveDeskError):
    """Finance tickets need a reason for every change."""


class SchemaOutOfDateError(LiveDeskError):
    pass


class StorageUnavailableError(LiveDeskError):
    """The database cannot be reached; nothing was changed."""
