"""What an operator watches: Prometheus metrics (metrics.py, multiproc.py), one structured
log line per request and per job run (logs.py, requests.py), and optional Sentry (sentry.py)."""
