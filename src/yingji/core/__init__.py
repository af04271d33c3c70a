"""Core: what every domain uses and which knows no business domain.

Database engine and sessions, unit of work, events and the transactional outbox, audit log,
clock, pagination, errors, Excel and GeoJSON helpers, and the web layout.
"""
