"""Web infrastructure only: security headers, sessions, rate limits, guards, health, error
pages and the shared handler helpers. Feature pages live in their feature's `views.py`."""
