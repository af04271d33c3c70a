"""Geo: the location backbone — divisions (区 → 镇街 → 村社 → 网格) and sites.

Every registry row that has a place references a ``site`` (point + division); the
division's code decides jurisdiction (see ``accounts.scoping``).
"""
