"""Monitoring (监测): devices, readings, ingest parsing and alarm-rule evaluation."""
