"""Storage: SQLModel over SQLite (embedded default) or PostgreSQL (shared)."""
