"""Entry points: the web app, the CLI, the outbox worker."""
