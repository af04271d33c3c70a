"""The web kit: what every domain's ``api.py`` and ``pages.py`` share.

Dependency aliases (actor, read session, unit of work, context), the page POST → service →
flash → redirect helper, the display layer (labels, numbers with units, local times, names)
and the one table macro. It sits above ``accounts`` and ``geo`` and below every business
domain (import-linter enforces the layer).
"""
