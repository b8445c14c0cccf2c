# The README's commands. `make run` serves the app; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test serve lint format bench loadtest messages fixtures setup setup-dev system-packages system-packages-test clean

## run: set up on SQLite, load the default questionnaire and the demo account, serve on :$(PORT)
run: setup
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py loaddata default_questionnaire
	DEBUG=1 $(BIN)/python manage.py setup_demo
	DEBUG=1 $(BIN)/python manage.py setup_demo_editor
	DEBUG=1 $(BIN)/python manage.py make_signing_key -v0
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: set up with the dev tools and run the whole suite, browser tests included
test: setup-dev system-packages-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The self-signed pair `make serve` writes, unless the shell names a key of its own.
SIGNING_DEFAULTS := SIGNING_KEY_FILE=$${SIGNING_KEY_FILE:-$(CURDIR)/var/signing/key.pem} \
  SIGNING_CERT_FILE=$${SIGNING_CERT_FILE:-$(CURDIR)/var/signing/cert.pem}

## serve: gunicorn with DEBUG off and static files through WhiteNoise (production-like, plain HTTP)
serve: setup var/secret_key
	DEBUG=1 $(BIN)/python manage.py make_signing_key --dir var/signing -v0
	SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret_key)} $(SIGNING_DEFAULTS) $(BIN)/python manage.py collectstatic --noinput -v0
	SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret_key)} $(SIGNING_DEFAULTS) $(BIN)/python manage.py migrate --noinput
	SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret_key)} $(SIGNING_DEFAULTS) SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0} \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	  $(BIN)/gunicorn compliance.wsgi --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-2} --timeout 180 --access-logfile -

## bench: benchmarks, printed as one table of ratios against baselines measured in the same run
## (BENCH_ARGS=--write-docs also writes the figures into docs/performance.md)
bench: setup
	@scripts/system-packages.sh bench
	@if [ "$$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null; then \
	  scripts/postgres.sh >/dev/null && \
	  BENCH_POSTGRES_URL=postgres://app:app@127.0.0.1:5432/app $(BIN)/python scripts/bench.py $(BENCH_ARGS); \
	else echo "(PostgreSQL figures skipped: run as root with Debian's postgresql, or see scripts/postgres.sh)"; \
	  $(BIN)/python scripts/bench.py $(BENCH_ARGS); fi

## loadtest: two runs through two gunicorn instances sharing one PostgreSQL, each followed by a
## check of every acknowledged answer in the database. Saturation: 50 simulated users save as
## fast as they can for 120 s (LOADTEST_SECONDS). Paced: users at a human pace (an autosave of
## the changed card every 3-5 s, a section every 30-60 s, results and PDFs now and then, one
## db_worker rendering), at LOADTEST_PACED_LEVELS users (100,200,300,400) for
## LOADTEST_PACED_SECONDS (90) each; prints the capacity at p95 < 300 ms.
## LOADTEST_PROFILE=saturation or paced runs one of them.
## PostgreSQL: Debian's, started by scripts/postgres.sh as root, or the server of
## LOADTEST_POSTGRES_URL (the role creates and drops its own database app_load there)
loadtest: setup
	@if [ -n "$$LOADTEST_POSTGRES_URL" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then scripts/postgres.sh >/dev/null; \
	else echo "make loadtest needs PostgreSQL: run it as root (scripts/postgres.sh starts Debian's)," \
	  "or set LOADTEST_POSTGRES_URL=postgres://user:password@host:5432/db (a role with CREATEDB)"; \
	  exit 1; fi
	$(BIN)/python scripts/loadtest.py

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r compliance --severity-level medium
	$(BIN)/lint-imports --no-cache

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## messages: refresh the Chinese message catalogue from the code
messages: setup
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location \
	  --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=var

setup: system-packages $(VENV)/.installed node_modules/.installed locale-compiled

setup-dev: setup $(VENV)/.installed-dev

system-packages:
	@scripts/system-packages.sh run

system-packages-test:
	@scripts/system-packages.sh test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: locale-compiled
locale-compiled: $(VENV)/.installed
	@DEBUG=1 $(BIN)/python manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

clean:
	rm -rf $(VENV) node_modules staticfiles

## fixtures: add the questionnaire versions of fixtures/questionnaires/ to fixtures/default_questionnaire.json
## (published versions are never rebuilt: they stay as published, so that every
## installation that loaded them loads the file again unchanged; newer ones are imported
## and published in order)
fixtures: setup
	@mkdir -p var && rm -f var/fixture-build.sqlite3
	DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/var/fixture-build.sqlite3 $(BIN)/python manage.py migrate -v0
	DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/var/fixture-build.sqlite3 $(BIN)/python manage.py \
	  loaddata default_questionnaire
	DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/var/fixture-build.sqlite3 $(BIN)/python manage.py \
	  import_questionnaire fixtures/questionnaires/cn-export-control-icp-v2.yaml --publish --unless-present
	DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/var/fixture-build.sqlite3 $(BIN)/python manage.py \
	  dumpdata questionnaires --natural-foreign --natural-primary --indent 1 \
	  -o fixtures/default_questionnaire.json
	rm -f var/fixture-build.sqlite3
