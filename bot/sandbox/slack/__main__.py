"""`python -m bot.sandbox.slack`: the fake as a standalone server."""

from bot.sandbox.slack.server import main

raise SystemExit(main())
