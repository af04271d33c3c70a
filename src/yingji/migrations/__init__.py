"""Alembic migrations shipped inside the package (``yingji db upgrade``)."""
