"""Local fake of Slack (Web API, Socket Mode, signed deliveries): `python -m bot.sandbox.slack`."""
