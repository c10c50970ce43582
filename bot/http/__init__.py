"""The HTTP side of `livedesk run`: webhooks, health checks and metrics."""
