"""gunicorn settings for Alliantiemonitor (docs/production.md).

Started as ``gunicorn --config deploy/gunicorn.conf.py alliantiemonitor.wsgi:application``.
The application keeps no state in memory between requests, so the number of processes only
trades memory for concurrency.
"""

import os

#: Loopback by default: only the reverse proxy talks to gunicorn. The compose file passes
#: ``--bind 0.0.0.0:8000`` (the proxy is another container).
bind = ["127.0.0.1:8000"]

#: Sync workers: every request holds one process, and the app does not wait on anything slow
#: but its database. Two per core plus one; ``WEB_CONCURRENCY`` (gunicorn's own variable)
#: overrides it, e.g. inside a container that sees more cores than it may use.
workers = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) * 2 + 1)
worker_class = "sync"

#: A request that takes this long is cut off and its process restarted. Study exports and
#: reports are built by the background worker, so no page needs longer.
timeout = 30
#: On SIGTERM or SIGHUP, running requests get this long to finish (zero-downtime reload).
graceful_timeout = 30
#: Connections kept open by the reverse proxy between requests.
keepalive = 5
#: A process is replaced after this many requests (jittered, so not all at once): memory that
#: a library holds on to cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
#: The heartbeat file of each process in memory, not on a possibly slow disk (containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

#: No access log from gunicorn: its lines carry the query string (which may hold a code). The
#: application writes one line per request itself, with the request id and without secrets
#: (``ALLIANTIEMONITOR_LOG_FORMAT=json``).
accesslog = None
errorlog = "-"
loglevel = "info"
#: The request id that nginx sets reaches the application as ``X-Request-ID``; gunicorn trusts
#: ``X-Forwarded-*`` only from these addresses (Django reads the scheme itself, see
#: ``SECURE_PROXY_SSL_HEADER``).
forwarded_allow_ips = "127.0.0.1,::1"

if (os.environ.get("ALLIANTIEMONITOR_LOG_FORMAT") or "text").lower() == "json":
    # gunicorn's own messages (start, worker timeouts) in the same JSON lines as the app's.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "alliantiemonitor.web.logging.JsonFormatter"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False}
        },
    }
