# The two commands of the README: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test lint fmt worker beat soak bench clean demo-province restore-drill

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

# make run serves the demo as a county sees it: DEBUG off (Chinese error pages, hashed static files
# served by WhiteNoise), over plain http on this machine. `make run DEBUG=true` for development.
DEBUG ?= false
RUN_ENV = DEBUG=$(DEBUG) SECRET_KEY="$$(cat var/secret_key)" ALLOWED_HOSTS=127.0.0.1,localhost \
	SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 SECURE_COOKIES=false

## Serve the demo county at http://127.0.0.1:8000/ (SQLite, eager Celery: nothing but Python needed).
run: $(STAMP)
	@mkdir -p var && test -s var/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	$(RUN_ENV) $(PY) manage.py load_demo --if-empty --force
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

## The whole suite; on PostgreSQL, Redis and a real Celery worker when their servers are installed.
test: $(STAMP)
	$(PY) -m tests.harness -- $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v0

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(STAMP)
	$(VENV)/bin/celery -A config worker -l info

beat: $(STAMP)
	$(VENV)/bin/celery -A config beat -l info

## The long reliability checks (worker killed x10, PostgreSQL restart, 30-minute load) and the large API fuzzing pass.
soak: $(STAMP)
	REQUIRE_INTEGRATION=1 $(PY) -m tests.harness -- tests/soak -m soak -p no:cacheprovider -q
	FUZZ_EXAMPLES=50 FUZZ_RANDOM=1 $(PY) -m tests.harness -- tests/security/test_api_fuzz.py -p no:cacheprovider -q

## The benchmarks of issue 11 (measured, never asserted in tests): make bench [ONLY=scoring,api] [SIZE=county,city,province].
bench: $(STAMP)
	ONLY="$(ONLY)" SIZE="$(SIZE)" $(PY) -m tests.bench.run

## Backup drill: pg_dump -Fc the demo county, pg_restore into a fresh database, compare every table, smoke-test, time it.
restore-drill: $(STAMP)
	$(PY) -m tests.drills.restore

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
