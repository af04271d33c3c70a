"""Hazards (隐患) and the rectification loop.

report, confirm, rectify, accept, close; escalation and statistics.
"""
