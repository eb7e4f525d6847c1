"""Persistence: SQLAlchemy tables and repositories, the blob store, field encryption."""
