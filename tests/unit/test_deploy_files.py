"""The deployment files agree with the code: the Slack manifest asks for what the
Slack adapter uses, the systemd unit's commands parse, and docs/operations.md
names every secret and every configuration section.

PyYAML is not a dependency, so the manifest is read by a small parser for the
plain YAML subset it is written in (mappings, lists, scalars); anything outside
that subset fails the test rather than being skipped.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.cli import build_parser
from bot.slack.actions import SHORTCUT_ADD_NOTE

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "deploy" / "slack-app-manifest.yaml"
UNIT = ROOT / "deploy" / "livedesk.service"
OPERATIONS = ROOT / "docs" / "operations.md"
SLACK_CODE = sorted((ROOT / "bot" / "slack").rglob("*.py"))

# Bot scopes each Slack Web API method needs. A new call in bot/slack fails the
# test until it is listed here, which is the moment to check the manifest.
SCOPES_OF_METHOD: dict[str, tuple[str, ...]] = {
    "auth_test": (),
    "chat_postMessage": ("chat:write",),
    "chat_update": ("chat:write",),
    "chat_postEphemeral": ("chat:write",),
    "chat_getPermalink": (),
    # The incident's war room: a public channel, created and filled by the bot.
    "conversations_create": ("channels:manage",),
    "conversations_invite": ("channels:manage",),
    "conversations_info": ("channels:read", "groups:read"),  # public and private channels
    "conversations_open": ("im:write",),
    "files_upload_v2": ("files:write",),
    "users_info": ("users:read",),
    "usergroups_users_list": ("usergroups:read",),
    "views_open": (),
    "views_publish": (),
}
# Event types bolt listens to -> the manifest subscriptions that deliver them.
SUBSCRIPTIONS_OF_EVENT = {
    "message": {"message.channels", "message.groups"},
    "app_home_opened": {"app_home_opened"},
}
SCOPE_OF_SUBSCRIPTION = {"message.channels": "channels:history", "message.groups": "groups:history"}


# -- a minimal YAML reader ---------------------------------------------------------------


def _scalar(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text[:1] in "[{&*!|>%@`" or " #" in text or ": " in text:
        raise ValueError(f"unsupported YAML: {text!r}")
    return text


def _lines(source: str) -> list[tuple[int, str]]:
    out = []
    for raw in source.splitlines():
        if "\t" in raw:
            raise ValueError("tabs are not allowed in YAML indentation")
        stripped = raw.strip()
        if stripped and not stripped.startswith("#"):
            out.append((len(raw) - len(raw.lstrip(" ")), stripped))
    return out


def _block(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[Any, int]:
    if lines[i][1].startswith("- "):
        items: list[Any] = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
            rest = lines[i][1][2:]
            if re.match(r"^[\w.-]+:(\s|$)", rest):
                # "- key: value" opens a mapping whose keys sit two columns further in.
                lines[i] = (indent + 2, rest)
                value, i = _block(lines, i, indent + 2)
            else:
                value, i = _scalar(rest), i + 1
            items.append(value)
        return items, i
    mapping: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent:
        match = re.fullmatch(r"([\w.-]+):(?:\s+(.*))?", lines[i][1])
        if match is None:
            raise ValueError(f"not a mapping entry: {lines[i][1]!r}")
        key, value = match.group(1), match.group(2)
        if key in mapping:
            raise ValueError(f"duplicate key {key!r}")
        if value:
            mapping[key], i = _scalar(value), i + 1
        elif i + 1 < len(lines) and lines[i + 1][0] > indent:
            mapping[key], i = _block(lines, i + 1, lines[i + 1][0])
        elif i + 1 < len(lines) and lines[i + 1][0] == indent and lines[i + 1][1][:2] == "- ":
            mapping[key], i = _block(lines, i + 1, indent)  # a list at the key's own indent
        else:
            mapping[key], i = None, i + 1
    return mapping, i


def load_yaml(source: str) -> Any:
    lines = _lines(source)
    value, end = _block(lines, 0, lines[0][0])
    if end != len(lines):
        raise ValueError(f"unexpected indentation at {lines[end][1]!r}")
    return value


def test_the_minimal_yaml_reader_reads_nested_mappings_and_lists():
    doc = "a:\n  b: 1\n  c:\n    - x\n    - name: n\n      flag: true\nd: 'q'\n"
    assert load_yaml(doc) == {"a": {"b": 1, "c": ["x", {"name": "n", "flag": True}]}, "d": "q"}


def test_the_minimal_yaml_reader_refuses_what_it_does_not_understand():
    with pytest.raises(ValueError):
        load_yaml("a:\n  b: [1, 2]\n")
    with pytest.raises(ValueError):
        load_yaml("a: 1\na: 2\n")


# -- the Slack manifest ------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded = load_yaml(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _slack_source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SLACK_CODE)


def test_every_slack_web_api_method_the_code_calls_has_a_known_scope():
    called = set(re.findall(r"\bclient\.([a-z]+_\w+)\(", _slack_source()))
    assert called, "no Web API calls found: the pattern no longer matches the code"
    unknown = called - SCOPES_OF_METHOD.keys()
    assert not unknown, f"add to SCOPES_OF_METHOD: {unknown}"


def test_the_manifest_asks_for_every_bot_scope_the_code_needs(manifest):
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    source = _slack_source()
    called = set(re.findall(r"\bclient\.([a-z]+_\w+)\(", source))
    needed = {scope for m in called for scope in SCOPES_OF_METHOD.get(m, ())}
    needed |= {"commands"}  # the slash command and the message shortcut
    if "url_private" in source:
        needed.add("files:read")  # files agents post in threads are downloaded
    for events in SUBSCRIPTIONS_OF_EVENT.values():
        needed |= {SCOPE_OF_SUBSCRIPTION[e] for e in events if e in SCOPE_OF_SUBSCRIPTION}
    assert needed <= scopes, f"missing bot scopes: {needed - scopes}"


def test_the_manifest_asks_for_no_scope_nothing_uses(manifest):
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    used = {s for scopes in SCOPES_OF_METHOD.values() for s in scopes}
    used |= set(SCOPE_OF_SUBSCRIPTION.values())
    assert scopes <= used | {"commands", "files:read"}


def test_the_manifest_subscribes_to_every_event_the_code_handles(manifest):
    handled = set(re.findall(r"\.event\(\"(\w+)\"\)", _slack_source()))
    assert handled == SUBSCRIPTIONS_OF_EVENT.keys()
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    for event in handled:
        assert SUBSCRIPTIONS_OF_EVENT[event] <= events


def test_the_manifest_declares_the_slash_command_the_code_registers(manifest):
    registered = set(re.findall(r"\.command\(\"(/[\w-]+)\"\)", _slack_source()))
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert registered == declared == {"/livedesk"}


def test_the_manifest_declares_the_add_note_message_shortcut(manifest):
    shortcuts = manifest["features"]["shortcuts"]
    assert [(s["callback_id"], s["type"]) for s in shortcuts] == [(SHORTCUT_ADD_NOTE, "message")]


def test_every_slack_request_url_points_at_the_slack_events_route(manifest):
    settings = manifest["settings"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(c["url"] for c in manifest["features"]["slash_commands"]),
    ]
    assert all(u.startswith("https://") and u.endswith("/slack/events") for u in urls)
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False


def test_the_manifest_turns_on_the_home_tab(manifest):
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["_metadata"]["major_version"] in (1, 2)


# -- the systemd unit --------------------------------------------------------------------


def _unit_commands(key: str) -> list[list[str]]:
    lines = UNIT.read_text(encoding="utf-8").splitlines()
    return [shlex.split(line.split("=", 1)[1]) for line in lines if line.startswith(f"{key}=")]


def test_the_unit_runs_livedesk_run_with_its_config_file_and_json_logs():
    [argv] = _unit_commands("ExecStart")
    assert argv[0].endswith("/livedesk")
    args = build_parser().parse_args(argv[1:])
    assert args.command == "run"
    assert args.config == "/etc/livedesk/livedesk.toml"
    assert args.log_json is True


def test_the_unit_upgrades_the_schema_before_starting():
    commands = [build_parser().parse_args(argv[1:]) for argv in _unit_commands("ExecStartPre")]
    assert any(a.command == "db" and a.db_command == "upgrade" for a in commands)
    assert all(a.config == "/etc/livedesk/livedesk.toml" for a in commands)


def test_the_unit_loads_secrets_from_a_file_and_restarts_on_failure():
    text = UNIT.read_text(encoding="utf-8")
    for line in ("EnvironmentFile=", "Restart=on-failure", "TimeoutStopSec=15", "User=livedesk"):
        assert re.search(rf"^{re.escape(line)}", text, re.MULTILINE), line


# -- docs/operations.md ------------------------------------------------------------------


def test_the_operations_guide_names_every_environment_variable_of_the_configuration():
    config = "".join(p.read_text() for p in (ROOT / "core" / "config").glob("*.py"))
    names = set(re.findall(r"LIVEDESK_[A-Z_]+", config))
    assert len(names) >= 6
    guide = OPERATIONS.read_text(encoding="utf-8")
    assert {n for n in names if f"`{n}`" not in guide} == set()


def test_the_operations_guide_mentions_every_section_of_the_example_configuration():
    example = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    # Commented-out tables such as [sla.calendar] are sections too.
    sections = set(re.findall(r"^#?\s*(\[\[?[a-z_.]+\]\]?)\s*$", example, re.MULTILINE))
    assert "[storage]" in sections and "[[escalation.chain]]" in sections
    tomllib.loads(example)  # the pattern read a real TOML file
    guide = OPERATIONS.read_text(encoding="utf-8")
    assert {s for s in sections if f"`{s}`" not in guide} == set()


def test_the_operations_guide_documents_every_http_route():
    routes = set(
        re.findall(r'Route\("(/[\w/]+)"', (ROOT / "bot" / "http" / "server.py").read_text())
    )
    assert "/healthz" in routes
    guide = OPERATIONS.read_text(encoding="utf-8")
    assert {r for r in routes if f"`{r}`" not in guide} == set()
