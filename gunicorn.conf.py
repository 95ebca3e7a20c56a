"""Production server settings: `gunicorn annotator.wsgi` reads this file from the working dir.

Environment: PORT (default 8000), BIND (default 127.0.0.1:$PORT; use 0.0.0.0:$PORT behind a
load balancer), WEB_CONCURRENCY (worker processes, default cores + 1), GUNICORN_THREADS
(default 1).

Sync workers, one per core plus one: a request is CPU-bound Python (about 3 ms for a label
POST) with short waits on PostgreSQL, so one spare worker keeps the cores busy during those
waits, and more only queue for the same cores (measured in README, "Benchmarks": 5 workers
served slightly fewer labels per second than 2 to 4 on 2 cores). Threads do not help: the GIL
serialises the Python part. With PostgreSQL on another host the waits are longer; raise
WEB_CONCURRENCY towards 2 x cores + 1 there.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then; jitter avoids restarting all at once
max_requests_jitter = 500
accesslog = "-"  # logs go to stdout/stderr for the platform to collect
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
