"""Canary secrets logged through the real loggers never reach the output."""

import io
import json
import logging

import pytest

from bot.logging_setup import QUIET_LOGGERS, configure_logging
from core.config import settings_from_mapping

TG_TOKEN = "7654321098:AAH-canary-telegram-token-abcdefghijk"
SLACK_BOT = "xoxb-111-222-canarybottoken"
SIGNING = "canary-signing-secret-5f2c"
APP_TOKEN = "xapp-1-A111-canaryapptoken"


@pytest.fixture
def output():
    settings = settings_from_mapping(
        {},
        environ={
            "LIVEDESK_TELEGRAM_TOKEN": TG_TOKEN,
            "LIVEDESK_SLACK_BOT_TOKEN": SLACK_BOT,
            "LIVEDESK_SLACK_SIGNING_SECRET": SIGNING,
            "LIVEDESK_SLACK_APP_TOKEN": APP_TOKEN,
        },
    )
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    json_stream = io.StringIO()
    handler = configure_logging(settings, stream=stream, level=logging.DEBUG)
    json_handler = configure_logging(
        settings, stream=json_stream, level=logging.DEBUG, json_lines=True
    )
    root.addHandler(handler)  # both formats at once
    yield lambda: stream.getvalue() + json_stream.getvalue()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    assert json_handler


def test_no_secret_or_finance_value_reaches_the_log(output):
    log = logging.getLogger("livedesk.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TG_TOKEN)
    log.warning("slack auth with %s and %s", SLACK_BOT, APP_TOKEN)
    log.error("signature check used %s", SIGNING)
    log.info("ticket update order_id=ORD-CANARY-991 amount: 648.00", extra={"amount": "648.00"})
    log.info("payload %s", json.dumps({"order_id": "ORD-CANARY-992", "payment_channel": "alipay"}))
    try:
        raise RuntimeError(f"boom with {TG_TOKEN}")
    except RuntimeError:
        log.exception("handler failed")
    text = output()
    for canary in (
        TG_TOKEN,
        SLACK_BOT,
        SIGNING,
        APP_TOKEN,
        "ORD-CANARY-991",
        "ORD-CANARY-992",
        "648.00",
        "alipay",
    ):
        assert canary not in text, canary
    assert "[redacted]" in text
    assert "handler failed" in text


def test_a_token_shaped_string_is_removed_even_when_unknown(output):
    logging.getLogger("x").info("leak 1234567890:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef12345")
    assert "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef12345" not in output()


def test_http_client_loggers_that_print_urls_are_quiet(output):
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/botSECRET/getMe")
    assert "HTTP Request" not in output()


def test_finance_values_in_the_users_words_are_masked_for_non_finance_viewers():
    from core.masking import mask_text

    diag = {"order_id": "ORD20261125001", "amount": "648"}
    words = "充值648元没到账，订单号 ORD20261125001"
    masked = mask_text(words, diag, finance_viewer=False)
    assert "ORD20261125001" not in masked and "648" not in masked
    assert masked.endswith("5001")
    assert mask_text(words, diag, finance_viewer=True) == words


@pytest.mark.parametrize(
    ("words", "hidden"),
    [
        ("I paid 68 yuan with Alipay and got nothing", ("68", "Alipay")),
        ("charged $12.99 twice on my credit card", ("12.99", "credit card")),
        ("微信支付扣了328，订单号 4200001234567890", ("328", "微信支付", "4200001234567890")),
        ("refund my ¥648 please, receipt no. GPA.3391-2211-0098", ("648", "GPA.3391")),
        ("card 6222021234567890123 was charged", ("6222021234567890123",)),
    ],
)
def test_money_ids_and_payment_channels_in_free_text_are_masked(words, hidden):
    from core.masking import mask_text

    masked = mask_text(words, {}, finance_viewer=False)
    for value in hidden:
        assert value not in masked, masked
    assert mask_text(words, {}, finance_viewer=True) == words


def test_masking_leaves_words_without_finance_values_alone():
    from core.masking import mask_text

    words = "直播间 8848 卡顿，iPhone 13，版本 5.2.1"
    assert mask_text(words, {}, finance_viewer=False) == words


def test_a_badly_signed_slack_body_is_not_logged(output):
    """slack-bolt logs the body of a request whose signature fails; after a secret
    rotation that is a real event with a user's phone number in it."""
    bolt = logging.getLogger("slack_bolt.RequestVerification")
    bolt.setLevel(logging.DEBUG)  # what slack-bolt does to its own loggers
    bolt.info("Invalid request signature detected (body: %s)", '{"text": "call me on 13987654321"}')
    assert "13987654321" not in output()
