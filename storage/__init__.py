"""The store: SQLModel tables, the engine factory, migrations and keyword-only repository functions."""
