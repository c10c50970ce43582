"""`python -m bot.sandbox.telegram`: the fake as a standalone server."""

from bot.sandbox.telegram.server import main

raise SystemExit(main())
