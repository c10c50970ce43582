"""Bot API methods of the fake Telegram, validated the way the real server validates them.

Each handler takes the world and the normalised parameters and returns the `result` value, or
raises ApiError. getUpdates is not here: it waits, so the HTTP layer owns it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from bot.sandbox.telegram.entities import EntityParseError, parse_html
from bot.sandbox.telegram.params import JSON, ApiError, Params, bad_request
from bot.sandbox.telegram.world import TelegramWorld

Handler = Callable[[TelegramWorld, Params], Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_DOWNLOAD = 20 * 1024 * 1024
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


# -- shared validation ------------------------------------------------------------------------


def _chat_id(world: TelegramWorld, params: Params) -> int:
    raw = params.values.get("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise bad_request("invalid chat_id specified")
    chat_id = world.resolve_chat(raw)
    if chat_id is None:
        raise bad_request("chat not found")
    if chat_id in world.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat_id


def _formatted(params: Params, field: str, entities_field: str) -> tuple[str, list[JSON] | None]:
    raw = params.text(field)
    if params.has(entities_field):
        entities = params.structure(entities_field, what="entities")
        if not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        return raw, entities or None
    mode = (params.optional_text("parse_mode") or "").lower()
    if mode == "html":
        try:
            text, parsed = parse_html(raw)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
        return text, parsed or None
    if mode in ("", "markdown", "markdownv2"):
        # Markdown dialects are passed through unparsed; see the module docstring of the server.
        return raw, None
    raise bad_request(f"unsupported parse_mode {params.text('parse_mode')}")


def _button_error(reason: str) -> ApiError:
    return bad_request(f"can't parse inline keyboard button: {reason}")


def _validate_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise _button_error('Field "text" must be of type String')
    actions = _BUTTON_ACTIONS.intersection(button)
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not re.match(r"(https?|tg)://\S+$", str(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")


def _reply_markup(params: Params) -> JSON | None:
    """Validated markup, or None; only inline keyboards are echoed back in the Message."""
    if not params.has("reply_markup"):
        return None
    markup = params.structure("reply_markup", what="reply keyboard markup")
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if not {"keyboard", "remove_keyboard", "force_reply"}.intersection(markup):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            _validate_button(button)
    rows = [row for row in rows if row]
    return {"inline_keyboard": copy.deepcopy(rows)} if rows else None


def _reply_to(world: TelegramWorld, chat_id: int, params: Params) -> JSON | None:
    reply = params.structure("reply_parameters", what="reply parameters")
    target: int | None = None
    allow_missing = params.flag("allow_sending_without_reply")
    if isinstance(reply, dict) and reply.get("message_id") is not None:
        target = int(reply["message_id"])
        allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
    elif params.has("reply_to_message_id"):
        target = params.integer("reply_to_message_id")
    if target is None:
        return None
    replied = world.message(chat_id, target)
    if replied is None:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return {
        key: value for key, value in copy.deepcopy(replied).items() if key != "reply_to_message"
    }


def _target_message(world: TelegramWorld, params: Params, *, verb: str) -> JSON:
    if params.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat_id = _chat_id(world, params)
    message = world.message(chat_id, params.integer("message_id"))
    if message is None:
        raise bad_request(f"message to {verb} not found")
    return message


def _edited(world: TelegramWorld, message: JSON, changes: JSON) -> JSON:
    current = {key: message.get(key) for key in changes}
    if current == changes:
        raise bad_request(_NOT_MODIFIED)
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = world.now()
    world.output_signal.fire()
    return copy.deepcopy(message)


# -- methods ----------------------------------------------------------------------------------


def get_me(world: TelegramWorld, params: Params) -> JSON:
    return dict(world.bot_user) | {
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def send_message(world: TelegramWorld, params: Params) -> JSON:
    chat_id = _chat_id(world, params)
    text, entities = _formatted(params, "text", "entities")
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    content = {
        "text": text,
        "entities": entities,
        "reply_markup": _reply_markup(params),
        "reply_to_message": _reply_to(world, chat_id, params),
    }
    return world.bot_message(chat_id, content)


def _send_media(kind: str) -> Handler:
    def handler(world: TelegramWorld, params: Params) -> JSON:
        chat_id = _chat_id(world, params)
        upload = params.uploads.get(kind)
        if upload is not None:
            stored = world.store_file(
                kind,
                upload.data,
                file_name=upload.filename or None,
                mime_type=upload.content_type or None,
            )
        else:
            reference = params.text(
                kind, required=True, empty_reason=f"there is no {kind} in the request"
            )
            known = world.files.get(reference)
            if known is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            stored = known
        caption, caption_entities = _formatted(params, "caption", "caption_entities")
        if len(caption) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        content = {
            kind: world.media_object(kind, stored, params.values),
            "caption": caption or None,
            "caption_entities": caption_entities,
            "reply_markup": _reply_markup(params),
            "reply_to_message": _reply_to(world, chat_id, params),
        }
        return world.bot_message(chat_id, content)

    return handler


def edit_message_text(world: TelegramWorld, params: Params) -> JSON:
    message = _target_message(world, params, verb="edit")
    if not world.is_from_bot(message):
        raise bad_request("message can't be edited")
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    text, entities = _formatted(params, "text", "entities")
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    # Omitting reply_markup removes the keyboard, exactly as on the real server.
    changes = {"text": text, "entities": entities, "reply_markup": _reply_markup(params)}
    return _edited(world, message, changes)


def edit_message_caption(world: TelegramWorld, params: Params) -> JSON:
    message = _target_message(world, params, verb="edit")
    if not world.is_from_bot(message):
        raise bad_request("message can't be edited")
    if "text" in message:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = _formatted(params, "caption", "caption_entities")
    if len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    changes = {
        "caption": caption or None,
        "caption_entities": entities,
        "reply_markup": _reply_markup(params),
    }
    return _edited(world, message, changes)


def edit_message_reply_markup(world: TelegramWorld, params: Params) -> JSON:
    message = _target_message(world, params, verb="edit")
    if not world.is_from_bot(message):
        raise bad_request("message can't be edited")
    return _edited(world, message, {"reply_markup": _reply_markup(params)})


def delete_message(world: TelegramWorld, params: Params) -> bool:
    message = _target_message(world, params, verb="delete")
    world.delete_message(message["chat"]["id"], message["message_id"])
    return True


def answer_callback_query(world: TelegramWorld, params: Params) -> bool:
    query_id = params.text("callback_query_id", required=True)
    query = world.callback_queries.get(query_id)
    if query is None or query["answered"]:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.optional_text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query["answered"] = True
    world.callback_answers.append(
        {
            "callback_query_id": query_id,
            "chat_id": query["chat_id"],
            "text": text,
            "show_alert": params.flag("show_alert"),
            "url": params.optional_text("url"),
            "cache_time": params.integer("cache_time", default=0),
        }
    )
    world.output_signal.fire()
    return True


def _commands_key(params: Params) -> tuple[str, str]:
    scope = params.structure("scope", what="BotCommandScope")
    kind = scope.get("type", "default") if isinstance(scope, dict) else "default"
    extra = "".join(
        f":{scope[k]}" for k in ("chat_id", "user_id") if isinstance(scope, dict) and k in scope
    )
    return f"{kind}{extra}", params.text("language_code")


def set_my_commands(world: TelegramWorld, params: Params) -> bool:
    commands = params.structure("commands", what="commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
            str(command.get("command", ""))
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    world.commands[_commands_key(params)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    world.output_signal.fire()
    return True


def get_my_commands(world: TelegramWorld, params: Params) -> list[JSON]:
    return copy.deepcopy(world.commands.get(_commands_key(params), []))


def delete_my_commands(world: TelegramWorld, params: Params) -> bool:
    world.commands.pop(_commands_key(params), None)
    return True


def send_chat_action(world: TelegramWorld, params: Params) -> bool:
    chat_id = _chat_id(world, params)
    action = params.text("action", required=True)
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    world.chat_actions.append({"chat_id": chat_id, "action": action})
    return True


def get_file(world: TelegramWorld, params: Params) -> JSON:
    stored = world.files.get(params.text("file_id", required=True))
    if stored is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    if len(stored.data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.as_file()


def set_webhook(world: TelegramWorld, params: Params) -> bool:
    url = params.text("url")
    if not url:
        return delete_webhook(world, params)
    if not re.match(r"https?://[^/\s]+", url):
        # The real server insists on HTTPS; plain HTTP is allowed so local receivers work.
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.optional_text("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = params.structure("allowed_updates", what="allowed_updates")
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    hook = world.webhook
    hook.url, hook.secret_token = url, secret
    hook.max_connections = params.integer("max_connections", default=40)
    if isinstance(allowed, list):
        hook.allowed_updates = [str(kind) for kind in allowed]
    hook.last_error_date = hook.last_error_message = None
    world.updates_signal.fire()
    return True


def delete_webhook(world: TelegramWorld, params: Params) -> bool:
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    world.webhook.url, world.webhook.secret_token = "", None
    world.updates_signal.fire()
    return True


def get_webhook_info(world: TelegramWorld, params: Params) -> JSON:
    hook = world.webhook
    info: JSON = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    if hook.url:
        info |= {"max_connections": hook.max_connections, "ip_address": "127.0.0.1"}
        if hook.allowed_updates is not None:
            info["allowed_updates"] = list(hook.allowed_updates)
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


METHODS: dict[str, Handler] = {
    name.lower(): handler
    for name, handler in {
        "getMe": get_me,
        "sendMessage": send_message,
        "sendPhoto": _send_media("photo"),
        "sendDocument": _send_media("document"),
        "sendVideo": _send_media("video"),
        "sendVoice": _send_media("voice"),
        "editMessageText": edit_message_text,
        "editMessageCaption": edit_message_caption,
        "editMessageReplyMarkup": edit_message_reply_markup,
        "deleteMessage": delete_message,
        "answerCallbackQuery": answer_callback_query,
        "setMyCommands": set_my_commands,
        "getMyCommands": get_my_commands,
        "deleteMyCommands": delete_my_commands,
        "sendChatAction": send_chat_action,
        "getFile": get_file,
        "setWebhook": set_webhook,
        "deleteWebhook": delete_webhook,
        "getWebhookInfo": get_webhook_info,
    }.items()
}
