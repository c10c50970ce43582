"""Reports over the real python-telegram-bot against the fake Bot API."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import select

from bot.telegram import adapter as telegram_adapter
from bot.telegram import polling as telegram_polling
from bot.telegram.render import split_text
from core.errors import StorageUnavailableError
from core.storage.tables import AttachmentRow, TicketMessageRow
from tests.wire.telegram_intake_fixtures import WEBHOOK_SECRET, Service, User

pytestmark = pytest.mark.wire

STUTTER = "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi"


async def report_stutter(user: User) -> str:
    await user.says(STUTTER, expect="还是不行")
    await user.presses("还是不行", expect="什么时候")
    await user.presses("刚刚", expect="截图")
    await user.presses("没有了", expect="请确认")
    return await user.presses("提交", expect="工单号")


async def test_a_chinese_report_becomes_a_ticket(service: Service):
    user = User(service.fake, 1001)
    done = await report_stutter(user)
    (ticket,) = service.tickets()
    assert ticket.ref in done
    assert (ticket.subtype, ticket.channel, ticket.chat_id) == ("av.stutter", "telegram", "1001")
    assert ticket.diagnostics["room_id"] == "8848"
    assert service.fake.callback_answers  # every button press was answered
    assert {c["command"] for c in service.fake.commands} >= {"start", "new", "mytickets", "human"}


async def test_an_english_report_becomes_a_ticket(service: Service):
    user = User(service.fake, 1002, language="en-US")
    await user.says(
        "My top-up of 30 USD via Google Play never arrived, order GPA.3321-5521",
        expect="Only me",  # a top-up fault for many would be P0: asked first
    )
    await user.presses("Only me", expect="Still broken")
    await user.presses("Still broken", expect="Skip")
    await user.skip_to("Submit", ("Skip", "No more"))
    await user.presses("Submit", expect="ticket")
    (ticket,) = service.tickets()
    assert (ticket.category, ticket.language) == ("finance", "en")


async def test_a_knowledge_base_article_can_solve_it_without_a_ticket(service: Service):
    user = User(service.fake, 1003)
    await user.says("看直播一直卡，一直缓冲转圈", expect="还是不行")
    await user.presses("方法1解决了", expect="解决")
    assert service.tickets() == []


async def test_vague_words_are_asked_about_and_a_category_lists_its_subtypes(service: Service):
    user = User(service.fake, 1004)
    await user.says("它又坏了，弄了半天", expect="具体是哪里出了问题")
    await user.presses("账号", expect="具体是下面哪一种")
    await user.presses("都不是", expect="大类")
    await user.presses("账号", expect="明白了")


async def test_a_photo_is_stored_and_linked_to_the_ticket(service: Service):
    user = User(service.fake, 1005)
    await user.says(STUTTER, expect="还是不行")
    await user.presses("还是不行", expect="什么时候")
    await user.presses("刚刚", expect="截图")
    service.fake.user_sends_photo(1005, b"\x89PNG fake screenshot")
    await user.expect("收到附件")
    await user.presses("没有了", expect="附件：1")
    await user.presses("提交", expect="工单号")
    with service.db.session() as s:
        (row,) = s.exec(select(AttachmentRow)).all()
    stored = Path(service.settings.storage.data_dir) / "attachments" / row.stored_path
    assert stored.read_bytes() == b"\x89PNG fake screenshot"


async def test_a_restart_in_the_middle_of_a_report_loses_nothing(service: Service):
    user = User(service.fake, 1006)
    await user.says(STUTTER, expect="还是不行")
    await user.presses("还是不行", expect="什么时候")
    await service.stop()
    await service.start()
    await user.presses("刚刚", expect="截图")
    await user.presses("没有了", expect="请确认")
    await user.presses("提交", expect="工单号")
    assert len(service.tickets()) == 1


async def test_a_duplicated_update_is_handled_once(service: Service):
    user = User(service.fake, 1007)
    service.fake.duplicate_next_delivery()
    await user.says("看直播一直卡，一直缓冲转圈", expect="还是不行")
    await service.fake.wait_until_delivered()
    await user.command("/mytickets", expect="还没有工单")
    texts = [m["text"] for m in service.fake.sent(1007)]
    assert sum("还是不行" in str(m.get("reply_markup")) for m in service.fake.sent(1007)) == 1, (
        texts
    )


async def test_rate_limits_and_server_errors_are_retried(service: Service):
    user = User(service.fake, 1008)
    service.fake.fail_next("sendMessage", status=429, retry_after=1)
    service.fake.fail_next("sendMessage", status=502)
    await user.command("/help", expect="/new")


async def test_a_stale_button_gets_a_polite_answer(service: Service):
    user = User(service.fake, 1009)
    await user.says("看直播一直卡，一直缓冲转圈", expect="还是不行")
    old = user.button("方法1解决了")
    await user.presses("还是不行", expect="网络")
    service.fake.user_presses(1009, *old)
    await user.expect("过期")


async def test_after_the_ticket_the_user_can_add_information(service: Service):
    user = User(service.fake, 1010)
    await report_stutter(user)
    (ticket,) = service.tickets()
    await user.says("补充：换了4G也一样卡", expect=ticket.ref)
    service.fake.user_sends_document(1010, b"log line\n", file_name="app.log")
    await user.expect(ticket.ref)
    with service.db.session() as s:
        messages = s.exec(select(TicketMessageRow)).all()
    assert [m.text for m in messages] == ["补充：换了4G也一样卡", ""]
    assert messages[1].attachment_id is not None


async def test_webhook_updates_carry_the_secret_and_forged_ones_are_refused(
    webhook_service: Service,
):
    user = User(webhook_service.fake, 1011)
    await user.command("/start", expect="你好")
    url = webhook_service.settings.telegram.webhook_url
    forged = {
        "update_id": 999_999,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 1011, "type": "private"},
            "from": {"id": 1011, "is_bot": False, "first_name": "Mallory"},
            "text": "/mytickets",
        },
    }
    async with aiohttp.ClientSession(trust_env=False) as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(url, json=forged, headers=headers) as response:
                assert response.status == 401
        async with http.post(
            url, data=b"not json", headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        ) as response:
            assert response.status == 400
    await user.command("/help", expect="/new")
    assert not any("还没有工单" in m.get("text", "") for m in webhook_service.fake.sent(1011))


def test_long_texts_are_split_within_telegram_limits():
    text = ("第一行\n" * 1500) + "x" * 5000
    pieces = split_text(text)
    assert all(len(p) <= 4096 for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


async def test_network_errors_while_polling_do_not_stop_the_bot(service: Service):
    service.fake.fail_next("getUpdates", status=502, times=2)
    user = User(service.fake, 1012)
    await user.command("/help", expect="/new")


class _AwayFor:
    """The engine's runner with the database away for the first `times` calls,
    or until `back` is set."""

    def __init__(self, runner: Any, times: int = 0) -> None:
        self.runner, self.times, self.calls = runner, times, 0
        self.back = asyncio.Event()

    async def handle(self, event: Any) -> Any:
        self.calls += 1
        if self.calls <= self.times or (not self.times and not self.back.is_set()):
            raise StorageUnavailableError("the database is unavailable: connection refused")
        return await self.runner.handle(event)


async def _until(condition: Any, what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def test_a_database_away_for_a_moment_loses_no_message(
    service: Service, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(telegram_adapter, "RETRY_DELAYS", (0.05, 0.05, 0.05))
    assert service.adapter is not None
    service.adapter.runner = flaky = _AwayFor(service.adapter.runner, times=2)
    user = User(service.fake, 1031)
    await user.says(STUTTER, expect="还是不行")
    assert flaky.calls == 3
    assert not any("出了点问题" in m.get("text", "") for m in service.fake.sent(1031))


async def test_polling_keeps_an_update_it_could_not_store_and_handles_it_later(
    service: Service, monkeypatch: pytest.MonkeyPatch
):
    # Longer than the adapter waits: the offset stays before the update, which is
    # fetched again after a pause; the chat's next message waits behind it.
    monkeypatch.setattr(telegram_adapter, "RETRY_DELAYS", (0.02,))
    monkeypatch.setattr(telegram_polling, "RETRY_PAUSE", 0.05)
    assert service.adapter is not None
    service.adapter.runner = away = _AwayFor(service.adapter.runner)
    user = User(service.fake, 1032)
    service.fake.user_sends(1032, STUTTER)
    service.fake.user_sends_command(1032, "/help")
    await _until(lambda: away.calls >= 6, "three rounds of attempts")
    assert service.fake.pending_update_count == 2  # neither was confirmed
    assert service.fake.sent(1032) == []  # nobody was told to send it again
    away.back.set()
    await user.expect("/new")
    texts = [m.get("text", "") for m in service.fake.sent(1032)]
    # The report's answer first, then the help: in the order they were sent.
    assert "卡顿" in texts[0] and "/new" in texts[-1], texts
    await service.fake.wait_until_delivered()
    assert not any("请稍后再发一次" in t for t in texts)


async def test_the_webhook_answers_503_while_an_update_cannot_be_stored(
    webhook_service: Service, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(telegram_adapter, "WEBHOOK_RETRY_DELAYS", (0.02,))
    svc = webhook_service
    assert svc.adapter is not None
    svc.adapter.runner = away = _AwayFor(svc.adapter.runner)
    user = User(svc.fake, 1033)
    svc.fake.user_sends(1033, STUTTER)
    await _until(lambda: svc.fake.webhook_deliveries >= 3, "Telegram sending it again")
    assert svc.fake.pending_update_count == 1
    info = await _webhook_info(svc)
    assert "503" in info.get("last_error_message", ""), info
    away.back.set()
    await user.expect("还是不行")
    await svc.fake.wait_until_delivered()
    assert not any("请稍后再发一次" in m.get("text", "") for m in svc.fake.sent(1033))


async def _webhook_info(svc: Service) -> dict[str, Any]:
    async with aiohttp.ClientSession(trust_env=False) as http:
        url = f"{svc.fake.base_url}{svc.fake.token}/getWebhookInfo"
        async with http.post(url) as response:
            body = await response.json()
    return dict(body["result"])
