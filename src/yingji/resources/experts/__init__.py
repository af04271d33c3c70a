"""Experts (专家库): a district-wide registry of experts by field, with availability."""
