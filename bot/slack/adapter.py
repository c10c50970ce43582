"""The Slack adapter: bolt in HTTP or Socket Mode, wired to the core."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from starlette.requests import Request
from starlette.responses import Response

from bot.slack.actions import CardActions
from bot.slack.card_sweep import CardSweeper
from bot.slack.commands import SlackCommands
from bot.slack.events import SlackEvents
from bot.slack.incident_actions import IncidentActions
from bot.slack.incident_submissions import IncidentSubmissions
from bot.slack.notifier import SlackNotifier
from bot.slack.reclassify import ReclassifyActions
from bot.slack.submissions import ModalSubmissions
from bot.slack.workspace import Workspace
from core.errors import LiveDeskError
from core.ports import UserNotifier


class ChannelProblemError(LiveDeskError):
    pass


class SlackAdapter:
    """Agents work tickets here: the notifier announces them (AgentNotifier), the
    handlers act on clicks, modals, thread replies and the slash command, and
    reach the reporter through `users`.
    """

    def __init__(
        self, workspace: Workspace, notifier: SlackNotifier, *, users: UserNotifier
    ) -> None:
        self.workspace = workspace
        self.notifier = notifier
        CardActions(workspace, notifier, users).register()
        ReclassifyActions(workspace, notifier, users).register()
        ModalSubmissions(workspace, notifier, users).register()
        SlackEvents(workspace, notifier, users).register()
        IncidentActions(workspace, notifier, users).register()
        IncidentSubmissions(workspace, notifier, users).register()
        SlackCommands(self.workspace).register()
        self._http = AsyncSlackRequestHandler(self.workspace.app)
        self._socket: AsyncSocketModeHandler | None = None
        self.sweeper = CardSweeper(workspace, notifier)

    async def start(self) -> None:
        await self.workspace.start()
        problems = await self.workspace.check_channels()
        if problems:
            raise ChannelProblemError(
                "Slack channels LiveDesk cannot post to: " + "; ".join(problems)
            )
        settings = self.workspace.settings
        if settings.slack.mode == "socket":
            token = settings.secrets.slack_app_token
            assert token is not None, "socket mode needs LIVEDESK_SLACK_APP_TOKEN"
            self._socket = AsyncSocketModeHandler(
                self.workspace.app, token.get_secret_value(), web_client=self.workspace.client
            )
            self._socket.client.proxy = self.workspace.client.proxy
            await self._socket.connect_async()
        self.sweeper.start()

    async def stop(self) -> None:
        await self.sweeper.stop()
        # The last state of every incident card is shown before going away.
        await self.notifier.incidents.throttle.close()
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None

    async def http_endpoint(self, request: Request) -> Response:
        """POST /slack/events: signed Events API, interactivity and slash commands."""
        return await self._http.handle(request)
