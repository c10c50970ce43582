"""The console adapter: the conversation in a terminal."""
