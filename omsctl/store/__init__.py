"""Persistence: tables, the engine and its SQLite pragmas, migrations, queries that need SQL."""
