# Helhet: `make run` (app on SQLite with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-sqlite test-postgres install install-test system-deps lint bench bench-national worker messages

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .
	npm install --no-audit --no-fund --loglevel=error

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	npm install --no-audit --no-fund --loglevel=error
	@./scripts/system-deps.sh

run: install
	mkdir -p var
	@# On PostgreSQL with DATABASE_OWNER_URL set: the roles and grants first (docs/operations.md, Databaseroller).
	@if [ -n "$$DATABASE_OWNER_URL" ]; then $(BIN)/python scripts/pg_roles.py "$(PG_URL)" --database "$$DATABASE_OWNER_URL"; fi
	HELHET_DEMO=1 $(BIN)/python manage.py migrate --noinput -v0
	HELHET_DEMO=1 $(BIN)/python manage.py seed_demo
	@echo "Helhet runs at http://127.0.0.1:$(PORT)/ (stop with Ctrl-C)"
	@# The reminder worker runs beside the server and stops with it (its e-mails print to this console).
	HELHET_DEMO=1 $(BIN)/python manage.py sendreminders --loop --interval 60 & W=$$!; trap "kill $$W" EXIT; \
	HELHET_DEMO=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

worker: install
	HELHET_DEMO=1 $(BIN)/python manage.py sendreminders --loop --interval 60

# The suite on SQLite, then on PostgreSQL when DATABASE_URL points at it or it answers on 127.0.0.1:5432.
test: install-test
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$DATABASE_URL" ] || $(BIN)/python scripts/pg_available.py "$(PG_URL)"; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ -n "$$HELHET_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is required (HELHET_REQUIRE_POSTGRES) but does not answer at $(PG_URL)"; exit 1; \
	else echo "PostgreSQL not found: ran on SQLite only."; fi

test-sqlite:
	@echo "== tests on SQLite =="
	env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL =="
	@# The roles the tests switch to after migrating (helhet_owner, helhet_app; docs/operations.md, Databaseroller).
	$(BIN)/python scripts/pg_roles.py "$${DATABASE_URL:-$(PG_URL)}"
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check helhet tests bench
	$(BIN)/ruff format --check helhet tests bench

messages: install
	cd helhet && ../$(BIN)/django-admin compilemessages

BENCH_DB_URL ?= postgres://postgres@127.0.0.1:5432/helhet_bench
BENCH_SIZES ?= 1000,10000
BENCH_SERVE_SECONDS ?= 10
BENCH_WRITERS ?= 1,8,32

# Synthetic data (up to each size, in plans) + p50/p95 of the plan page, plan API, KE overview and person list, and
# the plan API against one JSON query; requests/s under gunicorn at each size; audited events/s at 1/8/32
# writers; exits non-zero when any measured request is not 200, n = 0 or a read is not audited; then regenerates
# the figures in docs/performance.md from the JSON. See docs/performance.md.
bench: install
	-psql "$(PG_URL)" -qc 'create database helhet_bench' 2>/dev/null
	DATABASE_URL=$(BENCH_DB_URL) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DB_URL) $(BIN)/python -m bench run --sizes $(BENCH_SIZES) --serve-seconds $(BENCH_SERVE_SECONDS) \
		--writers $(BENCH_WRITERS) --json bench/results/latest.json
	$(BIN)/python -m bench report --json bench/results/latest.json --doc docs/performance.md

# National data (issue 14): 100,000 plans and a year of audit events (COPY) in their own database, built by
# BENCH_JOBS worker processes (default: one per CPU), then the chains verified. Large (several GB) and long: not part
# of CI. See docs/performance.md, "What the generator builds".
BENCH_NATIONAL_DB_URL ?= postgres://postgres@127.0.0.1:5432/helhet_bench_national
BENCH_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
bench-national: install
	-psql "$(PG_URL)" -qc 'create database helhet_bench_national' 2>/dev/null
	DATABASE_URL=$(BENCH_NATIONAL_DB_URL) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_NATIONAL_DB_URL) $(BIN)/python -m bench generate --persons 111000 \
		--snapshots inline --audit-events-per-plan 50 --jobs $(BENCH_JOBS)
	DATABASE_URL=$(BENCH_NATIONAL_DB_URL) $(BIN)/python manage.py audit_verify
