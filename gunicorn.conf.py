"""Production server settings: `gunicorn annotator.wsgi` reads this file from the working dir.

Environment: PORT (default 8000), BIND (default 127.0.0.1:$PORT; use 0.0.0.0:$PORT behind a
load balancer), WEB_CONCURRENCY (worker processes, default usable cores + 1),
GUNICORN_THREADS (default 1: sync workers), GUNICORN_TIMEOUT (default 60 seconds).

Sync workers, one per core plus one: a request is CPU-bound Python (about 3 ms for a label
POST) with short waits on PostgreSQL, so one spare worker keeps the cores busy during those
waits, and more only queue for the same cores (measured in docs/benchmarks.md: 5 workers
served slightly fewer labels per second than 2 to 4 on 2 cores). Threads do not help: the GIL
serialises the Python part. With PostgreSQL on another host the waits are longer; raise
WEB_CONCURRENCY towards 2 x cores + 1 there. Each worker takes about 85 MB at its peak.
"""

import os

# The cores this process may run on (a container's cpuset), not the host's count.
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", (cores or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A worker silent this long is killed and replaced. Label writes take milliseconds; the limit
# is for exports streamed through the web (docs/operations.md says how large one may be).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30  # a deploy's SIGTERM lets requests in flight finish
keepalive = 5  # longer than nothing, shorter than a load balancer's idle timeout
max_requests = 5000  # recycle workers now and then; jitter avoids restarting all at once
max_requests_jitter = 500
# The heartbeat file on tmpfs: a container's disk-backed /tmp can stall it into timeouts.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"  # access lines to stdout, gunicorn's own messages to stderr
errorlog = "-"
# Trust X-Forwarded-* only from the load balancer's addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
