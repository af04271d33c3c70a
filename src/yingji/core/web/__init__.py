"""Web edge shared by every domain: error answers, templates, CSRF, static files."""
