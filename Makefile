# Two commands set everything up: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/annotator
# Extra pytest arguments, e.g. make test PYTEST_ARGS="tests/workflow/test_queue.py -x"
PYTEST_ARGS ?=

.PHONY: run test lint format e2e-deps clean bench loadtest serve backup restore worker

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt requirements-extractors.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The demo server with a background worker beside it (imports, suggestions, exports, webhooks);
# the worker stops with the server.
run: $(VENV)/.runtime
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py run_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# The whole suite on PostgreSQL; a missing database or browser fails it, never skips it.
# pytest's exit code (5 = no tests collected) is passed through, so "no tests" fails too.
# STATIC_ROOT names an empty place: pages under test use the static sources, never files a
# `make serve` collected earlier (which may be older than the sources).
test: $(VENV)/.dev
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} SECRET_KEY=test-only-secret-key \
	DEBUG=0 SECURE_SSL_REDIRECT=0 STATIC_ROOT=$(CURDIR)/var/no-static-in-tests \
	$(PY) -m pytest $(PYTEST_ARGS)

# Production, one machine: checks, collected static files, migrations, then gunicorn with
# gunicorn.conf.py in the foreground. The environment must name the secret key and the database
# (and ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, BIND...): see docs/operations.md, "Production".
serve: $(VENV)/.runtime
	@test -n "$${SECRET_KEY:-$$DJANGO_SECRET_KEY}" || \
	  { echo "make serve: SECRET_KEY is not set; refusing to start (docs/operations.md, Production)" >&2; exit 1; }
	@test -n "$${DATABASE_URL:-$$DJANGO_DATABASE_URL}" || \
	  { echo "make serve: DATABASE_URL is not set; refusing to start (docs/operations.md, Production)" >&2; exit 1; }
	DEBUG=0 DJANGO_DEBUG=0 $(PY) manage.py check --deploy
	DEBUG=0 DJANGO_DEBUG=0 $(PY) manage.py collectstatic --no-input --verbosity 0
	DEBUG=0 DJANGO_DEBUG=0 $(PY) manage.py migrate --no-input
	DEBUG=0 DJANGO_DEBUG=0 exec $(VENV)/bin/gunicorn --config=gunicorn.conf.py annotator.wsgi:application

# The background worker in the foreground, with the same environment as `make serve` (set
# SECRET_KEY and DATABASE_URL the same way). Run as many as you like, on any machine that
# reaches the database; stop with Ctrl+C (the running job finishes first) or SIGTERM.
worker: $(VENV)/.runtime
	@test -n "$${SECRET_KEY:-$$DJANGO_SECRET_KEY}" || \
	  { echo "make worker: SECRET_KEY is not set; refusing to start (docs/operations.md)" >&2; exit 1; }
	@test -n "$${DATABASE_URL:-$$DJANGO_DATABASE_URL}" || \
	  { echo "make worker: DATABASE_URL is not set; refusing to start (docs/operations.md)" >&2; exit 1; }
	DEBUG=0 DJANGO_DEBUG=0 exec $(PY) manage.py run_worker --no-reload

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

# Benchmarks (not tests): builds seeded data with COPY in its own database, which it DROPS and
# re-creates, measures, prints one table and writes it into docs/benchmarks.md. Takes a few minutes.
# BENCH_ONLY=control (or any comma-separated steps of bench/run.py) runs a part; a step with
# its own table in docs/benchmarks.md (control) writes it there.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/annotator_bench
BENCH_ONLY ?=
bench: $(VENV)/.dev
	$(PY) -m bench.run --database-url $(BENCH_DATABASE_URL) --readme docs/benchmarks.md \
	$(if $(BENCH_ONLY),--only $(BENCH_ONLY))

# Load test (not a test of `make test`): 50 annotators against gunicorn with production settings
# on 127.0.0.1, at most 60 s; its own database is DROPPED and re-created (name must contain
# "load" or "bench"). Prints one table, writes it into docs/benchmarks.md, exits 1 on any 5xx or lost label.
LOADTEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/annotator_load
# LOADTEST_FAULTS=1 adds crash faults (bench/faults.py): workers SIGKILLed while labelling and
# importing, and PostgreSQL restarted with $$LOADTEST_POSTGRES_RESTART (default: the local cluster).
LOADTEST_FAULTS ?= 0
loadtest: $(VENV)/.dev
ifeq ($(LOADTEST_FAULTS),1)
	$(PY) -m bench.loadtest --faults --database-url $(LOADTEST_DATABASE_URL) --readme docs/operations.md
else
	$(PY) -m bench.loadtest --database-url $(LOADTEST_DATABASE_URL) --readme docs/benchmarks.md
endif

# Backups of a PostgreSQL deployment (docs/operations.md, "Backup and restore"). DATABASE_URL
# names the database; BACKUP_FILE the dump (pg_dump's custom format, compressed).
#   make backup DATABASE_URL=postgres://... [BACKUP_FILE=backups/annotator-<time>.dump]
#   make restore DATABASE_URL=postgres://.../an_empty_database BACKUP_FILE=backups/x.dump
# restore refuses a database that already has our tables unless RESTORE_CLEAN=1, and runs in
# one transaction: it either restores everything or leaves the database as it was.
BACKUP_STAMP := $(shell date -u +%Y%m%dT%H%M%SZ)
BACKUP_FILE ?= backups/annotator-$(BACKUP_STAMP).dump
backup:
	@case "$${DATABASE_URL:-}" in postgres://*|postgresql://*) ;; \
	  *) echo "make backup: DATABASE_URL must name a PostgreSQL database" >&2; exit 2;; esac
	mkdir -p $(dir $(BACKUP_FILE))
	pg_dump --format=custom --no-owner --no-privileges --file=$(BACKUP_FILE).partial "$$DATABASE_URL"
	mv $(BACKUP_FILE).partial $(BACKUP_FILE)
	@echo "backup written to $(BACKUP_FILE)"

restore:
	@case "$${DATABASE_URL:-}" in postgres://*|postgresql://*) ;; \
	  *) echo "make restore: DATABASE_URL must name a PostgreSQL database" >&2; exit 2;; esac
	@test -f "$(BACKUP_FILE)" || { echo "make restore: BACKUP_FILE=$(BACKUP_FILE) does not exist" >&2; exit 2; }
	@if [ "$${RESTORE_CLEAN:-0}" != 1 ] && [ "$$(psql "$$DATABASE_URL" -tAc "select to_regclass('labels_project') is not null")" = t ]; then \
	  echo "make restore: $$DATABASE_URL already holds the app's tables; restore into an empty database or set RESTORE_CLEAN=1" >&2; exit 2; fi
	pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
	  $$( [ "$${RESTORE_CLEAN:-0}" = 1 ] && echo --clean --if-exists ) --dbname="$$DATABASE_URL" "$(BACKUP_FILE)"
	@echo "restored $(BACKUP_FILE)"
