"""Steps the user says they already tried, and an article's steps without them.

"換了網路也一樣" means "switch networks" is no advice for this user any more.
Each action has the words a user tries it with and the words an article's step
tells it with; a step that tells a tried action is not shown again. Texts are
compared in simplified Chinese (core.text.to_simplified), lower-cased.
"""

from __future__ import annotations

import re

from core.text import to_simplified

_I = re.IGNORECASE

# Steps shown of one article: enough to act on, short enough to read on a phone.
STEPS_SHOWN = 4


# action: (what a user who tried it writes, what a step that tells it says),
# each as alternatives joined into one pattern.
_TABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "switch_network": (
        (
            r"(换|切|转|改)(了|过|成|到)?[^，。,.!?]{0,6}(网|wi-?fi|4g|5g|流量|数据)",
            r"重连",
            r"(switched|changed|tried (another|a different|other)) (the )?"
            r"(network|wi-?fi|connection)",
            r"(switched|moved) to (4g|5g|wi-?fi|mobile data)",
        ),
        (
            r"切换网络",
            r"换.{0,4}网络",
            r"wi-?fi.{0,12}(流量|4g|5g)",
            r"(流量|4g|5g).{0,12}wi-?fi",
            r"switch.{0,20}(network|wi-?fi|mobile data)",
        ),
    ),
    "restart_app": (
        (
            r"重启(了|过)?(app|应用|软件)",
            r"重新(打开|进|登录|登)(了|过)?",
            r"退出(了)?(再|重)进",
            r"杀(了)?后台",
            r"(restarted|reopened|relaunched) (the )?app",
            r"logged out and (back )?in",
        ),
        (
            r"(退出|关闭).{0,8}(重新打开|再打开|重进)",
            r"重启\s*app",
            r"重新登录",
            r"(restart|relaunch|reopen|close and reopen) the app",
            r"log out and (back )?in",
        ),
    ),
    "reboot_device": (
        (
            r"重启(了|过)?(手机|电脑|设备)",
            r"(手机|电脑)(也)?重启(了|过)",
            r"关机重启",
            r"(rebooted|restarted) (my )?(phone|device|computer)",
        ),
        (r"重启(手机|电脑|设备)", r"(restart|reboot) (your |the )?(phone|device|computer)"),
    ),
    "update_app": (
        (r"(更新|升级)(了|过|到)", r"最新版", r"重装", r"卸载", r"updated|reinstalled|upgraded"),
        (
            r"更新到最新|升级到最新|最新版本|重新安装|卸载",
            r"(update|reinstall|upgrade) the app|latest version",
        ),
    ),
    "clear_cache": (
        (r"清(理|除)?(了|过)?缓存", r"cleared (the )?cache"),
        (r"清(理|除)?缓存", r"clear (the )?cache"),
    ),
    "volume": (
        (
            r"音量(开|调|调到)?(了|到)?(最大|满)",
            r"没(有)?静音|不是静音",
            r"(volume|sound) (is )?(up|max|on)|not muted",
        ),
        (r"音量|静音", r"(turn up|check) the volume|unmute|muted"),
    ),
}
ACTIONS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    name: (re.compile("|".join(tried), _I), re.compile("|".join(step), _I))
    for name, (tried, step) in _TABLE.items()
}

_STEP = re.compile(r"^\s*\d+[.)、]\s*")


def tried_actions(text: str) -> list[str]:
    """The actions the text says the user already tried."""
    simple = to_simplified(text).lower()
    return [name for name, (tried, _) in ACTIONS.items() if tried.search(simple)]


def remaining_steps(steps: str, tried: list[str], limit: int) -> str:
    """The article's numbered steps without the tried ones, at most `limit`,
    renumbered; each step cut to its first sentence so the offer stays short.
    """
    lines = [line for line in steps.splitlines() if line.strip()]
    kept: list[str] = []
    for line in lines:
        simple = to_simplified(line).lower()
        if any(ACTIONS[name][1].search(simple) for name in tried if name in ACTIONS):
            continue
        kept.append(_first_sentence(_STEP.sub("", line).strip()))
    return "\n".join(f"{n}. {step}" for n, step in enumerate(kept[:limit], start=1))


def _first_sentence(step: str) -> str:
    for mark in ("。", "；", ". ", "; "):
        head, sep, rest = step.partition(mark)
        if sep and rest.strip():
            return head + sep.strip()
    return step
