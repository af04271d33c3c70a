"""Duty desk (值班值守): rosters, shifts, hand-over, duty log, and the current duty chain."""
