"""Enterprises (一企一档): credit codes, industry classification, licences and profiles."""
