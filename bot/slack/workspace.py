"""The Slack side's shared state: the Web API client, the bolt app, who may act."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.net import is_loopback
from bot.slack.agent_names import public_name
from bot.slack.cards import record_post
from core.config import Settings
from core.incidents.service import IncidentService
from core.outbox.model import Progress
from core.ports import Clock, KnowledgeBase
from core.relay import TicketRelay
from core.storage.db import Database
from core.storage.tables import TicketRow
from core.tickets import TicketService

log = logging.getLogger(__name__)

GROUP_CACHE_SECONDS = 300.0
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")


class Workspace:
    """The Web API client and the bolt app, and what the Slack handlers act on: the
    bootstrap hands in the services, the knowledge base and the clock.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        tickets: TicketService,
        relay: TicketRelay,
        kb: KnowledgeBase,
        clock: Clock,
        incidents: IncidentService | None = None,
        progress: Callable[[str], Progress] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.tickets = tickets
        self.relay = relay
        self.kb = kb
        self.clock = clock
        self.incidents = incidents or IncidentService(db, tickets)
        # How far a public update's broadcast has got (the outbox's progress of a
        # group key); None until the composition root hands one in.
        self.progress = progress
        token = settings.secrets.slack_bot_token
        assert token is not None, "slack needs LIVEDESK_SLACK_BOT_TOKEN"
        self.client = AsyncWebClient(
            token=token.get_secret_value(),
            base_url=settings.slack.api_url,
            retry_handlers=[
                AsyncRateLimitErrorRetryHandler(max_retry_count=3),
                AsyncServerErrorRetryHandler(max_retry_count=2),
                AsyncConnectionErrorRetryHandler(max_retry_count=2),
            ],
        )
        if is_loopback(settings.slack.api_url):
            # slack_sdk reads HTTP(S)_PROXY itself and ignores NO_PROXY.
            self.client.proxy = None
        secret = settings.secrets.slack_signing_secret
        # Our own authorize: bolt's default calls auth.test through a per-request
        # client that takes its proxy from the environment, even for a local URL.
        self.app = AsyncApp(
            client=self.client,
            authorize=self._authorizer(),
            signing_secret=secret.get_secret_value() if secret else None,
            request_verification_enabled=settings.slack.mode == "http",
            # Answer Slack only once the work is committed: an instance dying
            # after the answer must not lose an acknowledged click or event.
            process_before_response=True,
        )
        self.bot_user_id = ""
        self._auth: AuthorizeResult | None = None
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}
        self._names: dict[str, str] = {}

    def configured_channels(self) -> dict[str, str]:
        """Every channel the configuration names, by the key that names it."""
        slack, routing = self.settings.slack, self.settings.routing
        channels = {
            "slack.triage_channel": slack.triage_channel,
            "slack.finance_channel": slack.finance_channel,
            "slack.escalation_channel": slack.escalation_channel,
        }
        channels.update({f"routing.channels.{c.value}": ch for c, ch in routing.channels.items()})
        return channels

    async def check_channels(self) -> list[str]:
        """Problems with the configured channels; empty when the bot can post to all."""
        problems = []
        for key, channel in self.configured_channels().items():
            if not CHANNEL_ID.match(channel):
                # conversations.info takes ids only; a name is checked on first post.
                log.warning("%s = %r is a name, not a channel id: not checked", key, channel)
                continue
            try:
                info = await self.client.conversations_info(channel=channel)
            except SlackApiError as err:
                problems.append(f"{key} = {channel!r}: {err.response.get('error')}")
                continue
            if not (info.get("channel") or {}).get("is_member", False):
                problems.append(f"{key} = {channel!r}: the bot is not a member (invite it)")
        return problems

    async def start(self) -> None:
        auth = await self.client.auth_test()
        self.bot_user_id = str(auth.get("user_id", ""))
        self._auth = AuthorizeResult(
            enterprise_id=auth.get("enterprise_id"),
            team_id=auth.get("team_id"),
            bot_user_id=self.bot_user_id,
            bot_id=auth.get("bot_id"),
            bot_token=self.client.token,
        )

    def _authorizer(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        # A plain function: bolt injects arguments by parameter name.
        async def authorize(team_id: str | None = None) -> AuthorizeResult:
            if self._auth is None:
                await self.start()
            assert self._auth is not None
            return self._auth

        return authorize

    # -- who may act ------------------------------------------------------------------------

    async def members(self, entries: list[str]) -> frozenset[str]:
        """User ids, with user groups (S...) expanded through usergroups.users.list."""
        users: set[str] = set()
        for entry in entries:
            if not entry.startswith("S"):
                users.add(entry)
                continue
            cached = self._groups.get(entry)
            # The cache's age on a monotonic timer, not the clock: an interval on this
            # process, unaffected by wall-clock jumps and by the time a test sets.
            if cached is None or time.monotonic() - cached[0] > GROUP_CACHE_SECONDS:
                answer = await self.client.usergroups_users_list(usergroup=entry)
                cached = (time.monotonic(), frozenset(answer.get("users", [])))
                self._groups[entry] = cached
            users |= cached[1]
        return frozenset(users)

    async def may_act(self, user_id: str, ticket: TicketRow) -> bool:
        slack = self.settings.slack
        finance = await self.members(slack.finance_agents)
        if ticket.category == "finance":
            return user_id in finance
        return user_id in finance or user_id in await self.members(slack.agents)

    async def may_act_on_incident(self, user_id: str, finance: bool) -> bool:
        """As for tickets: finance incidents for finance agents only."""
        if finance:
            return user_id in await self.members(self.settings.slack.finance_agents)
        return await self.is_agent(user_id)

    async def may_be_assigned(self, user_id: str, ticket: TicketRow) -> bool:
        """Whether a ticket may be handed to this user: a known agent (the agents,
        the tier members, the on-call and the finance agents); finance tickets go to
        finance agents only.
        """
        if ticket.category == "finance":
            return await self.is_finance_agent(user_id)
        slack, routing = self.settings.slack, self.settings.routing
        known = [
            *slack.agents,
            *slack.finance_agents,
            *self.settings.escalation.on_call,
            *(m for members in routing.tier_members.values() for m in members),
        ]
        return user_id in await self.members(known)

    def tier_targets(self, ticket: TicketRow | None, tier: str) -> list[str]:
        """Whom an SLA or escalation note about a ticket mentions: a finance ticket's
        go to the finance agents (its tier), never to other tiers' members.
        """
        if ticket is not None and ticket.category == "finance":
            return list(self.settings.slack.finance_agents)
        return list(self.settings.routing.tier_members.get(tier, []))

    async def is_finance_agent(self, user_id: str) -> bool:
        return user_id in await self.members(self.settings.slack.finance_agents)

    async def is_agent(self, user_id: str) -> bool:
        slack = self.settings.slack
        return user_id in await self.members([*slack.agents, *slack.finance_agents])

    async def display_name(self, user_id: str) -> str:
        """The agent's name as users see it (bot.slack.agent_names)."""
        configured = self.settings.slack.agent_display_names
        if user_id in configured:
            return configured[user_id]
        if user_id not in self._names:
            try:
                info = await self.client.users_info(user=user_id)
                user: dict[str, Any] = info.get("user") or {}
                profile: dict[str, Any] = user.get("profile") or {}
                self._names[user_id] = public_name(user_id, configured, profile)
            except Exception:
                log.warning("users.info failed; using the user id as the agent name")
                return user_id
        return self._names[user_id]

    async def respond(self, response_url: str, text: str) -> None:
        """Answer through a response URL, ephemerally.

        Not bolt's respond(): its webhook client takes the proxy from the
        environment even for a local URL.
        """
        payload = {"response_type": "ephemeral", "text": text}
        async with (
            aiohttp.ClientSession(trust_env=not is_loopback(response_url)) as http,
            http.post(response_url, json=payload) as answer,
        ):
            if answer.status >= 300:
                log.warning("response_url answered %s", answer.status)

    async def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Blocking core work off the event loop."""
        return await asyncio.to_thread(func, *args, **kwargs)

    async def record_post(self, ref: str, kind: str, answer: Any) -> None:
        """Keep where a message just posted for a ticket or an incident is."""
        await self.run(record_post, self.db, ref, kind, answer, self.clock.now())
