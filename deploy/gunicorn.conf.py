"""Gunicorn configuration for Helhet (docs/operations.md, "Serving").

    gunicorn -c deploy/gunicorn.conf.py helhet.wsgi:application

Every value can be overridden from the environment (GUNICORN_*), so one file serves every host; the systemd unit
in deploy/helhet-web.service sets them. Sync workers: each request is a short transaction on PostgreSQL and
Django's persistent connections (CONN_MAX_AGE with CONN_HEALTH_CHECKS) are per worker, so the number of
database connections is workers x hosts; keep it under PostgreSQL's max_connections (or put pgbouncer in front).
"""

import multiprocessing
import os

# Behind the reverse proxy on the same host (deploy/nginx-helhet.conf): never exposed directly.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# CPU-bound Python (rendering, JSON, the access policy): about two workers per core.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2)))
worker_class = "sync"
threads = 1
# A request that takes longer than this is a bug or a stuck query: the worker is killed and restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then (memory growth in long-lived processes), with jitter so they do not restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# Load the app before forking: faster worker starts, a broken deploy fails at once instead of per worker.
# Django opens no database connection at import time, so no connection is shared across the fork.
preload_app = True
# The proxy's address: only it may set X-Forwarded-Proto (settings.SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Logs to stdout/stderr: journald (systemd) or the container runtime collects them. No request bodies, no query
# strings beyond the path are personal data here (ids only), but keep the access log on the host.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# Request size limits in front of Django's own (DATA_UPLOAD_MAX_MEMORY_SIZE).
limit_request_line = 8190
limit_request_fields = 100
proc_name = "helhet"
