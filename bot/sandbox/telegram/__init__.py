"""Local fake of the Telegram Bot API: `python -m bot.sandbox.telegram --port 8081`."""
