"""The Slack agent workspace: ticket cards, actions, thread relay, slash command."""
