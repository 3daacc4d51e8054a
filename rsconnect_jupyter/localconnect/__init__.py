"""A Connect-compatible local server: Tornado + SQLite + a content runner, for one machine."""
