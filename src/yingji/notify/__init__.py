"""Notify: deliveries of messages to people and devices over channels.

Receipts, retries with backoff, idempotency keys and acknowledgement (叫应).
"""
