"""Block Kit limits as Slack enforces them, with Slack's own error wording.

Slack answers an oversized block with `invalid_blocks` (messages) or `invalid_arguments`
(views) and explains each problem as "<reason> [json-pointer:/blocks/3/text/text]"; the
same strings come back here so code that parses or logs them sees the real shape.
"""

from __future__ import annotations

from typing import Any

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MESSAGE_MAX_TEXT = 40_000

_TEXT_TYPES = ("plain_text", "mrkdwn")
_MESSAGE_BLOCKS = frozenset(
    {"section", "divider", "image", "actions", "context", "header", "rich_text", "file", "video"}
    | {"markdown", "input", "table"}
)
_VIEW_BLOCKS = frozenset(
    {"section", "divider", "image", "actions", "context", "header", "rich_text", "video", "input"}
)
_SELECTS = frozenset(
    {
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    }
)
_MAX_OPTIONS = {"overflow": 5, "checkboxes": 10, "radio_buttons": 10}


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, reason: str, pointer: str) -> None:
        self.errors.append(f"{reason} [json-pointer:{pointer}]")

    def string(self, value: Any, pointer: str, max_len: int, *, required: bool = False) -> None:
        if value is None:
            if required:
                self.fail("must provide a string", pointer)
            return
        if not isinstance(value, str):
            self.fail("must provide a string", pointer)
        elif required and not value:
            self.fail("must be more than 0 characters", pointer)
        elif len(value) > max_len:
            self.fail(f"must be less than {max_len + 1} characters", pointer)

    def text(
        self, obj: Any, pointer: str, max_len: int, *, plain: bool = False, required: bool = True
    ) -> None:
        if obj is None:
            if required:
                self.fail("must provide an object", pointer)
            return
        if not isinstance(obj, dict):
            self.fail("must provide an object", pointer)
            return
        allowed = ("plain_text",) if plain else _TEXT_TYPES
        if obj.get("type") not in allowed:
            self.fail("must be a valid enum value", f"{pointer}/type")
        self.string(obj.get("text"), f"{pointer}/text", max_len, required=True)

    def items(self, value: Any, pointer: str, max_items: int) -> list[Any]:
        if not isinstance(value, list):
            self.fail("must provide an array", pointer)
            return []
        if len(value) > max_items:
            self.fail(f"no more than {max_items} items allowed", pointer)
        return value

    def element(self, element: Any, pointer: str) -> None:
        if not isinstance(element, dict):
            self.fail("must provide an object", pointer)
            return
        kind = element.get("type")
        if kind == "image":
            self.string(element.get("alt_text"), f"{pointer}/alt_text", 2000, required=True)
            return
        if kind in _TEXT_TYPES:
            self.text(element, pointer, 3000)
            return
        self.string(element.get("action_id"), f"{pointer}/action_id", 255)
        if kind == "button":
            self.text(element.get("text"), f"{pointer}/text", 75, plain=True)
            self.string(element.get("value"), f"{pointer}/value", 2000)
            self.string(element.get("url"), f"{pointer}/url", 3000)
            style = element.get("style")
            if style is not None and style not in ("primary", "danger"):
                self.fail("must be a valid enum value", f"{pointer}/style")
            return
        self.text(element.get("placeholder"), f"{pointer}/placeholder", 150, required=False)
        if "options" in element:
            limit = _MAX_OPTIONS.get(str(kind), 100)
            for index, option in enumerate(
                self.items(element["options"], f"{pointer}/options", limit)
            ):
                self.option(option, f"{pointer}/options/{index}")
        elif kind not in _SELECTS and kind not in _KNOWN_INPUTS:
            self.fail("failed to match all allowed schemas", pointer)

    def option(self, option: Any, pointer: str) -> None:
        if not isinstance(option, dict):
            self.fail("must provide an object", pointer)
            return
        self.text(option.get("text"), f"{pointer}/text", 75)
        self.string(option.get("value"), f"{pointer}/value", 150, required=True)

    def block(self, block: Any, pointer: str, allowed: frozenset[str]) -> None:
        if not isinstance(block, dict):
            self.fail("must provide an object", pointer)
            return
        kind = block.get("type")
        if kind not in allowed:
            self.fail("failed to match all allowed schemas", pointer)
            return
        self.string(block.get("block_id"), f"{pointer}/block_id", 255)
        if kind == "section":
            self.section(block, pointer)
        elif kind == "header":
            self.text(block.get("text"), f"{pointer}/text", 150, plain=True)
        elif kind == "actions":
            for index, element in enumerate(
                self.items(block.get("elements"), f"{pointer}/elements", 25)
            ):
                self.element(element, f"{pointer}/elements/{index}")
        elif kind == "context":
            for index, element in enumerate(
                self.items(block.get("elements"), f"{pointer}/elements", 10)
            ):
                self.element(element, f"{pointer}/elements/{index}")
        elif kind == "image":
            self.string(block.get("image_url"), f"{pointer}/image_url", 3000)
            self.string(block.get("alt_text"), f"{pointer}/alt_text", 2000, required=True)
        elif kind == "input":
            self.text(block.get("label"), f"{pointer}/label", 2000, plain=True)
            self.text(block.get("hint"), f"{pointer}/hint", 2000, plain=True, required=False)
            self.element(block.get("element"), f"{pointer}/element")
        elif kind == "markdown":
            self.string(block.get("text"), f"{pointer}/text", 12_000, required=True)

    def section(self, block: dict[str, Any], pointer: str) -> None:
        text, fields = block.get("text"), block.get("fields")
        if text is None and fields is None:
            self.fail("must provide either text or fields", pointer)
        self.text(text, f"{pointer}/text", 3000, required=False)
        if fields is not None:
            for index, item in enumerate(self.items(fields, f"{pointer}/fields", 10)):
                self.text(item, f"{pointer}/fields/{index}", 2000)
        if block.get("accessory") is not None:
            self.element(block["accessory"], f"{pointer}/accessory")


_KNOWN_INPUTS = frozenset(
    {
        "plain_text_input",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "email_text_input",
        "url_text_input",
        "number_input",
        "file_input",
        "rich_text_input",
    }
)


def validate_blocks(blocks: Any, pointer: str, *, max_blocks: int, view: bool = False) -> list[str]:
    """Every limit `blocks` breaks, worded as Slack words it (empty when valid)."""
    checker = _Checker()
    allowed = _VIEW_BLOCKS if view else _MESSAGE_BLOCKS
    for index, block in enumerate(checker.items(blocks, pointer, max_blocks)):
        checker.block(block, f"{pointer}/{index}", allowed)
    return checker.errors


def validate_view(view: Any, *, kind: str) -> list[str]:
    """Problems with a modal or home-tab view, pointers rooted at /view."""
    checker = _Checker()
    if not isinstance(view, dict):
        checker.fail("must provide an object", "/view")
        return checker.errors
    if view.get("type") != kind:
        checker.fail("must be a valid enum value", "/view/type")
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", 24, plain=True)
        checker.text(view.get("submit"), "/view/submit", 24, plain=True, required=False)
        checker.text(view.get("close"), "/view/close", 24, plain=True, required=False)
    checker.string(view.get("callback_id"), "/view/callback_id", 255)
    checker.string(view.get("private_metadata"), "/view/private_metadata", 3000)
    checker.string(view.get("external_id"), "/view/external_id", 255)
    errors = checker.errors
    errors.extend(
        validate_blocks(view.get("blocks"), "/view/blocks", max_blocks=VIEW_MAX_BLOCKS, view=True)
    )
    return errors
