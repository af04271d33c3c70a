"""Alarms (报警): lifecycle, acknowledgement, clearing, escalation on silence, statistics."""
