"""Local stand-ins for the chat platforms, for wire tests, benchmarks and demos.

Nothing is imported here on purpose: each fake pulls in its own HTTP stack only when used.
"""
