"""The Telegram adapter: python-telegram-bot in polling or webhook mode."""
