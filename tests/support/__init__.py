"""Test support: the test district, database templates, API helpers."""
